"""Lambda's invocation payload limits and CloudWatch alarms on a function's metrics, as AWS applies them.

ministack accepts an ``Invoke`` of any size and answers with any size. Lambda does not
(https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html, and ``Invoke``'s
own page https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html): 6 MB for a synchronous
request and for its response, 1 MB for an asynchronous request (raised from 256 KB in October
2025: https://aws.amazon.com/blogs/compute/more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb/).
The figures and the wording of the errors are the ones Lambda answers with:

* a synchronous request over 6,291,456 bytes: HTTP 413 ``RequestEntityTooLargeException``,
  "Request must be smaller than 6291456 bytes for the InvokeFunction operation";
* an asynchronous request over 1,048,576 bytes: HTTP 413 ``RequestEntityTooLargeException``,
  "N byte payload is too large for the Event invocation type (limit 1048576 bytes)";
* a response over 6,291,556 bytes: the invocation fails (``FunctionError: Unhandled``) with
  ``errorType`` ``Function.ResponseSizeTooLarge``, "Response payload size (N bytes) exceeded
  maximum allowed payload size (6291556 bytes)."

ministack's CloudWatch evaluates an alarm over every series of its metric, whatever the
alarm's dimensions (an alarm on one function's ``Errors`` counts every function's), and only
when ``PutMetricData`` or ``PutMetricAlarm`` is called, so the ``AWS/Lambda`` metrics it records
for invocations never move an alarm. :func:`evaluate_alarm` reads only the series the alarm's
dimensions name, and :func:`patch_cloudwatch` evaluates the alarms on a metric when the emulator
records a point of it (AWS evaluates once a period; that difference is stated, ``alarm-evaluation``).
"""

from __future__ import annotations

import json
import time

SYNC_REQUEST_LIMIT = 6_291_456
ASYNC_REQUEST_LIMIT = 1_048_576
RESPONSE_LIMIT = 6_291_556


def _header(headers: dict, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def refuse_request(headers: dict, body: bytes | None) -> tuple[int, dict, bytes] | None:
    """Lambda's 413 answer to an ``Invoke`` body over its invocation type's limit, or None."""
    size = len(body or b"")
    kind = _header(headers, "X-Amz-Invocation-Type") or "RequestResponse"
    if kind == "Event" and size > ASYNC_REQUEST_LIMIT:
        message = f"{size} byte payload is too large for the Event invocation type (limit {ASYNC_REQUEST_LIMIT} bytes)"
    elif kind == "RequestResponse" and size > SYNC_REQUEST_LIMIT:
        message = f"Request must be smaller than {SYNC_REQUEST_LIMIT} bytes for the InvokeFunction operation"
    else:
        return None
    doc = {"Type": "User", "message": message}
    headers = {"Content-Type": "application/json", "X-Amzn-ErrorType": "RequestEntityTooLargeException"}
    return 413, headers, json.dumps(doc).encode()


def limit_response(answer: tuple) -> tuple:
    """A synchronous ``Invoke`` answer whose payload is over 6,291,556 bytes, made Lambda's error."""
    try:
        status, headers, body = answer
    except (TypeError, ValueError):
        return answer
    if status != 200 or not isinstance(body, bytes | bytearray) or len(body) <= RESPONSE_LIMIT:
        return answer
    headers = dict(headers or {})
    headers["X-Amz-Function-Error"] = "Unhandled"
    error = {
        "errorMessage": f"Response payload size ({len(body)} bytes) exceeded maximum allowed payload size "
        f"({RESPONSE_LIMIT} bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }
    return status, headers, json.dumps(error).encode()


# --- CloudWatch alarms ---------------------------------------------------------------------------------------
def _dimensions(alarm: dict) -> dict:
    dims = alarm.get("Dimensions") or []
    if isinstance(dims, dict):
        return dict(dims)
    return {d["Name"]: d.get("Value", "") for d in dims if isinstance(d, dict) and d.get("Name")}


def evaluate_alarm(cw, alarm: dict) -> None:
    """ministack's ``_evaluate_alarm``, reading only the series the alarm's dimensions name."""
    namespace, name = alarm.get("Namespace"), alarm.get("MetricName")
    if not namespace or not name:
        return
    wanted = cw._dims_key(_dimensions(alarm))
    points = [
        p for (ns, mn, key), pts in list(cw._metrics.items()) if (ns, mn, key) == (namespace, name, wanted) for p in pts
    ]
    cutoff = time.time() - alarm.get("Period", 60) * alarm.get("EvaluationPeriods", 1)
    recent = [p for p in points if p["Timestamp"] >= cutoff]
    if not recent:
        return
    stat = alarm.get("ExtendedStatistic") or alarm.get("Statistic", "Average")
    value = cw._stat_value(cw._calc_stats(recent), stat, recent)
    if value is None:
        return
    threshold, operator = alarm.get("Threshold", 0), alarm.get("ComparisonOperator", "")
    breaching = {
        "GreaterThanOrEqualToThreshold": value >= threshold,
        "GreaterThanThreshold": value > threshold,
        "LessThanThreshold": value < threshold,
        "LessThanOrEqualToThreshold": value <= threshold,
    }.get(operator, False)
    old, new = alarm["StateValue"], "ALARM" if breaching else "OK"
    if old == new:
        return
    reason = f"Threshold Crossed: {stat} {value} {operator} {threshold}"
    alarm.update(StateValue=new, StateReason=reason, StateUpdatedTimestamp=int(time.time()))
    cw._record_history(alarm["AlarmName"], old, new, reason)
    cw._dispatch_alarm_actions(alarm, old, new, reason)
    cw._evaluate_parent_alarms(alarm)


def patch_cloudwatch(cw) -> None:
    """Alarms read their own dimensions, and move when the emulator records a point of their metric."""
    record = cw.record_metric

    def _evaluate_alarm(alarm):
        return evaluate_alarm(cw, alarm)

    def record_metric(namespace, metric_name, value, unit="None", dimensions=None):
        record(namespace, metric_name, value, unit, dimensions)
        for alarm in list(cw._alarms.values()):
            if alarm.get("Namespace") == namespace and alarm.get("MetricName") == metric_name:
                try:
                    evaluate_alarm(cw, alarm)
                except Exception:  # as ministack's own: instrumentation never breaks the call
                    pass

    cw._evaluate_alarm = _evaluate_alarm
    cw.record_metric = record_metric
