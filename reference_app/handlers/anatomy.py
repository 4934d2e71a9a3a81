"""The anatomy of a Python handler, one small function per part: deploy each with ``function="..."``.

What it demonstrates
    - ``context_report``: every attribute of the context object Lambda passes, with its type
      (``memory_limit_in_mb`` is a string), and ``get_remaining_time_in_millis()``.
    - ``count``: module scope runs once per execution environment (the INIT phase); what it
      creates survives between warm invocations: a counter and an id for the environment.
      Never keep a request's data there: the next request in the environment would see it.
    - ``environment``: the function's own variables next to the ones Lambda defines
      (``AWS_REGION``, ``AWS_LAMBDA_FUNCTION_NAME``, ``_HANDLER``, ``TZ`` ...). The credential
      variables are reported as present or not, never echoed.
    - ``http_response``: the response shape per event source. A REST API (payload 1.0) needs
      ``statusCode``, ``headers`` and a string ``body``, and sets several cookies through
      ``multiValueHeaders``; an HTTP API (payload 2.0) or a function URL reads a ``cookies`` list.
    - ``bare_result``: a dict without ``statusCode``. Payload 2.0 infers 200, JSON, the dict as the
      body; a REST API answers 502 "Malformed Lambda proxy response".
    - ``log_lines``: logging through the root logger the runtime configures, at every level, with
      ``extra`` fields and ``logger.exception`` (the stack trace reaches the log, nothing reaches the caller).
    - ``scratch_space``: ``/tmp`` (``tempfile.gettempdir()``) keeps a file between warm invocations of
      one environment; its size is the function's ``EphemeralStorage`` (512 MB by default).

Trigger
    Direct ``Invoke``; ``http_response`` and ``bare_result`` behind an API Gateway REST API, an HTTP
    API and a function URL.

Environment
    ``GREETING`` optional (``environment`` returns it).

Notebooks
    02_handler.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
import uuid
from typing import Any

REQUIREMENTS = ()

logger = logging.getLogger()  # the root logger: the runtime gives it its handler, format and level

# --- module scope: runs once per execution environment ---------------------------------------------------
ENVIRONMENT_ID = uuid.uuid4().hex[:8]
STARTED_AT = time.time()
invocations = 0

LAMBDA_VARIABLES = (
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
    "_HANDLER",
    "TZ",
)
CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def _plain(value: Any) -> Any:
    """A context attribute as JSON can carry it (``identity`` is an object with two fields)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    names = [n for n in dir(value) if not n.startswith("_") and not callable(getattr(value, n))]
    return {name: _plain(getattr(value, name)) for name in names}  # the runtime's objects use __slots__


def context_report(event: Any, context: Any) -> dict:
    """Every public attribute of ``context``: its type and value; methods are named, and the
    remaining time is read."""
    report = {}
    for name in sorted(n for n in dir(context) if not n.startswith("_")):
        value = getattr(context, name)
        if callable(value):
            report[name] = {"type": "method", "value": None}
        else:
            report[name] = {"type": type(value).__name__, "value": _plain(value)}
    report["get_remaining_time_in_millis"]["value"] = context.get_remaining_time_in_millis()
    return report


def count(event: Any, context: Any) -> dict:
    """How many invocations this execution environment has served, and which environment it is."""
    global invocations
    invocations += 1
    return {
        "invocations": invocations,
        "environment": ENVIRONMENT_ID,
        "environment_age_s": round(time.time() - STARTED_AT, 3),
    }


def environment(event: Any, context: Any) -> dict:
    """The function's own variable, Lambda's variables, and which credential variables exist."""
    return {
        "GREETING": os.environ.get("GREETING"),
        "lambda": {name: os.environ[name] for name in LAMBDA_VARIABLES if name in os.environ},
        "credentials_present": {name: name in os.environ for name in CREDENTIAL_VARIABLES},
    }


def _request_line(event: dict) -> tuple[str, str, str]:
    """(payload format, method, path) of an API Gateway or function URL event."""
    if event.get("version") == "2.0":
        http = event.get("requestContext", {}).get("http", {})
        return "2.0", http.get("method", ""), event.get("rawPath", "")
    return event.get("version", "1.0"), event.get("httpMethod", ""), event.get("path", "")


def http_response(event: dict, context: Any) -> dict:
    """The full proxy response for the event's payload format, with two cookies."""
    version, method, path = _request_line(event)
    body = json.dumps({"payload_format": version, "method": method, "path": path})
    cookies = ["visited=yes; Path=/; Secure; HttpOnly", f"request={context.aws_request_id}; Path=/"]
    response: dict[str, Any] = {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": body}
    if version == "2.0":
        response["cookies"] = cookies  # payload 2.0: one list; Set-Cookie in headers holds only one
    else:
        response["multiValueHeaders"] = {"Set-Cookie": cookies}  # payload 1.0: repeated headers
    return response


def bare_result(event: dict, context: Any) -> dict:
    """No statusCode, no body: only payload 2.0 knows what to make of it."""
    return {"message": "no statusCode here", "payload_format": _request_line(event)[0]}


def log_lines(event: Any, context: Any) -> dict:
    """One line per level, one with extra fields, and one exception with its stack trace."""
    logger.debug("debug: only with a DEBUG log level")
    logger.info("info: an order arrived", extra={"order_id": "o-1"})
    logger.warning("warning: the gateway was slow")
    try:
        {}["card"]
    except KeyError:
        logger.exception("error: the order has no card")
    print("a print() line: no level, no request id in text format")
    return {"logged": True}


def scratch_space(event: Any, context: Any) -> dict:
    """Write ``event["name"]`` under the temp folder unless it is there already; say which."""
    path = os.path.join(tempfile.gettempdir(), f"lab-02-{event.get('name', 'scratch')}.txt")
    reused = os.path.exists(path)
    if not reused:
        with open(path, "w", encoding="utf-8") as out:
            out.write(context.aws_request_id)
    return {"folder": tempfile.gettempdir(), "reused": reused, "environment": ENVIRONMENT_ID}


def lambda_handler(event: Any, context: Any) -> dict:
    """The default entry point: the context report."""
    return context_report(event, context)
