"""Asynchronous invocation's outcome messages, as data: the records AWS documents
(invocation-async-retain-records.html) without an emulator."""

from __future__ import annotations

import json

from reference_app.lab.emulator_patch import async_invoke

ARN = "arn:aws:lambda:us-east-1:000000000000:function:pay"
ERROR = {"errorMessage": "card declined", "errorType": "PaymentDeclined", "requestId": "r-1", "stackTrace": []}
DESTINATIONS = {
    "OnFailure": {"Destination": "arn:aws:sqs:us-east-1:000000000000:failed"},
    "OnSuccess": {"Destination": "arn:aws:sqs:us-east-1:000000000000:done"},
}
DLQ = "arn:aws:sqs:us-east-1:000000000000:dlq"


def test_retry_spacing_doubles_from_the_base_up_to_the_cap():
    assert async_invoke.retry_delays(3, 1.0, 30.0) == [1.0, 2.0]
    assert async_invoke.retry_delays(1, 1.0, 30.0) == []
    assert async_invoke.retry_delays(4, 60.0, 90.0) == [60.0, 90.0, 90.0]


def test_the_failure_record_has_every_field_aws_documents():
    record = async_invoke.invocation_record(
        ARN, "r-1", "RetriesExhausted", 3, {"card": "1"}, {"body": ERROR}, now=1573755365.568
    )
    assert record == {
        "version": "1.0",
        "timestamp": "2019-11-14T18:16:05.568Z",
        "requestContext": {
            "requestId": "r-1",
            "functionArn": f"{ARN}:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 3,
        },
        "requestPayload": {"card": "1"},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": ERROR,
    }


def test_the_dead_letter_queue_gets_the_event_itself_with_three_attributes():
    body, attributes = async_invoke.dlq_message({"card": "1"}, "r-1", ERROR)
    assert json.loads(body) == {"card": "1"}
    assert attributes == {
        "RequestID": {"DataType": "String", "StringValue": "r-1"},
        "ErrorCode": {"DataType": "Number", "StringValue": "200"},
        "ErrorMessage": {"DataType": "String", "StringValue": "card declined"},
    }


def test_the_error_message_attribute_is_cut_at_one_kilobyte():
    _, attributes = async_invoke.dlq_message({}, "r-1", {"errorMessage": "é" * 2000})
    assert len(attributes["ErrorMessage"]["StringValue"].encode()) <= 1024


def test_a_failure_goes_to_both_the_destination_and_the_dead_letter_queue():
    sent = async_invoke.messages(ARN, "r-1", "RetriesExhausted", 3, {"card": "1"}, {"body": ERROR}, DESTINATIONS, DLQ)
    assert [target for target, _, _ in sent] == [DESTINATIONS["OnFailure"]["Destination"], DLQ]
    record, (event, attributes) = json.loads(sent[0][1]), (json.loads(sent[1][1]), sent[1][2])
    assert record["requestContext"]["approximateInvokeCount"] == 3 and sent[0][2] is None
    assert event == {"card": "1"} and attributes["RequestID"]["StringValue"] == "r-1"


def test_a_success_goes_to_the_on_success_destination_only():
    sent = async_invoke.messages(ARN, "r-2", "Success", 1, {"card": "2"}, {"body": {"ok": True}}, DESTINATIONS, DLQ)
    assert [target for target, _, _ in sent] == [DESTINATIONS["OnSuccess"]["Destination"]]
    record = json.loads(sent[0][1])
    assert record["requestContext"]["condition"] == "Success" and "functionError" not in record["responseContext"]
    assert record["responsePayload"] == {"ok": True}


def test_nothing_is_sent_when_nothing_is_configured():
    assert async_invoke.messages(ARN, "r-3", "RetriesExhausted", 3, {}, {"body": ERROR}, {}, "") == []
