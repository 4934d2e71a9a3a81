"""Asynchronous invocation as Lambda runs it: ministack 1.5.33's ``invoke_async_with_retry``, replaced.

An ``InvocationType=Event`` invoke (and an S3 notification) goes through this: the function runs,
and is retried on an error up to ``MaximumRetryAttempts`` (2 by default) within
``MaximumEventAgeInSeconds``; then the event goes where the function's configuration says.
What ministack does differently, and what runs here instead (AWS's pages:
invocation-async-error-handling.html, invocation-async-retain-records.html):

- **one request id per event**, every attempt under it (ministack gave an S3 event's retries new ones);
- **the dead-letter queue gets the event itself**, unchanged, with the message attributes
  ``RequestID``, ``ErrorCode`` and ``ErrorMessage`` (at most 1 KB); ministack sent it the
  destination's invocation record;
- **the on-failure destination gets the invocation record**: ``version``, ``timestamp``,
  ``requestContext`` (request id, the function's ARN with ``$LATEST``, ``condition``, and
  ``approximateInvokeCount``: the attempts that ran), ``requestPayload``, ``responseContext``,
  ``responsePayload``; ministack always said 3 attempts and left out the rest;
- **both** get theirs when both are configured (ministack: the destination only), and an
  **on-success destination** gets a record with ``condition: Success`` (ministack: never).

What stays ministack's: the wait between attempts. Lambda waits about one minute, then two;
ministack waits ``LAMBDA_ASYNC_RETRY_BASE_SECONDS`` (1 s), doubling each time (1 s, then 2 s:
AWS's spacing divided by 60), read by the emulator when it starts. ``async-retry-spacing`` in
:mod:`reference_app.lab.known_differences` says so.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import threading
import time
import uuid
from typing import Any

logger = logging.getLogger("lambda_lab.runtime")

DEFAULT_RETRIES = 2
DEFAULT_EVENT_AGE_S = 21600
MAX_ERROR_MESSAGE_BYTES = 1024


def retry_delays(attempts: int, base_s: float, cap_s: float) -> list[float]:
    """The waits before attempts 2, 3 ...: ``base``, ``2 * base`` ..., each at most ``cap``."""
    return [min(base_s * 2**n, cap_s) for n in range(max(0, attempts - 1))]


def iso_now(now: float | None = None) -> str:
    """``2019-11-14T18:16:05.568Z``, the record's timestamp format."""
    now = time.time() if now is None else now
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"


def invocation_record(
    function_arn: str,
    request_id: str,
    condition: str,
    attempts: int,
    event: Any,
    result: dict,
    now: float | None = None,
) -> dict:
    """The invocation record a destination receives (invocation-async-retain-records.html)."""
    failed = condition != "Success"
    response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if failed:
        response["functionError"] = "Unhandled"
    return {
        "version": "1.0",
        "timestamp": iso_now(now),
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"{function_arn}:$LATEST",
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": event,
        "responseContext": response,
        "responsePayload": result.get("body"),
    }


def dlq_message(event: Any, request_id: str, error: Any) -> tuple[str, dict]:
    """The dead-letter queue's message: the event, unchanged, and three attributes."""
    message = error.get("errorMessage", "") if isinstance(error, dict) else str(error or "")
    message = message.encode()[:MAX_ERROR_MESSAGE_BYTES].decode(errors="ignore") or "Unhandled"
    attributes = {
        "RequestID": {"DataType": "String", "StringValue": request_id},
        "ErrorCode": {"DataType": "Number", "StringValue": "200"},
        "ErrorMessage": {"DataType": "String", "StringValue": message},
    }
    return json.dumps(event), attributes


def _settings(func: dict) -> tuple[int, int, dict, str]:
    config = func.get("config") or func
    eic = func.get("event_invoke_config") or (func.get("event_invoke_configs") or {}).get("$LATEST") or {}
    retries = eic.get("MaximumRetryAttempts")
    retries = DEFAULT_RETRIES if retries is None else int(retries)
    age = int(eic.get("MaximumEventAgeInSeconds") or DEFAULT_EVENT_AGE_S)
    dlq = (config.get("DeadLetterConfig") or {}).get("TargetArn") or ""
    return retries, age, eic.get("DestinationConfig") or {}, dlq


def messages(
    function_arn: str,
    request_id: str,
    condition: str,
    attempts: int,
    event: Any,
    result: dict,
    destinations: dict,
    dlq: str,
) -> list[tuple[str, str, dict | None]]:
    """``(target ARN, body, message attributes)`` for each place the outcome of an event goes."""
    record = json.dumps(invocation_record(function_arn, request_id, condition, attempts, event, result))
    if condition == "Success":
        success = (destinations.get("OnSuccess") or {}).get("Destination")
        return [(success, record, None)] if success else []
    found: list[tuple[str, str, dict | None]] = []
    failure = (destinations.get("OnFailure") or {}).get("Destination")
    if failure:
        found.append((failure, record, None))
    if dlq:
        found.append((dlq, *dlq_message(event, request_id, result.get("body"))))
    return found


def deliver(svc, target: str, body: str, attributes: dict | None, func_name: str) -> None:
    """Send one message to an SQS queue, an SNS topic or (asynchronously) a function."""
    from ministack.core.arn import ArnParseError, parse_arn

    try:
        spec = parse_arn(target)
    except ArnParseError:
        logger.warning("%s: %s is not an ARN; nothing delivered", func_name, target)
        return
    if spec.service == "sqs":
        import ministack.services.sqs as sqs

        url = sqs._queue_url(svc._sqs_queue_name_from_arn_spec(spec) or "")
        request = {"QueueUrl": url, "MessageBody": body}
        if attributes:
            request["MessageAttributes"] = attributes
        sqs._act_send_message(request, url)
    elif spec.service == "sns":
        import ministack.services.sns as sns

        sns._fanout(target, str(uuid.uuid4()), body, "Lambda asynchronous invocation", "", attributes or {})
    elif spec.service == "lambda":
        dest, _config, _name = svc._get_func_record_for_ref(target)
        if dest is None:
            logger.warning("%s: destination function %s not found", func_name, target)
            return
        svc.invoke_async_with_retry(dest, json.loads(body))
    else:
        logger.warning("%s: destination %s is not supported by the emulator", func_name, target)


def run(svc, func: dict, event: Any, delays: list[float]) -> tuple[str, int, dict]:
    """Attempt the event (the first at once, then after each of ``delays``) until it succeeds,
    the retries run out or its age would pass ``MaximumEventAgeInSeconds``; return
    ``(condition, attempts, last result)``."""
    _retries, max_age, _destinations, _dlq = _settings(func)
    started, attempts = time.time(), 0
    result: dict = {}
    for delay in [0.0, *delays]:
        if time.time() - started + delay > max_age:
            return "EventAgeExceeded", attempts, result
        time.sleep(delay)
        result = svc._execute_function(func, event)
        attempts += 1
        if not result.get("error"):
            return "Success", attempts, result
    return "RetriesExhausted", attempts, result


def install(svc, http_invoke: contextvars.ContextVar) -> None:
    """Replace ministack's asynchronous path in ``ministack.services.lambda_svc``."""
    base_s = float(os.environ.get("LAMBDA_ASYNC_RETRY_BASE_SECONDS", "1"))
    cap_s = float(os.environ.get("LAMBDA_ASYNC_RETRY_MAX_SECONDS", "30"))

    def handle(func: dict, event: Any, request_id: str) -> None:
        config = func.get("config") or func
        name = config.get("FunctionName", "unknown")
        http_invoke.set({"request_id": request_id, "function": name})  # every attempt runs under this id
        retries, _age, destinations, dlq = _settings(func)
        condition, attempts, result = run(svc, func, event, retry_delays(retries + 1, base_s, cap_s))
        outcome = messages(
            config.get("FunctionArn", ""), request_id, condition, attempts, event, result, destinations, dlq
        )
        for target, body, attributes in outcome:
            try:
                deliver(svc, target, body, attributes, name)
            except Exception:  # as Lambda: a failed delivery never fails the invocation
                logger.exception("%s: delivering to %s failed", name, target)

    def invoke_async_with_retry(func: dict, event: Any) -> None:
        config = func.get("config") or func
        name = config.get("FunctionName")
        call = http_invoke.get()
        request_id = call["request_id"] if call is not None and call.get("function", name) == name else None
        request_id = request_id or str(uuid.uuid4())
        try:
            account, region = svc._account_region_from_function_config(config)
        except Exception:
            account = region = None

        def scoped() -> None:
            if account:
                svc._request_account_id.set(account)
                svc._request_region.set(region)
            handle(func, event, request_id)

        context = contextvars.copy_context()
        threading.Thread(target=context.run, args=(scoped,), name="lambda-lab-async", daemon=True).start()

    svc.invoke_async_with_retry = invoke_async_with_retry
