"""Users service on API Gateway + DynamoDB, written with Powertools for AWS Lambda.

What it demonstrates
    The same service as ``users_api``, in the framework style, for a side-by-side reading:
    routes registered once on a ``Router`` and served by two resolvers
    (``APIGatewayRestResolver`` for REST API events, ``APIGatewayHttpResolver`` for HTTP API
    and Function URL events), the request body validated by a pydantic model through the
    Powertools parser, HTTP errors raised as Powertools exceptions (``BadRequestError``,
    ``ServiceError``), a middleware, CORS by ``CORSConfig``, structured JSON logs by
    ``Logger``. It shares nothing with ``users_api`` but the table layout and the page token
    (each handler is packaged as one self-contained file).

    The twins answer every request the same way: same status, same ``Allow`` and
    ``Access-Control-Allow-Origin``, same success body, same write
    (``tests/moto/test_users_api_fuzz.py`` sends each generated request to both). Getting
    there shows where a framework's defaults differ from a hand-written router:
    - error bodies have the Powertools shape ``{"statusCode": 400, "message": "..."}``
      (the one difference kept on purpose);
    - the resolver answers 404 for a known path with an unregistered method, and its own
      CORS preflight answers 204 on any path, only when CORS is configured: ``OPTIONS`` and
      the 404/405 decision are handled here (``options``, ``no_route``);
    - it upper-cases the method before routing (``get`` would be served as GET), and a route
      regex's ``$`` matches before a trailing newline: ``check_request_line`` refuses both;
    - ``isBase64Encoded`` bodies are decoded and the 16 KiB cap is checked before anything
      is parsed (``_json_body``); ``limit`` must be ASCII digits (``"\u00b2".isdigit()`` is
      True, and ``int()`` of it raises);
    - an exception the resolver does not handle is re-raised: the invocation fails and API
      Gateway answers 502. Only AWS SDK errors are mapped to a generic 500 here;
    - with a single ``CORS_ALLOW_ORIGIN``, ``users_api`` sends it on every response, this
      one only when the request's ``Origin`` matches it (an allow-list behaves the same).

Trigger
    API Gateway REST API proxy integration (payload 1.0), HTTP API (payload 2.0) and Lambda
    Function URLs. Any other event is answered 400 ``unsupported event``.

Environment
    ``USERS_TABLE``         DynamoDB table (logical ``users``)
    ``CORS_ALLOW_ORIGIN``   optional: one origin or a comma-separated allow-list; read once at
                            import (cold start). Unset means no CORS headers.
    ``POWERTOOLS_LOG_LEVEL`` optional, default ``INFO``

Notebooks
    09_patterns (raw vs Powertools), 08_observability (Logger output), 07_performance_and_cost
    (import cost of a framework on a cold start).
"""

from __future__ import annotations

import base64
import functools
import json
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import (
    APIGatewayHttpResolver,
    APIGatewayRestResolver,
    CORSConfig,
    Response,
    content_types,
)
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver, Router
from aws_lambda_powertools.event_handler.exceptions import BadRequestError, NotFoundError, ServiceError
from aws_lambda_powertools.utilities.parser import ValidationError, parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

REQUIREMENTS = ("aws-lambda-powertools", "pydantic")

MAX_BODY_BYTES = 16 * 1024
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_TOKEN_CHARS = 512
MAX_NAME_CHARS = 100
# The user-id and e-mail rules are copied in other handlers (each is packaged alone);
# tests/unit/test_shared_rules.py fails when the copies stop accepting the same strings.
USER_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
EMAIL = (
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
LIMIT = re.compile(r"[0-9]{1,3}")  # ASCII digits: str.isdigit() accepts superscripts and other scripts' digits

# Route rules are regular expressions to Powertools. "/*" accepts trailing slashes on both
# resolvers (the REST one would add it, the HTTP one would not), as users_api does.
USERS = "/users/*"
USER = "/users/<user_id>/*"
RESOURCES = (  # path -> the methods it has: for OPTIONS, 405's Allow, and paths no route matched
    (re.compile(r"/users/*"), "GET, POST, OPTIONS"),
    (re.compile(r"/users/[^/]+/*"), "GET, DELETE, OPTIONS"),
)

logger = Logger(service="users-api-powertools")
router = Router()


class NewUser(BaseModel):
    """The create-user body. Unknown fields are rejected; types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)

    user_id: Annotated[str, StringConstraints(pattern=USER_ID)]
    name: str
    email: Annotated[str, StringConstraints(max_length=254, pattern=EMAIL)]

    @field_validator("name")
    @classmethod
    def _printable_name(cls, name: str) -> str:
        name = name.strip()  # str.strip, as users_api does (pydantic's strip_whitespace trims a different set)
        # isprintable() also rejects control characters and lone surrogates (which DynamoDB cannot store)
        if not 1 <= len(name) <= MAX_NAME_CHARS or not name.isprintable():
            raise ValueError(f"must be 1-{MAX_NAME_CHARS} printable characters")
        return name


@functools.cache
def _table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["USERS_TABLE"])


def _json_body() -> Any:
    """The request body as JSON. API Gateway base64-encodes bodies of binary media types
    (``isBase64Encoded``), so decode those first. The size is checked before anything is
    decoded or parsed; 413 when too large, ``BadRequestError`` for anything unreadable."""
    event = router.current_event
    body = event.body
    if not isinstance(body, str) or not body:
        raise BadRequestError("body: request body is required")
    too_large = ServiceError(413, f"body: request body must be at most {MAX_BODY_BYTES} bytes")
    if len(body) > MAX_BODY_BYTES * 4 // 3 + 4:  # the base64 length of the cap: nothing bigger can fit
        raise too_large
    try:
        raw = base64.b64decode(body, validate=True) if event.is_base64_encoded else body.encode("utf-8")
        if len(raw) > MAX_BODY_BYTES:
            raise too_large
        text = raw.decode("utf-8")  # JSON over HTTP is UTF-8 (RFC 8259)
    except ValueError:  # binascii.Error, UnicodeError, and b64decode's own "only ASCII characters"
        raise BadRequestError("body: not valid base64 or UTF-8") from None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # deeply nested input raises RecursionError, not ValueError
        raise BadRequestError("body: Invalid JSON") from None


@router.post(USERS)
def create_user() -> tuple[dict[str, Any], int]:
    try:
        user = parse(event=_json_body(), model=NewUser)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False, include_context=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        where = where if len(where) <= 64 else where[:64] + "..."  # an unknown field's name is client input
        raise BadRequestError(f"{where}: {first['msg']}") from None
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    item = {**user.model_dump(), "created_at": now}  # same format as users_api: part of the table layout
    try:
        _table().put_item(Item=item, ConditionExpression="attribute_not_exists(user_id)")
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise ServiceError(409, "user already exists") from None
        raise
    return item, 201


@router.get(USERS)
def list_users() -> dict[str, Any]:
    event = router.current_event
    token = event.get_query_string_value("next")
    start_key = _decode_token(token) if token is not None else None
    raw_limit = event.get_query_string_value("limit")
    if raw_limit is None:
        limit = DEFAULT_PAGE_SIZE
    elif LIMIT.fullmatch(raw_limit) and 1 <= int(raw_limit) <= MAX_PAGE_SIZE:
        limit = int(raw_limit)
    else:
        raise BadRequestError(f"limit: must be an integer from 1 to {MAX_PAGE_SIZE}")
    kwargs: dict[str, Any] = {"Limit": limit}
    if start_key:
        kwargs["ExclusiveStartKey"] = start_key
    page = _table().scan(**kwargs)
    last = page.get("LastEvaluatedKey")
    return {"items": page.get("Items", []), "next": _encode_token(last) if last else None}


# The page token is the same as users_api's (base64url JSON of DynamoDB's LastEvaluatedKey):
# either twin can continue the other's listing.
def _encode_token(last_key: dict[str, Any]) -> str:
    raw = json.dumps({"user_id": last_key["user_id"]}, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode_token(token: str) -> dict[str, str]:
    invalid = BadRequestError("next: invalid token")
    if not 1 <= len(token) <= MAX_TOKEN_CHARS:
        raise invalid
    try:
        decoded = json.loads(base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True))
    except (ValueError, RecursionError):  # binascii.Error, UnicodeDecodeError, JSONDecodeError
        raise invalid from None
    if not isinstance(decoded, dict) or set(decoded) != {"user_id"} or not isinstance(decoded["user_id"], str):
        raise invalid
    return {"user_id": _checked_user_id(decoded["user_id"], "next: invalid token")}


def _checked_user_id(user_id: str, message: str = "user_id: invalid") -> str:
    if not re.fullmatch(USER_ID, user_id):
        raise BadRequestError(message)
    return user_id


@router.get(USER)
def get_user(user_id: str) -> dict[str, Any]:
    item = _table().get_item(Key={"user_id": _checked_user_id(user_id)}).get("Item")
    if item is None:
        raise ServiceError(404, "user not found")  # not NotFoundError: that one means "no such route" below
    return item


@router.delete(USER)
def delete_user(user_id: str) -> Response:
    try:
        _table().delete_item(
            Key={"user_id": _checked_user_id(user_id)}, ConditionExpression="attribute_exists(user_id)"
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise ServiceError(404, "user not found") from None
        raise
    return Response(status_code=204, content_type=None, body="")


# --- what the resolver does not do the way users_api does -------------------------------------
def _allowed_methods(path: str) -> str | None:
    return next((allow for pattern, allow in RESOURCES if pattern.fullmatch(path)), None)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        headers=headers or {},
        body=json.dumps({"statusCode": status, "message": message}),
    )


@router.route(".*", method="OPTIONS")
def options() -> Response:
    """Preflight and plain OPTIONS: 204 with ``Allow`` on a known path, also without CORS (the
    resolver's own preflight answers only when CORS is configured, and on any path)."""
    allow = _allowed_methods(router.current_event.path)
    if allow is None:
        return _error(404, "not found")
    headers = {"Allow": allow}
    if _CORS is not None:
        headers["Access-Control-Allow-Methods"] = allow
    return Response(status_code=204, content_type=None, headers=headers, body="")


@router.exception_handler(NotFoundError)
def no_route(exc: NotFoundError) -> Response:
    """404 for an unknown path, 405 (with ``Allow``) for a known path and another method. A
    routed method misses only when the id has characters the route pattern refuses: no valid
    user id has those, so that is a 400, as for any other invalid id."""
    event = router.current_event
    allow = _allowed_methods(event.path)
    if allow is None:
        return _error(404, "not found")
    if event.http_method in allow.split(", "):
        return _error(400, "user_id: invalid")
    return _error(405, "method not allowed", {"Allow": allow})


def check_request_line(app: ApiGatewayResolver, next_middleware: Callable[..., Response]) -> Response:
    """Runs before every route. Two things Powertools routing would get wrong:
    - it upper-cases the method, but methods are case-sensitive (RFC 9110): ``get`` is not GET;
    - a route regex's ``$`` also matches before a trailing newline, so ``/users/a\\n`` would read
      user ``a``: a path with control characters is refused before anything is looked up."""
    event = app.current_event
    if not event.path.isprintable():
        return _error(400, "path: invalid characters")
    method = event.http_method
    if method != method.upper() or not method.isascii():
        allow = _allowed_methods(event.path)
        return _error(405, "method not allowed", {"Allow": allow}) if allow else _error(404, "not found")
    return next_middleware(app)


@router.exception_handler([ClientError, BotoCoreError])
def aws_sdk_error(exc: Exception) -> Response:
    logger.exception("AWS SDK call failed")  # detail (and traceback) in the log only
    return _error(500, "internal server error")


router.use(middlewares=[check_request_line])


def _cors() -> CORSConfig | None:
    origins = [origin.strip() for origin in os.environ.get("CORS_ALLOW_ORIGIN", "").split(",") if origin.strip()]
    return CORSConfig(allow_origin=origins[0], extra_origins=origins[1:], max_age=600) if origins else None


_CORS = _cors()
rest_app = APIGatewayRestResolver(cors=_CORS)  # API Gateway REST API (payload 1.0)
http_app = APIGatewayHttpResolver(cors=_CORS)  # HTTP API (payload 2.0) and Function URLs
rest_app.include_router(router)
http_app.include_router(router)


def resolver_for(event: Any) -> ApiGatewayResolver | None:
    """The resolver for an API Gateway proxy event (payload 1.0 or 2.0), or None for anything else."""
    if not isinstance(event, dict):
        return None
    context = event.get("requestContext")
    http = context.get("http") if isinstance(context, dict) else None
    if event.get("version") == "2.0" and isinstance(http, dict):
        supported = all(isinstance(v, str) for v in (http.get("method"), event.get("rawPath"), context.get("stage")))
        return http_app if supported else None
    supported = isinstance(event.get("httpMethod"), str) and isinstance(event.get("path"), str)
    return rest_app if supported else None


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    resolver = resolver_for(event)
    if resolver is None:
        logger.info("request rejected: not an API Gateway proxy event")
        body = json.dumps({"statusCode": 400, "message": "unsupported event"})
        return {"statusCode": 400, "headers": {"Content-Type": content_types.APPLICATION_JSON}, "body": body}
    return resolver.resolve(event, context)
