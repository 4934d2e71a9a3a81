"""Asynchronous invocation on the embedded emulator, as Lambda runs it (emulator_patch/async_invoke.py).

Every attempt of one event runs under one request id; after the last, the dead-letter
queue gets the event with its three attributes and the on-failure destination gets the
invocation record, both when both are configured.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from reference_app.lab import deploy, logs, reference_deploys
from reference_app.lab.clients import client
from reference_app.lab.poll import attempts

PROBE = Path(__file__).parent / "fixtures" / "runtime_probe.py"


def _queue(backend, name: str) -> tuple[str, str]:
    url = reference_deploys.ensure_queue(name, backend)
    sqs = client("sqs", backend)
    sqs.purge_queue(QueueUrl=url)
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _receive(backend, url: str) -> dict:
    sqs = client("sqs", backend)
    for _ in attempts(10, first=0.2, cap=0.5):
        found = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], WaitTimeSeconds=0)
        if found.get("Messages"):
            return found["Messages"][0]
    pytest.fail(f"nothing arrived in {url}")


def test_a_failing_event_is_retried_under_one_request_id_then_parked_in_both_places(backend):
    dlq_url, dlq_arn = _queue(backend, "async-test-dlq")
    dest_url, dest_arn = _queue(backend, "async-test-destination")
    dep = deploy.deploy_function("async-probe", PROBE, backend=backend, DeadLetterConfig={"TargetArn": dlq_arn})
    name = dep.name
    client("lambda", backend).put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=1, DestinationConfig={"OnFailure": {"Destination": dest_arn}}
    )
    since = int(time.time() * 1000)
    answer = client("lambda", backend).invoke(
        FunctionName=name, InvocationType="Event", Payload=json.dumps({"action": "raise"})
    )
    request_id = answer["ResponseMetadata"]["RequestId"]
    assert answer["StatusCode"] == 202

    runs = logs.wait_for_invocations(name, count=2, since_ms=since, timeout_s=15, backend=backend)
    assert [run.request_id for run in runs] == [request_id, request_id]  # two attempts, one id

    record = json.loads(_receive(backend, dest_url)["Body"])
    assert record["requestContext"] == {
        "requestId": request_id,
        "functionArn": f"{dep.arn}:$LATEST",
        "condition": "RetriesExhausted",
        "approximateInvokeCount": 2,
    }
    assert record["requestPayload"] == {"action": "raise"}
    assert record["responsePayload"]["errorType"] == "PaymentDeclined"

    parked = _receive(backend, dlq_url)
    assert json.loads(parked["Body"]) == {"action": "raise"}
    assert {k: v["StringValue"] for k, v in parked["MessageAttributes"].items()} == {
        "RequestID": request_id,
        "ErrorCode": "200",
        "ErrorMessage": "card declined",
    }


def test_no_retries_and_an_on_success_destination(backend):
    dest_url, dest_arn = _queue(backend, "async-test-success")
    name = deploy.deploy_function("async-probe-ok", PROBE, backend=backend).name
    client("lambda", backend).put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0, DestinationConfig={"OnSuccess": {"Destination": dest_arn}}
    )
    client("lambda", backend).invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"action": "print"}))
    record = json.loads(_receive(backend, dest_url)["Body"])
    context = record["requestContext"]
    assert context["condition"] == "Success" and context["approximateInvokeCount"] == 1
    assert record["requestPayload"] == {"action": "print"}
