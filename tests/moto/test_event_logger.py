"""event_logger: logs each event as it arrived and answers in the shape its trigger expects."""

from __future__ import annotations

import base64
import copy
import json

import pytest

from reference_app.handlers import event_logger


def logged_event(capsys: pytest.CaptureFixture[str]) -> dict:
    (line,) = [json.loads(text) for text in capsys.readouterr().out.splitlines() if text.startswith("{")]
    assert line["message"] == "event received"
    return line["event"]


@pytest.mark.parametrize("name", ["apigw_rest_get_user", "apigw_http_v2_get_user", "function_url_get"])
def test_http_events_get_a_proxy_response_and_are_logged_whole(name, event, lambda_context, capsys):
    # GIVEN an HTTP event (REST payload 1.0, HTTP API or function URL payload 2.0)
    incoming = event(name)
    # WHEN it is handled
    response = event_logger.lambda_handler(copy.deepcopy(incoming), lambda_context)
    # THEN the answer is a proxy response naming the payload format, and the log holds the whole event
    body = json.loads(response["body"])
    assert response["statusCode"] == 200 and response["headers"]["Content-Type"] == "application/json"
    assert body["payload_format"] == ("1.0" if name.startswith("apigw_rest") else "2.0")
    assert body["method"] == "GET"
    assert logged_event(capsys) == incoming


def test_an_sqs_batch_reports_only_the_records_that_contain_the_marker(event, lambda_context, monkeypatch):
    # GIVEN a batch of three messages, one of them poisoned, and a marker configured
    batch = event("sqs_batch_one_bad")
    for record, body in zip(batch["Records"], ["ok", "poison pill", "ok too"], strict=False):
        record["body"] = body
    monkeypatch.setenv("FAIL_WHEN_CONTAINS", "poison")
    # WHEN it is handled
    response = event_logger.lambda_handler(batch, lambda_context)
    # THEN only the poisoned message is reported, by its messageId
    poisoned = [r["messageId"] for r in batch["Records"] if r["body"] == "poison pill"]
    assert response == {"batchItemFailures": [{"itemIdentifier": m} for m in poisoned]}


def test_stream_records_are_reported_by_sequence_number(event, lambda_context, monkeypatch):
    # GIVEN a Kinesis batch whose second record carries the marker (base64-encoded, as Kinesis sends it)
    batch = event("kinesis_batch")
    batch["Records"][-1]["kinesis"]["data"] = base64.b64encode(b'{"state": "poison"}').decode()
    monkeypatch.setenv("FAIL_WHEN_CONTAINS", "poison")
    # WHEN it is handled
    response = event_logger.lambda_handler(batch, lambda_context)
    # THEN that record is named by its sequence number
    assert response == {"batchItemFailures": [{"itemIdentifier": batch["Records"][-1]["kinesis"]["sequenceNumber"]}]}


def test_a_dynamodb_batch_without_a_marker_fails_nothing(event, lambda_context):
    assert event_logger.lambda_handler(event("dynamodb_stream_batch"), lambda_context) == {"batchItemFailures": []}
    record = event("dynamodb_stream_batch")["Records"][0]
    assert event_logger.record_id(record) == record["dynamodb"]["SequenceNumber"]
    assert "u-1001" in event_logger.record_payload(record)


@pytest.mark.parametrize("name", ["s3_put", "sns_notification", "eventbridge_scheduled"])
def test_push_events_get_a_summary_and_are_logged(name, event, lambda_context, capsys):
    incoming = event(name)
    response = event_logger.lambda_handler(copy.deepcopy(incoming), lambda_context)
    assert response == {"received": len(incoming.get("Records", []))}
    assert logged_event(capsys) == incoming


def test_any_json_value_is_accepted(lambda_context, capsys):
    assert event_logger.lambda_handler(["not", "a", "dict"], lambda_context) == {"received": 0}
    assert logged_event(capsys) == ["not", "a", "dict"]
