"""users_api: the raw-boto3 users service, driven through API Gateway / Function URL events."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from reference_app.handlers import users_api

ADA = {"user_id": "u-1001", "name": "Ada Lovelace", "email": "ada@example.com"}


def invoke(event: dict[str, Any], context: Any) -> tuple[int, dict[str, str], Any]:
    response = users_api.lambda_handler(event, context)
    body = json.loads(response["body"]) if response["body"] else None
    return response["statusCode"], response["headers"], body


@pytest.fixture
def post(event: Callable[[str], dict[str, Any]], lambda_context: Any) -> Callable[..., tuple[int, dict[str, str], Any]]:
    """``post(payload)`` (dict -> JSON) or ``post(raw_body=...)``; REST v1 by default."""

    def send(payload: Any = None, *, raw_body: str | None = None, base64_encoded: bool = False, v2: bool = False):
        request = event("apigw_http_v2_post_user" if v2 else "apigw_rest_post_user")
        request["body"] = raw_body if raw_body is not None else json.dumps(payload)
        request["isBase64Encoded"] = base64_encoded
        return invoke(request, lambda_context)

    return send


@pytest.fixture
def request_to(
    event: Callable[[str], dict[str, Any]], lambda_context: Any
) -> Callable[..., tuple[int, dict[str, str], Any]]:
    """``request_to("GET", "/users/u-1", query={...})`` as a REST v1 event."""

    def send(method: str, path: str, query: dict[str, str] | None = None, headers: dict[str, str] | None = None):
        request = event("apigw_rest_get_user")
        request.update(httpMethod=method, path=path, queryStringParameters=query, pathParameters=None)
        request["headers"].update(headers or {})
        return invoke(request, lambda_context)

    return send


@pytest.fixture
def cors(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    return lambda value: monkeypatch.setenv("CORS_ALLOW_ORIGIN", value)


# --- POST /users --------------------------------------------------------------------------------
@pytest.mark.parametrize("v2", [False, True], ids=["rest-v1", "http-v2"])
def test_post_creates_user_with_server_side_utc_timestamp(users_table, post, scan, v2):
    # GIVEN an empty table
    before = datetime.now(UTC)
    # WHEN a valid user is posted
    status, headers, body = post(ADA, v2=v2)
    # THEN 201 with the stored user, and created_at is "now" in ISO-8601 UTC (not a request id)
    assert status == 201
    assert headers["Content-Type"] == "application/json"
    assert {k: body[k] for k in ADA} == ADA
    created = datetime.fromisoformat(body["created_at"])
    assert body["created_at"].endswith("Z") and created.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= created <= datetime.now(UTC) + timedelta(seconds=1)
    assert scan(users_table) == [body]


def test_post_accepts_base64_encoded_body(users_table, post):
    encoded = base64.b64encode(json.dumps(ADA).encode()).decode()
    status, _, body = post(raw_body=encoded, base64_encoded=True)
    assert status == 201 and body["user_id"] == ADA["user_id"]


@pytest.mark.parametrize("name", ["apigw_rest_post_user_base64", "apigw_http_v2_post_user_base64"])
def test_aws_shaped_base64_post_creates_user(users_table, event, lambda_context, name):
    status, _, body = invoke(event(name), lambda_context)
    assert status == 201 and body["user_id"] == ADA["user_id"]


def test_post_trims_name(users_table, post):
    status, _, body = post({**ADA, "name": "  Ada  "})
    assert status == 201 and body["name"] == "Ada"


def test_duplicate_user_id_is_409_and_leaves_original_untouched(users_table, post, scan):
    # GIVEN an existing user
    assert post(ADA)[0] == 201
    original = scan(users_table)
    # WHEN another user is posted with the same user_id
    status, _, body = post({**ADA, "name": "Impostor", "email": "evil@example.com"})
    # THEN 409 and the stored item is exactly as it was
    assert status == 409
    assert body == {"error": "a user with this user_id already exists", "field": "user_id"}
    assert scan(users_table) == original


@pytest.mark.parametrize(
    ("body", "field", "message_part"),
    [
        ("{not json", None, "valid JSON"),
        ("", None, "required"),
        ("[1, 2]", None, "JSON object"),
        ('"just a string"', None, "JSON object"),
        ("[" * 100_000, None, None),  # far beyond the size limit
        ("[" * 5000 + "]" * 5000, None, "valid JSON"),  # deep nesting within the limit
        (json.dumps({"name": "Ada", "email": "ada@example.com"}), "user_id", "missing"),
        (json.dumps({"user_id": "u-1", "email": "ada@example.com"}), "name", "missing"),
        (json.dumps({"user_id": "u-1", "name": "Ada"}), "email", "missing"),
        (json.dumps({**ADA, "created_at": "1970-01-01T00:00:00Z"}), "created_at", "unexpected"),
        (json.dumps({**ADA, "role": "admin"}), "role", "unexpected"),
        (json.dumps({**ADA, "user_id": 42}), "user_id", "user_id"),
        (json.dumps({**ADA, "user_id": ""}), "user_id", "user_id"),
        (json.dumps({**ADA, "user_id": "../etc"}), "user_id", "user_id"),
        (json.dumps({**ADA, "user_id": "x" * 65}), "user_id", "user_id"),
        (json.dumps({**ADA, "name": None}), "name", "string"),
        (json.dumps({**ADA, "name": "   "}), "name", "printable"),
        (json.dumps({**ADA, "name": "x" * 101}), "name", "printable"),
        (json.dumps({**ADA, "name": "Ada\u0000"}), "name", "printable"),
        (json.dumps({**ADA, "name": "\ud800"}), "name", "printable"),  # lone surrogate: DynamoDB can't store it
        (json.dumps({**ADA, "email": ["ada@example.com"]}), "email", "string"),
        (json.dumps({**ADA, "email": "ada"}), "email", "e-mail"),
        (json.dumps({**ADA, "email": "ada@"}), "email", "e-mail"),
        (json.dumps({**ADA, "email": "ada @example.com"}), "email", "e-mail"),
        (json.dumps({**ADA, "email": "a" * 250 + "@example.com"}), "email", "e-mail"),
    ],
    ids=lambda value: value[:30] if isinstance(value, str) else str(value),
)
def test_invalid_body_is_400_naming_the_field_and_writes_nothing(users_table, post, scan, body, field, message_part):
    status, _, answer = post(raw_body=body)
    assert status in (400, 413)
    assert set(answer) <= {"error", "field"}
    if field is not None:
        assert answer["field"] == field
    if message_part is not None:
        assert message_part in answer["error"]
    assert scan(users_table) == []


@pytest.mark.parametrize(
    "raw_body",
    ["***", "eyJ1c2VyX2lkIjog", base64.b64encode(b"\xff\xfe{}").decode(), "\x80"],  # last: found by the fuzz test
)
def test_bad_base64_body_is_400(users_table, post, scan, raw_body):
    status, _, body = post(raw_body=raw_body, base64_encoded=True)
    assert status == 400 and "error" in body
    assert scan(users_table) == []


def test_body_over_16_kib_is_413(users_table, post, scan):
    status, _, body = post({**ADA, "name": "x" * (16 * 1024)})
    assert status == 413 and "16384" in body["error"]
    assert scan(users_table) == []


# --- GET / DELETE /users/{id} ---------------------------------------------------------------------
@pytest.mark.parametrize("event_name", ["apigw_rest_get_user", "apigw_http_v2_get_user", "function_url_get"])
def test_get_user_from_every_event_shape(users_table, post, event, lambda_context, event_name):
    # GIVEN a stored user
    _, _, created = post(ADA)
    # WHEN it is fetched through a REST v1, HTTP API v2 or Function URL event
    status, _, body = invoke(event(event_name), lambda_context)
    # THEN all three shapes route to the same answer
    assert status == 200 and body == created


def test_http_api_named_stage_is_stripped_from_raw_path(users_table, post, event, lambda_context):
    _, _, created = post(ADA)
    request = event("apigw_http_v2_get_user")
    request["rawPath"] = "/prod/users/u-1001"
    request["requestContext"]["stage"] = "prod"
    assert invoke(request, lambda_context)[2] == created


def test_get_unknown_user_is_404(users_table, request_to):
    assert request_to("GET", "/users/nobody") == (
        404,
        {"Content-Type": "application/json"},
        {"error": "user not found"},
    )


@pytest.mark.parametrize("path_id", ["%2E%2E", "a%20b", "x" * 65, "-starts-with-dash", "ünï"])
def test_invalid_path_id_is_400(users_table, request_to, path_id):
    status, _, body = request_to("GET", f"/users/{path_id}")
    assert status == 400 and body["field"] == "id"


def test_delete_removes_user_and_second_delete_is_404(users_table, post, request_to, scan):
    post(ADA)
    status, headers, body = request_to("DELETE", "/users/u-1001")
    assert (status, body) == (204, None)
    assert "Content-Type" not in headers
    assert scan(users_table) == []
    assert request_to("DELETE", "/users/u-1001")[0] == 404


# --- GET /users (pagination) -----------------------------------------------------------------------
def test_list_pages_through_every_user_exactly_once(users_table, post, request_to):
    # GIVEN seven users
    expected = {f"u-{n}" for n in range(7)}
    for user_id in expected:
        assert post({"user_id": user_id, "name": "N", "email": f"{user_id}@example.com"})[0] == 201
    # WHEN pages of two are followed through the opaque next token
    seen: list[str] = []
    query = {"limit": "2"}
    for _ in range(20):
        status, _, page = request_to("GET", "/users", query=query)
        assert status == 200 and len(page["items"]) <= 2
        seen.extend(item["user_id"] for item in page["items"])
        if page["next"] is None:
            break
        query = {"limit": "2", "next": page["next"]}
    # THEN every user is listed once
    assert sorted(seen) == sorted(expected)


def test_list_defaults_to_twenty(users_table, post, request_to):
    for n in range(25):
        post({"user_id": f"u-{n}", "name": "N", "email": "n@example.com"})
    status, _, page = request_to("GET", "/users")
    assert status == 200 and len(page["items"]) == 20 and page["next"]


def _token(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": ""}, "limit"),
        ({"limit": "0000000000001"}, "limit"),
        ({"next": ""}, "next"),
        ({"next": "not-a-token!"}, "next"),
        ({"next": "x" * 600}, "next"),
        ({"next": base64.urlsafe_b64encode(b"\xff\xfe").decode()}, "next"),
        ({"next": _token([1, 2])}, "next"),
        ({"next": _token({"user_id": 7})}, "next"),
        ({"next": _token({"user_id": "u-1", "extra": 1})}, "next"),
        ({"next": _token({"email": "a@b.c"})}, "next"),
        ({"next": _token({"user_id": "../../etc"})}, "next"),
    ],
)
def test_invalid_pagination_params_are_400(users_table, request_to, query, field):
    status, _, body = request_to("GET", "/users", query=query)
    assert status == 400 and body["field"] == field


# --- methods, routes, CORS -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/users", "GET, POST, OPTIONS"),
        ("DELETE", "/users", "GET, POST, OPTIONS"),
        ("PATCH", "/users/u-1", "GET, DELETE, OPTIONS"),
        ("POST", "/users/u-1", "GET, DELETE, OPTIONS"),
        ("get", "/users", "GET, POST, OPTIONS"),  # methods are case-sensitive
    ],
)
def test_other_methods_are_405_with_allow_header(users_table, request_to, scan, method, path, allow):
    status, headers, body = request_to(method, path)
    assert status == 405 and headers["Allow"] == allow and body == {"error": "method not allowed"}
    assert scan(users_table) == []


@pytest.mark.parametrize("path", ["/", "/user", "/users/u-1/orders", "/admin", ""])
def test_unknown_paths_are_404(users_table, request_to, path):
    assert request_to("GET", path)[:1] == (404,)


def test_non_http_event_is_400(users_table, lambda_context):
    status, _, body = invoke({"Records": []}, lambda_context)
    assert status == 400 and body == {"error": "unsupported event"}


def test_no_cors_headers_when_not_configured(users_table, request_to):
    _, headers, _ = request_to("GET", "/users")
    assert not [name for name in headers if name.lower().startswith("access-control")]


def test_single_configured_origin_is_sent(users_table, request_to, cors):
    cors("https://app.example.com")
    assert request_to("GET", "/users")[1]["Access-Control-Allow-Origin"] == "https://app.example.com"


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [("https://app.example.com", True), ("https://admin.example.com", True), ("https://evil.example", False)],
)
def test_origin_allow_list_echoes_only_listed_origins(users_table, request_to, cors, origin, allowed):
    cors("https://app.example.com, https://admin.example.com")
    _, headers, _ = request_to("GET", "/users", headers={"Origin": origin})
    assert headers.get("Access-Control-Allow-Origin") == (origin if allowed else None)
    assert headers["Vary"] == "Origin"


def test_preflight_answers_with_allowed_methods(users_table, request_to, cors):
    cors("https://app.example.com")
    status, headers, body = request_to("OPTIONS", "/users/u-1")
    assert (status, body) == (204, None)
    assert headers["Allow"] == headers["Access-Control-Allow-Methods"] == "GET, DELETE, OPTIONS"
    assert headers["Access-Control-Allow-Origin"] == "https://app.example.com"


# --- 500: generic to the caller, detail in the log --------------------------------------------------------
@pytest.fixture
def captured_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    # users_api's logger does not propagate (see the module), so attach caplog's handler directly.
    users_api.LOGGER.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        users_api.LOGGER.removeHandler(caplog.handler)


def test_aws_failure_is_generic_500_with_detail_only_in_log(aws, monkeypatch, post, captured_log):
    # GIVEN the table does not exist
    monkeypatch.setenv("USERS_TABLE", "no-such-table")
    # WHEN a valid user is posted
    status, _, body = post(ADA)
    # THEN the caller learns nothing about the cause, and the log has it (with the traceback)
    assert status == 500 and body == {"error": "internal server error"}
    errors = [r for r in captured_log.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is not None
    assert "ResourceNotFoundException" in str(errors[0].exc_info[1])


def test_log_formatter_writes_one_json_object_per_line():
    record = logging.LogRecord("users_api", logging.INFO, __file__, 1, "request rejected", None, None)
    record.fields = {"status": 400}
    entry = json.loads(users_api._JsonFormatter().format(record))
    assert entry.pop("timestamp")
    assert entry == {"level": "INFO", "logger": "users_api", "message": "request rejected", "status": 400}


# --- the core is callable without any event ------------------------------------------------------------
def test_core_functions_take_the_table(users_table):
    created = users_api.create_user(users_table, dict(ADA), now="2024-01-12T10:15:30.123Z")
    assert users_api.get_user(users_table, "u-1001") == created
    assert users_api.list_users(users_table, limit=10)["items"] == [created]
    with pytest.raises(users_api.UserAlreadyExists):
        users_api.create_user(users_table, dict(ADA))
    users_api.delete_user(users_table, "u-1001")
    with pytest.raises(users_api.UserNotFound):
        users_api.get_user(users_table, "u-1001")
