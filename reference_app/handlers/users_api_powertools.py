"""Users service on API Gateway + DynamoDB, written with Powertools for AWS Lambda.

What it demonstrates
    The same service as ``users_api``, in the framework style, for a side-by-side reading:
    routing by decorators (``APIGatewayRestResolver``), the request body validated by a
    pydantic model through the Powertools parser, HTTP errors raised as Powertools
    exceptions (``BadRequestError``, ``NotFoundError``, ``ServiceError``), CORS by
    ``CORSConfig``, structured JSON logs by ``Logger``. It shares nothing with ``users_api``
    but the table layout (each handler is packaged as one self-contained file).

    Differences worth pointing out in the notebook:
    - error bodies have the Powertools shape ``{"statusCode": 400, "message": "..."}``;
    - the resolver answers 404 for a known path with an unregistered method, so the 405
      routes below are registered by hand;
    - an exception the resolver does not handle is re-raised: the invocation fails and API
      Gateway answers 502. Only AWS SDK errors are mapped to a generic 500 here;
    - REST API (payload v1) events only; ``APIGatewayHttpResolver`` /
      ``LambdaFunctionUrlResolver`` are the v2 equivalents.

Trigger
    API Gateway REST API proxy integration (payload v1).

Environment
    ``USERS_TABLE``         DynamoDB table (logical ``users``)
    ``CORS_ALLOW_ORIGIN``   optional, a single origin; read once at import (cold start).
                            Unset means no CORS headers.
    ``POWERTOOLS_LOG_LEVEL`` optional, default ``INFO``

Notebooks
    09_patterns (raw vs Powertools), 08_observability (Logger output), 07_performance_cost
    (import cost of a framework on a cold start).
"""

from __future__ import annotations

import base64
import functools
import json
import os
import re
from datetime import UTC, datetime
from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import BadRequestError, NotFoundError, ServiceError
from aws_lambda_powertools.utilities.parser import ValidationError, parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict, StringConstraints

REQUIREMENTS = ("aws-lambda-powertools", "pydantic")

MAX_PAGE = 100
USER_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"

logger = Logger(service="users-api-powertools")


def _cors() -> CORSConfig | None:
    origin = os.environ.get("CORS_ALLOW_ORIGIN", "").strip()
    return CORSConfig(allow_origin=origin) if origin else None


app = APIGatewayRestResolver(cors=_cors())


class NewUser(BaseModel):
    """The create-user body. Unknown fields are rejected; types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)

    user_id: Annotated[str, StringConstraints(pattern=USER_ID)]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    email: Annotated[
        str,
        StringConstraints(
            max_length=254,
            pattern=r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
            r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$",
        ),
    ]


@functools.cache
def _table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["USERS_TABLE"])


def _json_body() -> Any:
    """The request body as JSON. API Gateway base64-encodes bodies of binary media types
    (``isBase64Encoded``), so decode those first; ``BadRequestError`` for anything unreadable."""
    event = app.current_event
    body = event.body
    if not body:
        raise BadRequestError("body: request body is required")
    try:
        raw = base64.b64decode(body, validate=True) if event.is_base64_encoded else body.encode("utf-8")
        text = raw.decode("utf-8")  # JSON over HTTP is UTF-8 (RFC 8259)
    except ValueError:  # binascii.Error, UnicodeError, and b64decode's own "only ASCII characters"
        raise BadRequestError("body: not valid base64 or UTF-8") from None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # deeply nested input raises RecursionError, not ValueError
        raise BadRequestError("body: Invalid JSON") from None


@app.post("/users")
def create_user() -> tuple[dict[str, Any], int]:
    try:
        user = parse(event=_json_body(), model=NewUser)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise BadRequestError(f"{where}: {first['msg']}") from None
    if not user.name.isprintable():  # control characters and lone surrogates
        raise BadRequestError("name: must be printable text")
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    item = {**user.model_dump(), "created_at": now}  # same format as users_api: part of the table layout
    try:
        _table().put_item(Item=item, ConditionExpression="attribute_not_exists(user_id)")
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise ServiceError(409, "user already exists") from None
        raise
    return item, 201


@app.get("/users")
def list_users() -> dict[str, Any]:
    limit_raw = app.current_event.get_query_string_value("limit", "20") or ""
    if not limit_raw.isdigit() or not 1 <= int(limit_raw) <= MAX_PAGE:
        raise BadRequestError(f"limit: must be an integer from 1 to {MAX_PAGE}")
    kwargs: dict[str, Any] = {"Limit": int(limit_raw)}
    token = app.current_event.get_query_string_value("next")
    if token is not None:
        kwargs["ExclusiveStartKey"] = {"user_id": _decode_token(token)}
    page = _table().scan(**kwargs)
    last = page.get("LastEvaluatedKey")
    next_token = base64.urlsafe_b64encode(last["user_id"].encode()).decode().rstrip("=") if last else None
    return {"items": page.get("Items", []), "next": next_token}


def _decode_token(token: str) -> str:
    try:
        user_id = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("utf-8")
    except ValueError:  # binascii.Error, UnicodeDecodeError, non-ASCII input
        raise BadRequestError("next: invalid token") from None
    return _checked_user_id(user_id, "next: invalid token")


def _checked_user_id(user_id: str, message: str = "user_id: invalid") -> str:
    if not re.fullmatch(USER_ID, user_id):
        raise BadRequestError(message)
    return user_id


@app.get("/users/<user_id>")
def get_user(user_id: str) -> dict[str, Any]:
    item = _table().get_item(Key={"user_id": _checked_user_id(user_id)}).get("Item")
    if item is None:
        raise NotFoundError("user not found")
    return item


@app.delete("/users/<user_id>")
def delete_user(user_id: str) -> Response:
    try:
        _table().delete_item(
            Key={"user_id": _checked_user_id(user_id)}, ConditionExpression="attribute_exists(user_id)"
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise NotFoundError("user not found") from None
        raise
    return Response(status_code=204, content_type=None, body="")


@app.route("/users", method=["PUT", "PATCH", "DELETE"])
def collection_method_not_allowed() -> Response:
    return _method_not_allowed("GET, POST, OPTIONS")


@app.route("/users/<user_id>", method=["PUT", "PATCH", "POST"])
def item_method_not_allowed(user_id: str) -> Response:
    return _method_not_allowed("GET, DELETE, OPTIONS")


def _method_not_allowed(allow: str) -> Response:
    return Response(
        status_code=405,
        content_type=content_types.APPLICATION_JSON,
        headers={"Allow": allow},
        body=json.dumps({"statusCode": 405, "message": "method not allowed"}),
    )


@app.exception_handler([ClientError, BotoCoreError])
def aws_sdk_error(exc: Exception) -> Response:
    logger.exception("AWS SDK call failed")  # detail (and traceback) in the log only
    return Response(
        status_code=500,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps({"statusCode": 500, "message": "internal server error"}),
    )


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
