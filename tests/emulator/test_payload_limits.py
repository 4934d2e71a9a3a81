"""Lambda's payload limits at their boundaries, and an alarm on one function's errors, on the embedded emulator.

Each asserts what AWS answers (``reference_app/lab/emulator_patch/limits.py`` cites the pages), with
the kit's ordinary deploy and invoke calls, so the same test passes against AWS.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from reference_app.lab import deploy
from reference_app.lab.clients import client
from reference_app.lab.emulator_patch import limits

SIZE = Path(__file__).parent / "fixtures" / "size_handler.py"


@pytest.fixture(scope="module")
def echo(backend) -> str:
    return deploy.deploy_function("rt-limits", SIZE, backend=backend).name


def _body(size: int) -> bytes:
    body = json.dumps({"p": "x" * (size - 9)}).encode()
    assert len(body) == size
    return body


@pytest.mark.parametrize(
    ("kind", "limit"), [("RequestResponse", limits.SYNC_REQUEST_LIMIT), ("Event", limits.ASYNC_REQUEST_LIMIT)]
)
def test_one_byte_under_the_request_limit_runs_one_byte_over_is_refused(backend, echo, kind, limit):
    lam = client("lambda", backend)
    assert lam.invoke(FunctionName=echo, InvocationType=kind, Payload=_body(limit - 1))["StatusCode"] in (200, 202)
    with pytest.raises(ClientError) as refused:
        lam.invoke(FunctionName=echo, InvocationType=kind, Payload=_body(limit + 1))
    assert refused.value.response["Error"]["Code"] == "RequestEntityTooLargeException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413


def test_an_alarm_on_one_functions_errors_ignores_another_functions(backend, echo):
    cw = client("cloudwatch", backend)
    cw.put_metric_alarm(
        AlarmName="rt-limits-errors",
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Statistic="Sum",
        Dimensions=[{"Name": "FunctionName", "Value": "rt-limits-nobody"}],
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    cw.put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {"MetricName": "Errors", "Value": 5, "Dimensions": [{"Name": "FunctionName", "Value": "rt-limits-other"}]}
        ],
    )
    alarm = cw.describe_alarms(AlarmNames=["rt-limits-errors"])["MetricAlarms"][0]
    assert alarm["StateValue"] == "INSUFFICIENT_DATA"
    cw.delete_alarms(AlarmNames=["rt-limits-errors"])


def test_a_response_one_byte_over_the_limit_fails_as_response_size_too_large(backend, echo):
    lam = client("lambda", backend)
    under = lam.invoke(FunctionName=echo, Payload=json.dumps({"bytes": limits.RESPONSE_LIMIT - 2}).encode())
    assert "FunctionError" not in under and len(under["Payload"].read()) == limits.RESPONSE_LIMIT  # "x...x" in quotes
    over = lam.invoke(FunctionName=echo, Payload=json.dumps({"bytes": limits.RESPONSE_LIMIT - 1}).encode())
    assert over["FunctionError"] == "Unhandled"
    assert json.loads(over["Payload"].read())["errorType"] == "Function.ResponseSizeTooLarge"
