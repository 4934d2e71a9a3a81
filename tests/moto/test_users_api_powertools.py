"""users_api_powertools: the same service with APIGatewayRestResolver + a parser model."""

from __future__ import annotations

import copy
import importlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from reference_app.handlers import users_api, users_api_powertools

ADA = {"user_id": "u-1001", "name": "Ada Lovelace", "email": "ada@example.com"}


@pytest.fixture
def call(event: Callable[[str], dict[str, Any]], lambda_context: Any) -> Callable[..., tuple[int, dict[str, str], Any]]:
    """``call("POST", "/users", body=...)`` through a REST v1 event."""

    def send(
        method: str, path: str, *, body: Any = None, raw_body: str | None = None, query: dict[str, str] | None = None
    ):
        request = event("apigw_rest_post_user" if method == "POST" else "apigw_rest_get_user")
        request.update(httpMethod=method, path=path, queryStringParameters=query, pathParameters=None)
        request["requestContext"]["httpMethod"] = method
        request["body"] = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
        response = users_api_powertools.lambda_handler(request, lambda_context)
        payload = json.loads(response["body"]) if response.get("body") else None
        # The REST resolver answers with multiValueHeaders (API Gateway v1 accepts both forms).
        headers = {name: ", ".join(values) for name, values in (response.get("multiValueHeaders") or {}).items()}
        return response["statusCode"], {**headers, **(response.get("headers") or {})}, payload

    return send


def test_post_creates_user(users_table, call, scan):
    status, _, body = call("POST", "/users", body=ADA)
    assert status == 201
    assert {k: body[k] for k in ADA} == ADA and body["created_at"].endswith("Z")
    assert scan(users_table) == [body]


def test_duplicate_is_409_and_original_untouched(users_table, call, scan):
    call("POST", "/users", body=ADA)
    original = scan(users_table)
    status, _, body = call("POST", "/users", body={**ADA, "name": "Impostor"})
    assert status == 409 and body == {"statusCode": 409, "message": "user already exists"}
    assert scan(users_table) == original


@pytest.mark.parametrize(
    ("raw_body", "where"),
    [
        ("{oops", "body"),
        ("[]", "body"),
        (json.dumps({"name": "Ada", "email": "ada@example.com"}), "user_id"),
        (json.dumps({**ADA, "role": "admin"}), "role"),
        (json.dumps({**ADA, "user_id": 7}), "user_id"),
        (json.dumps({**ADA, "name": ""}), "name"),
        (json.dumps({**ADA, "name": "tab\there"}), "name"),
        (json.dumps({**ADA, "email": "not-an-email"}), "email"),
    ],
)
def test_invalid_body_is_400_and_writes_nothing(users_table, call, scan, raw_body, where):
    status, _, body = call("POST", "/users", raw_body=raw_body)
    assert status == 400 and body["message"].startswith(where)
    for echoed in ("admin", "not-an-email", "tab\there", "oops"):  # the offending input is never echoed
        assert echoed not in body["message"]
    assert scan(users_table) == []


def test_unknown_field_name_is_not_echoed_in_full(users_table, call, scan):
    status, _, body = call("POST", "/users", body={**ADA, "x" * 10_000: 1})
    assert status == 400 and len(body["message"]) < 200
    assert scan(users_table) == []


def test_get_and_delete(users_table, call, scan):
    _, _, created = call("POST", "/users", body=ADA)
    assert call("GET", "/users/u-1001") == (200, {"Content-Type": "application/json"}, created)
    assert call("DELETE", "/users/u-1001")[0] == 204
    assert scan(users_table) == []
    assert call("GET", "/users/u-1001")[0] == 404
    assert call("DELETE", "/users/u-1001")[0] == 404


def test_list_pages_through_every_user_once(users_table, call):
    expected = {f"u-{n}" for n in range(5)}
    for user_id in expected:
        call("POST", "/users", body={"user_id": user_id, "name": "N", "email": "n@example.com"})
    seen, query = [], {"limit": "2"}
    for _ in range(10):
        status, _, page = call("GET", "/users", query=query)
        assert status == 200
        seen.extend(item["user_id"] for item in page["items"])
        if not page["next"]:
            break
        query = {"limit": "2", "next": page["next"]}
    assert sorted(seen) == sorted(expected)


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "x"}, {"next": "%%%"}, {"next": "Li4vZXRj"}])
def test_bad_query_is_400(users_table, call, query):
    assert call("GET", "/users", query=query)[0] == 400


@pytest.mark.parametrize(("method", "path"), [("PUT", "/users"), ("PATCH", "/users/u-1"), ("POST", "/users/u-1")])
def test_other_methods_are_405_with_allow(users_table, call, method, path):
    status, headers, _ = call(method, path)
    assert status == 405 and "GET" in headers["Allow"]


def test_sdk_failure_is_generic_500(aws, monkeypatch, call):
    monkeypatch.setenv("USERS_TABLE", "no-such-table")
    status, _, body = call("GET", "/users/u-1")
    assert status == 500 and body == {"statusCode": 500, "message": "internal server error"}


@pytest.fixture
def reload_with_cors(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    def reload(origin: str) -> None:
        monkeypatch.setenv("CORS_ALLOW_ORIGIN", origin)
        importlib.reload(users_api_powertools)

    yield reload
    monkeypatch.delenv("CORS_ALLOW_ORIGIN", raising=False)
    importlib.reload(users_api_powertools)  # back to the import-time default (no CORS)


def test_cors_origin_comes_from_environment(users_table, call, reload_with_cors):
    assert "Access-Control-Allow-Origin" not in call("GET", "/users")[1]
    reload_with_cors("https://app.example.com")
    assert call("GET", "/users")[1]["Access-Control-Allow-Origin"] == "https://app.example.com"


def test_base64_encoded_body_is_decoded_before_parsing(users_table, event, lambda_context, scan):
    # GIVEN the POST as API Gateway sends it for a binary media type: the JSON body base64-encoded
    request = event("apigw_rest_post_user_base64")
    assert request["isBase64Encoded"] is True
    # WHEN the Powertools twin handles it
    response = users_api_powertools.lambda_handler(request, lambda_context)
    # THEN the user is created, exactly as users_api does for the same event
    assert response["statusCode"] == 201, response["body"]
    assert [item["user_id"] for item in scan(users_table)] == ["u-1001"]


# --- issue 8.11: client errors are 4xx, never an exception (502) -------------------------------------------
@pytest.mark.parametrize(
    "limit",
    # superscript two, Arabic-Indic "10", mathematical double-struck "10": str.isdigit() is True for all
    # three; int() raises on the first and reads the others as 10
    ["\u00b2", "\u0661\u0660", "\U0001d7d9\U0001d7d8", " 10", "10\n", "+10", "1_0", "", "101", "0010"],
)
def test_limit_that_is_not_ascii_digits_1_to_100_is_400(users_table, call, limit):
    status, _, body = call("GET", "/users", query={"limit": limit})
    assert status == 400 and body["message"].startswith("limit")


def test_body_over_16_kib_is_413_before_it_is_parsed(users_table, call, scan, monkeypatch):
    parsed: list[int] = []
    loads = json.loads
    monkeypatch.setattr(json, "loads", lambda text, **kw: (parsed.append(len(text)), loads(text, **kw))[1])
    status, _, body = call("POST", "/users", raw_body=json.dumps({**ADA, "name": "x" * (11 * 1024 * 1024)}))
    assert status == 413 and "16384" in body["message"]
    assert max(parsed) <= 16 * 1024, "the 11 MB body was handed to the JSON parser"
    assert scan(users_table) == []


@pytest.mark.parametrize(("path", "allow"), [("/users", "GET, POST, OPTIONS"), ("/users/u-1", "GET, DELETE, OPTIONS")])
def test_options_without_cors_is_204_with_allow(users_table, call, path, allow):
    status, headers, body = call("OPTIONS", path)
    assert (status, body) == (204, None) and headers["Allow"] == allow
    assert not [name for name in headers if name.lower().startswith("access-control")]


def test_http_api_v2_events_are_served(users_table, event, lambda_context, scan):
    # GIVEN users_api's own v2 sample events (HTTP API payload 2.0)
    created = users_api_powertools.lambda_handler(event("apigw_http_v2_post_user_base64"), lambda_context)
    fetched = users_api_powertools.lambda_handler(event("apigw_http_v2_get_user"), lambda_context)
    # THEN they are routed like the REST ones
    assert (created["statusCode"], fetched["statusCode"]) == (201, 200), (created, fetched)
    assert json.loads(fetched["body"]) == scan(users_table)[0]


@pytest.mark.parametrize("name", ["s3_put", "sqs_batch_one_bad", "eventbridge_scheduled"])
def test_non_http_event_is_a_clean_400(users_table, event, lambda_context, name):
    response = users_api_powertools.lambda_handler(event(name), lambda_context)
    assert response["statusCode"] == 400
    assert json.loads(response["body"]) == {"statusCode": 400, "message": "unsupported event"}


@pytest.mark.parametrize(("method", "path"), [("get", "/users"), ("Delete", "/users/u-1"), ("HEAD", "/users")])
def test_methods_are_case_sensitive_like_users_api(users_table, call, method, path):
    # Powertools upper-cases the method before routing; HTTP methods are case-sensitive (RFC 9110)
    status, headers, _ = call(method, path)
    assert status == 405 and "GET" in headers["Allow"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/users//", 200),  # trailing slashes: the REST resolver ignores them, so users_api does too
        ("GET", '/users/a"b', 400),  # an id the route pattern refuses is still "invalid id", not 404/405
        ("PATCH", '/users/a"b', 405),
        ("OPTIONS", '/users/a"b', 204),
        ("GET", "/users/u-1\n", 400),  # the route regex's "$" would match before "\n": user "u-1"
        ("GET", "/users\n", 400),
        ("options", "/users", 405),
        ("OPTIONS", "/admin", 404),  # Powertools' own preflight answers 204 on any path (with CORS)
        ("POST", "/users/u-1", 405),
        ("GET", "/Users", 404),
    ],
)
@pytest.mark.parametrize("cors", [None, "https://app.example.com"])
def test_twins_agree_on_routing_corners(users_table, event, lambda_context, monkeypatch, method, path, status, cors):
    if cors:
        monkeypatch.setenv("CORS_ALLOW_ORIGIN", cors)
    importlib.reload(users_api_powertools)
    try:
        request = event("apigw_rest_get_user")
        request.update(httpMethod=method, path=path, pathParameters=None)
        raw = users_api.lambda_handler(copy.deepcopy(request), lambda_context)
        twin = users_api_powertools.lambda_handler(copy.deepcopy(request), lambda_context)
    finally:
        monkeypatch.delenv("CORS_ALLOW_ORIGIN", raising=False)
        importlib.reload(users_api_powertools)
    twin_headers = {name: ", ".join(values) for name, values in twin["multiValueHeaders"].items()}
    assert raw["statusCode"] == twin["statusCode"] == status
    assert raw["headers"].get("Allow") == twin_headers.get("Allow")
    assert raw["headers"].get("Access-Control-Allow-Origin") == twin_headers.get("Access-Control-Allow-Origin")
