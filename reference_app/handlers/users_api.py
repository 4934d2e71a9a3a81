"""Users service on API Gateway + DynamoDB, written with plain boto3 (no framework).

What it demonstrates
    The anatomy of an HTTP-facing Lambda without any helper library: a ten-line
    ``lambda_handler`` that parses the proxy event, calls a pure core function that takes
    the table as an argument, and shapes the response. Domain errors are exceptions raised
    in the core and translated to status codes once, at the edge; the caller gets a status
    and a short message, the detail goes to the log (never ``str(e)`` to the caller).
    ``users_api_powertools`` is the same service written with Powertools, for contrast.

Routes
    ``POST /users``          201 + the stored user; 400 invalid body; 409 ``user_id`` taken
    ``GET /users``           200 ``{"items": [...], "next": token | null}``; ``?limit=1..100``
                             (default 20) and ``?next=<opaque token from the previous page>``
    ``GET /users/{id}``      200 or 404
    ``DELETE /users/{id}``   204, or 404 when there is no such user
    ``OPTIONS``              204 with ``Allow`` (and CORS preflight headers when configured)
    anything else            405 with ``Allow``; unknown paths 404

    Trailing slashes are ignored (``/users/``); methods are case-sensitive (``get`` is 405,
    RFC 9110); a path with control characters (API Gateway decodes ``%0A``) is 400.
    ``users_api_powertools`` answers every request the same way (its error bodies aside).

    Request body rules for ``POST /users`` (a JSON object, at most 16 KiB):
    ``user_id`` 1-64 of ``A-Z a-z 0-9 _ -`` starting with a letter or digit; ``name`` a
    string of 1-100 printable characters after trimming; ``email`` at most 254 characters in
    the WHATWG HTML "valid e-mail address" shape. Any other field is **rejected** (400, the
    message names it): silently dropping fields hides client bugs, and accepting them invites
    mass assignment (a client sending its own ``created_at``). ``created_at`` is set by the
    server, ISO-8601 UTC with milliseconds (``2024-01-12T10:15:30.123Z``).

    A page from ``GET /users`` may come back shorter than ``limit`` (even empty) with a
    ``next`` token: DynamoDB's ``Limit`` caps items *evaluated*, and a ``Scan`` has no order.
    The token is base64url JSON of DynamoDB's ``LastEvaluatedKey``; it is validated before use.

Trigger
    API Gateway REST API proxy integration (payload v1), and also API Gateway HTTP API
    (payload v2) and Lambda Function URLs: v2 events are routed on
    ``requestContext.http.method`` and ``rawPath`` (with a named stage stripped).

Environment
    ``USERS_TABLE``         DynamoDB table (logical ``users`` in ``reference_app.lab.resources``)
    ``CORS_ALLOW_ORIGIN``   optional; one origin, or a comma-separated allow-list. Unset means no
                            CORS headers at all. With a list, the request's ``Origin`` is echoed
                            only when it is on the list (plus ``Vary: Origin``).
    ``LOG_LEVEL``           optional, default ``INFO``

Notebooks
    02_handler (anatomy, raw events), 05_error_handling (error translation, 500 without leaks),
    06_security (input validation, CORS), 09_patterns (side by side with the Powertools version).

Seed bugs corrected
    ``created_at`` was the request id; ``str(e)`` was returned to callers; ``*`` CORS was
    hard-coded; ``put_item`` silently overwrote an existing user (now a conditional write, 409);
    only presence (not type, length or shape) of fields was checked; success was 200 not 201.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import os
import re
import sys
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError

REQUIREMENTS = ()

MAX_BODY_BYTES = 16 * 1024
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_TOKEN_CHARS = 512
USER_FIELDS = ("user_id", "name", "email")

# The user-id and e-mail rules are copied in other handlers (each is packaged alone);
# tests/unit/test_shared_rules.py fails when the copies stop accepting the same strings.
USER_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
# WHATWG HTML "valid e-mail address" (https://html.spec.whatwg.org/#valid-e-mail-address).
EMAIL_PATTERN = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)
MAX_NAME_CHARS = 100
MAX_EMAIL_CHARS = 254
LIMIT_PATTERN = re.compile(r"[0-9]{1,3}")

COLLECTION_PATH = re.compile(r"/users/*")  # trailing slashes are ignored, as Powertools' REST resolver does
ITEM_PATH = re.compile(r"/users/(?P<id>[^/]+)/*")
COLLECTION_METHODS = ("GET", "POST", "OPTIONS")
ITEM_METHODS = ("GET", "DELETE", "OPTIONS")


# --- logging -------------------------------------------------------------------------------
# This module deliberately uses only the standard library. On AWS the runtime installs a
# handler on the root logger, but on the local emulator the root logger has none, so a plain
# ``logging.getLogger(__name__).info(...)`` would be silently dropped there. So: our own
# logger, its own stdout handler writing one JSON object per line, and no propagation (no
# duplicates on AWS). The Powertools modules get the same from ``Logger``.
class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "level": record.levelname,
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def _build_logger() -> logging.Logger:
    log = logging.getLogger("users_api")
    if not log.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(_JsonFormatter())
        log.addHandler(handler)
    log.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
    log.propagate = False
    return log


LOGGER = _build_logger()


# --- domain errors: raised in the core, translated to HTTP once in lambda_handler ---------
class ApiError(Exception):
    """Base class: an error the caller is allowed to see (status + a fixed, safe message)."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.message}
        if self.field is not None:
            body["field"] = self.field
        return body


class InvalidRequest(ApiError):
    status = 400


class UserNotFound(ApiError):
    status = 404


class RouteNotFound(ApiError):
    status = 404


class MethodNotAllowed(ApiError):
    status = 405


class UserAlreadyExists(ApiError):
    status = 409


class PayloadTooLarge(ApiError):
    status = 413


# --- clients: created lazily, once per container (moto can patch them in tests) -----------
@functools.cache
def _table() -> Any:
    # No endpoint_url here: AWS_ENDPOINT_URL in the environment points boto3 at an emulator.
    return boto3.resource("dynamodb").Table(os.environ["USERS_TABLE"])


# --- request parsing -------------------------------------------------------------------------
@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str] = dataclass_field(default_factory=dict)
    headers: dict[str, str] = dataclass_field(default_factory=dict)  # lower-cased names
    body: str | None = None
    is_base64: bool = False


def parse_request(event: Any) -> Request:
    """Normalise an API Gateway v1, HTTP API v2 or Function URL event into a ``Request``."""
    if not isinstance(event, dict):
        raise InvalidRequest("unsupported event")
    context = event.get("requestContext") or {}
    http = context.get("http") if isinstance(context, dict) else None
    if event.get("version") == "2.0" and isinstance(http, dict):
        method, path = http.get("method"), event.get("rawPath")
        stage = context.get("stage")
        staged = isinstance(path, str) and isinstance(stage, str) and stage != "$default"
        if staged and (path == f"/{stage}" or path.startswith(f"/{stage}/")):
            path = path[len(stage) + 1 :] or "/"
    else:
        method, path = event.get("httpMethod"), event.get("path")
    if not isinstance(method, str) or not isinstance(path, str):
        raise InvalidRequest("unsupported event")
    body = event.get("body")
    return Request(
        method=method,
        path=path,
        query=_string_map(event.get("queryStringParameters")),
        headers={k.lower(): v for k, v in _string_map(event.get("headers")).items()},
        body=body if isinstance(body, str) else None,
        is_base64=event.get("isBase64Encoded") is True,
    )


def _string_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def parse_json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or ``InvalidRequest`` / ``PayloadTooLarge``."""
    if request.body is None or request.body == "":
        raise InvalidRequest("request body is required")
    if len(request.body) > MAX_BODY_BYTES * 4 // 3 + 4:
        raise PayloadTooLarge(f"request body must be at most {MAX_BODY_BYTES} bytes")
    try:
        raw = base64.b64decode(request.body, validate=True) if request.is_base64 else request.body.encode("utf-8")
        if len(raw) > MAX_BODY_BYTES:
            raise PayloadTooLarge(f"request body must be at most {MAX_BODY_BYTES} bytes")
        text = raw.decode("utf-8")  # JSON over HTTP is UTF-8 (RFC 8259); json.loads(bytes) would guess
    except ValueError:  # binascii.Error, UnicodeError, and b64decode's own "only ASCII characters"
        raise InvalidRequest("request body is not valid base64 or UTF-8") from None
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError):  # deeply nested input raises RecursionError, not ValueError
        raise InvalidRequest("request body must be valid JSON") from None
    if not isinstance(payload, dict):
        raise InvalidRequest("request body must be a JSON object")
    return payload


# --- pure core: validation and storage, table passed in ---------------------------------------
def validate_new_user(payload: dict[str, Any]) -> dict[str, str]:
    """Check a create-user payload; return the cleaned fields or raise ``InvalidRequest``."""
    missing = [name for name in USER_FIELDS if name not in payload]
    if missing:
        raise InvalidRequest(f"missing required field: {missing[0]}", field=missing[0])
    unexpected = sorted(name for name in payload if name not in USER_FIELDS)
    if unexpected:
        shown = unexpected[0] if len(unexpected[0]) <= 64 else unexpected[0][:64] + "..."
        raise InvalidRequest(f"unexpected field: {shown}", field=shown)

    user_id, name, email = payload["user_id"], payload["name"], payload["email"]
    if not isinstance(user_id, str) or not USER_ID_PATTERN.fullmatch(user_id):
        raise InvalidRequest("user_id must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'", field="user_id")
    if not isinstance(name, str):
        raise InvalidRequest("name must be a string", field="name")
    name = name.strip()
    # isprintable() also rejects control characters and lone surrogates (which DynamoDB cannot store).
    if not 1 <= len(name) <= MAX_NAME_CHARS or not name.isprintable():
        raise InvalidRequest(f"name must be 1-{MAX_NAME_CHARS} printable characters", field="name")
    if not isinstance(email, str):
        raise InvalidRequest("email must be a string", field="email")
    if len(email) > MAX_EMAIL_CHARS or not EMAIL_PATTERN.fullmatch(email):
        raise InvalidRequest("email must be a valid e-mail address", field="email")
    return {"user_id": user_id, "name": name, "email": email}


def utc_now_iso() -> str:
    """Current time as ISO-8601 UTC with milliseconds, e.g. ``2024-01-12T10:15:30.123Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def create_user(table: Any, payload: dict[str, Any], now: str | None = None) -> dict[str, str]:
    """Validate and store a new user; ``UserAlreadyExists`` leaves the existing item untouched."""
    user = {**validate_new_user(payload), "created_at": now or utc_now_iso()}
    try:
        table.put_item(Item=user, ConditionExpression="attribute_not_exists(user_id)")
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise UserAlreadyExists("a user with this user_id already exists", field="user_id") from None
        raise
    return user


def check_user_id(user_id: str) -> str:
    if not USER_ID_PATTERN.fullmatch(user_id):
        raise InvalidRequest("invalid user id in path", field="id")
    return user_id


def get_user(table: Any, user_id: str) -> dict[str, Any]:
    item = table.get_item(Key={"user_id": check_user_id(user_id)}).get("Item")
    if item is None:
        raise UserNotFound("user not found")
    return item


def delete_user(table: Any, user_id: str) -> None:
    try:
        table.delete_item(Key={"user_id": check_user_id(user_id)}, ConditionExpression="attribute_exists(user_id)")
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise UserNotFound("user not found") from None
        raise


def parse_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_PAGE_SIZE
    if not LIMIT_PATTERN.fullmatch(raw) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise InvalidRequest(f"limit must be an integer from 1 to {MAX_PAGE_SIZE}", field="limit")
    return int(raw)


def encode_page_token(last_key: dict[str, Any]) -> str:
    raw = json.dumps({"user_id": last_key["user_id"]}, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_page_token(token: str) -> dict[str, str]:
    """Inverse of ``encode_page_token``; anything else is ``InvalidRequest`` (never a 500)."""
    invalid = InvalidRequest("invalid next token", field="next")
    if not 1 <= len(token) <= MAX_TOKEN_CHARS:
        raise invalid
    try:
        decoded = json.loads(base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True))
    except (ValueError, RecursionError):  # binascii.Error, UnicodeDecodeError, JSONDecodeError
        raise invalid from None
    if not isinstance(decoded, dict) or set(decoded) != {"user_id"}:
        raise invalid
    user_id = decoded["user_id"]
    if not isinstance(user_id, str) or not USER_ID_PATTERN.fullmatch(user_id):
        raise invalid
    return {"user_id": user_id}


def list_users(table: Any, limit: int = DEFAULT_PAGE_SIZE, start_key: dict[str, str] | None = None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"Limit": limit}
    if start_key:
        kwargs["ExclusiveStartKey"] = start_key
    page = table.scan(**kwargs)
    last_key = page.get("LastEvaluatedKey")
    return {"items": page.get("Items", []), "next": encode_page_token(last_key) if last_key else None}


# --- routing ---------------------------------------------------------------------------------
def route(table: Any, request: Request) -> tuple[int, Any, dict[str, str]]:
    """Dispatch a request to the core; return ``(status, body, extra headers)``."""
    if not request.path.isprintable():  # control characters (API Gateway decodes %0A) or lone surrogates
        raise InvalidRequest("invalid characters in path", field="path")
    item_match = ITEM_PATH.fullmatch(request.path)
    if COLLECTION_PATH.fullmatch(request.path):
        allowed = COLLECTION_METHODS
    elif item_match:
        allowed = ITEM_METHODS
    else:
        raise RouteNotFound("not found")
    allow = {"Allow": ", ".join(allowed)}
    if request.method not in allowed:
        raise MethodNotAllowed("method not allowed", headers=allow)
    if request.method == "OPTIONS":
        return 204, None, allow
    if item_match is None:  # /users
        if request.method == "POST":
            return 201, create_user(table, parse_json_object(request)), {}
        start_key = decode_page_token(request.query["next"]) if "next" in request.query else None
        return 200, list_users(table, parse_limit(request.query.get("limit")), start_key), {}
    if request.method == "DELETE":  # /users/{id}
        delete_user(table, item_match["id"])
        return 204, None, {}
    return 200, get_user(table, item_match["id"]), {}


# --- response shaping --------------------------------------------------------------------------
def cors_headers(request: Request | None, extra: dict[str, str]) -> dict[str, str]:
    """CORS headers from ``CORS_ALLOW_ORIGIN``; none at all when it is unset."""
    allowed = [origin.strip() for origin in os.environ.get("CORS_ALLOW_ORIGIN", "").split(",") if origin.strip()]
    if not allowed:
        return {}
    if len(allowed) == 1:
        headers = {"Access-Control-Allow-Origin": allowed[0]}
    else:
        origin = request.headers.get("origin") if request else None
        if origin not in allowed:
            return {"Vary": "Origin"}
        headers = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    if request is not None and request.method == "OPTIONS" and "Allow" in extra:
        headers["Access-Control-Allow-Methods"] = extra["Allow"]
        headers["Access-Control-Allow-Headers"] = "Content-Type, Authorization"
        headers["Access-Control-Max-Age"] = "600"
    return headers


def build_response(status: int, body: Any, request: Request | None, extra: dict[str, str]) -> dict[str, Any]:
    headers = {**extra, **cors_headers(request, extra)}
    if body is None:
        return {"statusCode": status, "headers": headers, "body": ""}
    headers["Content-Type"] = "application/json"
    return {"statusCode": status, "headers": headers, "body": json.dumps(body)}


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request: Request | None = None
    try:
        request = parse_request(event)
        status, body, headers = route(_table(), request)
    except ApiError as exc:
        LOGGER.info("request rejected", extra={"fields": {"status": exc.status, "reason": exc.message}})
        status, body, headers = exc.status, exc.body(), exc.headers
    except Exception:  # the edge: log everything, tell the caller nothing
        LOGGER.exception("unhandled error", extra={"fields": {"request_id": getattr(context, "aws_request_id", None)}})
        status, body, headers = 500, {"error": "internal server error"}, {}
    return build_response(status, body, request, headers)
