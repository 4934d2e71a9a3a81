"""Lambda's payload limits, and alarms on a function's own dimensions, as the kit's runtime applies them."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace

import pytest

from reference_app.lab.emulator_patch import limits


@pytest.mark.parametrize(
    ("kind", "size", "refused"),
    [
        ("RequestResponse", limits.SYNC_REQUEST_LIMIT - 1, False),
        ("RequestResponse", limits.SYNC_REQUEST_LIMIT + 1, True),
        ("Event", limits.ASYNC_REQUEST_LIMIT - 1, False),
        ("Event", limits.ASYNC_REQUEST_LIMIT + 1, True),
        ("DryRun", limits.SYNC_REQUEST_LIMIT + 1, False),
    ],
)
def test_a_request_over_its_invocation_types_limit_is_refused_with_413(kind, size, refused):
    answer = limits.refuse_request({"x-amz-invocation-type": kind}, b"x" * size)
    assert (answer is not None) == refused
    if refused:
        status, headers, body = answer
        assert status == 413 and headers["X-Amzn-ErrorType"] == "RequestEntityTooLargeException"
        assert str(size if kind == "Event" else limits.SYNC_REQUEST_LIMIT) in json.loads(body)["message"]


def test_a_synchronous_invoke_without_a_type_header_has_the_synchronous_limit():
    assert limits.refuse_request({}, b"x" * (limits.ASYNC_REQUEST_LIMIT + 1)) is None
    assert limits.refuse_request({}, b"x" * (limits.SYNC_REQUEST_LIMIT + 1))[0] == 413


def test_a_response_over_6291556_bytes_becomes_function_response_size_too_large():
    ok = (200, {"Content-Type": "application/json"}, b"x" * limits.RESPONSE_LIMIT)
    assert limits.limit_response(ok) is ok
    status, headers, body = limits.limit_response((200, {}, b"x" * (limits.RESPONSE_LIMIT + 1)))
    assert status == 200 and headers["X-Amz-Function-Error"] == "Unhandled"
    error = json.loads(body)
    assert error["errorType"] == "Function.ResponseSizeTooLarge"
    assert f"({limits.RESPONSE_LIMIT + 1} bytes)" in error["errorMessage"]
    assert limits.limit_response((429, {}, b"x" * (limits.RESPONSE_LIMIT + 1)))[0] == 429


class _FakeCloudWatch(SimpleNamespace):
    """The few ministack.services.cloudwatch names evaluate_alarm uses."""

    def __init__(self):
        from statistics import fmean

        super().__init__(_metrics={}, _alarms={}, history=[])
        self._dims_key = lambda dims: "|".join(f"{k}={v}" for k, v in sorted(dims.items()))
        self._calc_stats = lambda pts: {"Sum": sum(p["Value"] for p in pts), "Average": fmean(p["Value"] for p in pts)}
        self._stat_value = lambda stats, name, pts=None: stats.get(name)
        self._record_history = lambda name, old, new, reason: self.history.append((old, new))
        self._dispatch_alarm_actions = lambda *a: None
        self._evaluate_parent_alarms = lambda alarm: None

    def record(self, function: str, value: float) -> None:
        key = ("AWS/Lambda", "Errors", self._dims_key({"FunctionName": function}))
        self._metrics.setdefault(key, []).append({"Timestamp": time.time(), "Value": value})


def _alarm(function: str) -> dict:
    return {
        "AlarmName": f"{function}-errors",
        "Namespace": "AWS/Lambda",
        "MetricName": "Errors",
        "Statistic": "Sum",
        "Dimensions": [{"Name": "FunctionName", "Value": function}],
        "Period": 60,
        "EvaluationPeriods": 1,
        "Threshold": 3,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "StateValue": "INSUFFICIENT_DATA",
    }


def test_an_alarm_counts_only_the_function_its_dimensions_name():
    cw = _FakeCloudWatch()
    quiet, noisy = _alarm("quiet"), _alarm("noisy")
    cw.record("quiet", 0)
    for _ in range(5):
        cw.record("noisy", 1)
    limits.evaluate_alarm(cw, quiet)
    limits.evaluate_alarm(cw, noisy)
    assert quiet["StateValue"] == "OK" and noisy["StateValue"] == "ALARM"
    assert cw.history == [("INSUFFICIENT_DATA", "OK"), ("INSUFFICIENT_DATA", "ALARM")]


def test_a_recorded_point_moves_the_alarms_on_its_metric():
    cw = _FakeCloudWatch()
    cw.record_metric = lambda ns, name, value, unit="None", dimensions=None: cw._metrics.setdefault(
        (ns, name, cw._dims_key(dimensions or {})), []
    ).append({"Timestamp": time.time(), "Value": value})
    alarm = cw._alarms["a"] = _alarm("fn")
    limits.patch_cloudwatch(cw)
    for _ in range(3):
        cw.record_metric("AWS/Lambda", "Errors", 1, "Count", {"FunctionName": "fn"})
    assert alarm["StateValue"] == "ALARM"
