"""The front door of a room's shared emulator: who a request is from, and what it may touch.

ministack trusts the access key a request names: a 12-digit key *is* the account, whatever
the secret. On an emulator a room shares that let anyone who learnt a classmate's account id
act in it. :func:`guard` wraps ministack's ASGI application so that, before ministack sees a
request:

* **a signed request is verified**: the access key must be an account the room issued
  (:mod:`reference_app.lab.accounts.credentials`) and the SigV4 signature (header or presigned query) must match
  that account's secret, recomputed with the emulator's own SigV4 code
  (``ministack.core.sigv4``). Otherwise: ``403`` ``InvalidClientTokenId`` or
  ``SignatureDoesNotMatch``. Other signing schemes are refused.
* **no request names another learner's account**: an ARN or queue URL in its path, query
  or body (not an S3 object's body) that names the account of another learner is refused
  with ``AccessDenied``, so a queue URL or function ARN is not a way into someone else's
  account. Accounts the room did not issue (AWS's own, in a public layer's ARN) are not
  anyone's and pass.
* **the internal endpoints answer the instructor only**: ``/_ministack/*`` and
  ``/_localstack/*`` (reset, config, every account's SQS and SES messages, function code)
  need the ``X-Lambda-Lab-Instructor`` header with the instructor's secret; the health and
  readiness probes, and CloudFormation's callback URLs (a secret token each), stay open.
* **unsigned requests** (an API's invoke URL, a function URL, the health probe) reach
  ministack as before: they run in the default account, which holds nobody's work.
"""

from __future__ import annotations

import hmac
import json
import re
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, unquote_plus

from ..accounts.credentials import INSTRUCTOR_HEADER, Reader

OPEN_PATHS = frozenset(
    {
        "/_ministack/health",
        "/_localstack/health",
        "/health",
        "/_ministack/ready",
        "/_localstack/info",
        "/_localstack/init",
    }
)
OPEN_PREFIXES = ("/_ministack/cfn-response/", "/_ministack/cfn-signal/")
INTERNAL_PREFIXES = ("/_ministack", "/_localstack")
_ARN_ACCOUNT = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):")
_URL_ACCOUNT = re.compile(r"https?://[^\s\"'/<>]+/(\d{12})/")
_PATH_ACCOUNT = re.compile(r"^/(\d{12})/")


def _deny(status: int, code: str, message: str, style: str = "json") -> tuple[int, dict, bytes]:
    """A refusal in the shape the caller's SDK parses: XML for S3 and the query protocol, else JSON."""
    if style in ("s3", "query"):
        error = f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{escape(message)}</Message></Error>"
        xml = error if style == "s3" else f"<ErrorResponse>{error}<RequestId>0</RequestId></ErrorResponse>"
        return status, {"content-type": "application/xml"}, xml.encode()
    body = json.dumps({"__type": code, "message": message}).encode()
    return status, {"content-type": "application/json", "x-amzn-errortype": code}, body


def _style(service: str, headers: dict[str, str], query: dict) -> str:
    if service == "s3":
        return "s3"
    if "x-www-form-urlencoded" in headers.get("content-type", "") or "Action" in query:
        return "query"
    return "json"


def internal(path: str) -> bool:
    return path.startswith(INTERNAL_PREFIXES) and path not in OPEN_PATHS and not path.startswith(OPEN_PREFIXES)


def named_accounts(text: str, *, path: bool = False) -> set[str]:
    found = set(_ARN_ACCOUNT.findall(text)) | set(_URL_ACCOUNT.findall(text))
    if path:
        found |= set(_PATH_ACCOUNT.findall(text))
    return found


def _scope_service(authorization: str, query: dict) -> str:
    """The service a request's credential scope names (``key/date/region/SERVICE/aws4_request``)."""
    credential = authorization.partition("Credential=")[2].split(",", 1)[0] if authorization else ""
    credential = credential or (query.get("X-Amz-Credential") or [""])[0]
    parts = credential.split("/")
    return parts[3] if len(parts) == 5 else ""


def peer_uid(client_port: int, server_port: int) -> int | None:
    """The Unix user of the process on the other end of a loopback TCP connection (from the kernel's
    socket tables, ``/proc/net/tcp``: the connection whose local port is the client's), or None."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if (
                len(fields) > 7
                and int(fields[1].rsplit(":", 1)[1], 16) == client_port
                and int(fields[2].rsplit(":", 1)[1], 16) == server_port
            ):
                return int(fields[7])
    return None


class Gate:
    """The checks of the module docstring, for one emulator and its room's credentials.

    ``owner_uid``: a hub learner's own emulator (:mod:`.hub`) also lets its owner's processes use
    the internal endpoints (``lambda-lab reset``), recognised by the Unix user at the other end of
    the connection; another learner is another user."""

    def __init__(self, reader: Reader, owner_uid: int | None = None):
        self.reader = reader
        self.owner_uid = owner_uid

    def _owner(self, peer: tuple[int, int] | None) -> bool:
        return self.owner_uid is not None and peer is not None and peer_uid(*peer) == self.owner_uid

    def check(
        self,
        method: str,
        raw_path: str,
        query_string: str,
        headers: dict[str, str],
        body: bytes,
        peer: tuple[int, int] | None = None,
    ) -> tuple[int, dict, bytes] | None:
        """None when the request may go on to ministack, else the answer that refuses it. ``peer`` is
        (client port, server port) of a loopback connection."""
        from ministack.core import sigv4

        path = unquote(raw_path.split("?", 1)[0])
        if internal(path):
            given = headers.get(INSTRUCTOR_HEADER, "")
            expected = self.reader.instructor_secret() or ""
            if self._owner(peer):
                return None
            if not (expected and hmac.compare_digest(given.encode(), expected.encode())):
                return _deny(403, "AccessDenied", "This endpoint of the room's emulator is the instructor's only.")
            return None
        query = parse_qs(query_string, keep_blank_values=True)
        authorization = headers.get("authorization", "")
        caller, service = "000000000000", _scope_service(authorization, query)
        style = _style(service, headers, query)
        if authorization or "X-Amz-Credential" in query or "AWSAccessKeyId" in query:
            presigned = not authorization
            sigv4_signed = "X-Amz-Credential" in query if presigned else authorization.startswith("AWS4-HMAC-SHA256 ")
            if not sigv4_signed:
                return _deny(403, "IncompleteSignature", "The room's emulator accepts SigV4 signatures only.", style)
            parsed = sigv4.parse_query_signature(query) if presigned else sigv4.parse_header_signature(headers)
            if isinstance(parsed, tuple):
                return _deny(403, parsed[0], parsed[1], style)
            secret = self.reader.secret(parsed.access_key_id)
            if secret is None:
                return _deny(
                    403,
                    "InvalidClientTokenId",
                    "The security token included in the request is invalid: use the credentials "
                    "the room gave you when you joined (lambda-lab room join).",
                    style,
                )
            failure = sigv4.header_signature_failure(
                parsed, secret, method, raw_path.split("?", 1)[0], query, headers, body, presigned=presigned
            )
            if failure is None and not presigned:
                failure = sigv4.request_time_failure(parsed)
            if failure is not None:
                return _deny(403, failure[0], failure[1], style)
            caller, service = parsed.access_key_id, parsed.service
        texts = [path, unquote(query_string)]
        if service != "s3":  # an object's bytes are data, not a reference to a resource
            text = body.decode("utf-8", "replace")
            if "x-www-form-urlencoded" in headers.get("content-type", ""):  # the query protocol (SNS, IAM, ...)
                text = unquote_plus(text)
            texts.append(text)
        named = set().union(*(named_accounts(t, path=(i == 0 and service != "s3")) for i, t in enumerate(texts)))
        foreign = {a for a in named if a != caller and self.reader.secret(a) is not None}
        if foreign:
            return _deny(403, "AccessDenied", "A request may name resources of its own account only.", style)
        return None


def guard(app: Any, gate: Gate) -> Any:
    """``app`` (ministack's ASGI application) behind ``gate``: HTTP requests are checked first, with
    their whole body (read once, then handed to ministack as it came)."""

    async def guarded(scope, receive, send):
        if scope.get("type") != "http":
            if scope.get("type") == "websocket":  # the shared emulator serves no WebSocket APIs (unverifiable)
                if (await receive()).get("type") == "websocket.connect":
                    await send({"type": "websocket.close", "code": 1008})
                return
            return await app(scope, receive, send)
        chunks, more, last = [], True, None
        while more:
            last = await receive()
            if last["type"] != "http.request":
                return
            chunks.append(last.get("body", b""))
            more = last.get("more_body", False)
        body = b"".join(chunks)
        headers: dict[str, str] = {}
        for name, value in scope.get("headers", []):
            key = name.decode("latin-1").lower()
            text = value.decode("utf-8", "replace")
            headers[key] = f"{headers[key]},{text}" if key in headers else text
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        client, server = scope.get("client"), scope.get("server")
        peer = (client[1], server[1]) if client and server else None
        refused = gate.check(
            scope["method"], raw_path, scope.get("query_string", b"").decode("latin-1"), headers, body, peer
        )
        if refused is not None:
            status, answer_headers, answer = refused
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(k.encode(), v.encode()) for k, v in answer_headers.items()]
                    + [(b"content-length", str(len(answer)).encode())],
                }
            )
            await send({"type": "http.response.body", "body": answer})
            return
        handed = False

        async def replay():
            nonlocal handed
            if not handed:
                handed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await app(scope, replay, send)

    return guarded
