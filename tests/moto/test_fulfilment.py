"""fulfilment: an SQS consumer of the order fan-out, SNS envelope or raw body, idempotent, partial failures."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from reference_app.handlers import fulfilment

ORDER = {
    "order_id": "o-1",
    "customer_id": "c-1",
    "country": "DE",
    "amount_cents": 4599,
    "items": [{"sku": "BOOK-42", "quantity": 2}, {"sku": "PEN-7", "quantity": 1}],
}


@pytest.fixture
def shipments(make_table: Callable[..., Any]) -> Any:
    return make_table("shipments", env="SHIPMENTS_TABLE")


def envelope(message: Any, sns_id: str = "sns-1") -> str:
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": sns_id,
            "TopicArn": "arn:aws:sns:us-east-1:1:t",
            "Message": message if isinstance(message, str) else json.dumps(message),
        }
    )


def record(body: str, message_id: str, event: Callable) -> dict:
    return {**event("sqs_batch_one_bad")["Records"][0], "messageId": message_id, "body": body}


def test_an_order_in_an_sns_envelope_books_one_shipment(shipments, event, lambda_context, scan):
    # GIVEN an order delivered through a subscription without raw message delivery
    answer = fulfilment.lambda_handler({"Records": [record(envelope(ORDER), "m-1", event)]}, lambda_context)
    # THEN it is booked once, with its units counted and the SNS message id kept
    assert answer == {"batchItemFailures": []}
    (item,) = scan(shipments)
    assert (item["order_id"], item["units"], item["status"], item["sns_message_id"]) == ("o-1", 3, "BOOKED", "sns-1")


def test_a_raw_delivery_is_read_too(shipments, event, lambda_context, scan):
    assert fulfilment.lambda_handler({"Records": [record(json.dumps(ORDER), "m-1", event)]}, lambda_context) == {
        "batchItemFailures": []
    }
    assert "sns_message_id" not in scan(shipments)[0]


def test_a_redelivered_order_is_acknowledged_and_booked_once(shipments, event, lambda_context, scan, capsys):
    first = record(envelope(ORDER), "m-1", event)
    for records in ([first], [first], [record(envelope(ORDER, "sns-2"), "m-2", event)]):
        assert fulfilment.lambda_handler({"Records": records}, lambda_context) == {"batchItemFailures": []}
    assert len(scan(shipments)) == 1
    assert capsys.readouterr().out.count('"shipment duplicate"') == 2


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json", "not JSON"),
        (envelope("hello"), "SNS message is not JSON"),
        (envelope({**ORDER, "country": None}), "country"),
        (envelope({**ORDER, "order_id": "o 1"}), "order_id"),
        (envelope({**ORDER, "items": [{"sku": "A", "quantity": True}]}), "quantity"),
        (envelope([1, 2]), "not a JSON object"),
        (json.dumps({"Type": "Notification", "MessageId": "sns-9", "Message": ORDER}), "SNS message is not JSON"),
        (envelope({**ORDER, "items": []}), "items"),
        (envelope({**ORDER, "items": [{"sku": "A", "quantity": 10**38}]}), "38 digits"),  # more than a number holds
    ],
)
def test_an_unusable_message_fails_alone(shipments, event, lambda_context, scan, capsys, body, reason):
    records = [record(envelope(ORDER), "good", event), record(body, "bad", event)]
    assert fulfilment.lambda_handler({"Records": records}, lambda_context) == {
        "batchItemFailures": [{"itemIdentifier": "bad"}]
    }
    assert [i["order_id"] for i in scan(shipments)] == ["o-1"]
    assert reason in capsys.readouterr().out


def test_a_transient_error_fails_only_its_message(dynamodb, event, lambda_context, monkeypatch):
    # GIVEN (under moto) a table that does not exist: the write fails with ResourceNotFoundException
    monkeypatch.setenv("SHIPMENTS_TABLE", "no-such-table")
    answer = fulfilment.lambda_handler({"Records": [record(envelope(ORDER), "m-1", event)]}, lambda_context)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}


def test_a_batch_of_nothing_usable_writes_nothing(shipments, event, lambda_context, scan):
    # GIVEN SQS records (AWS's sample shape) whose bodies are none of them an order fulfilment can book
    bodies = ["", "null", envelope({"order_id": "o-2"}), json.dumps({**ORDER, "customer_id": 7})]
    records = [record(body, f"bad-{n}", event) for n, body in enumerate(bodies)]
    # THEN each is refused on its own and no shipment is booked
    answer = fulfilment.lambda_handler({"Records": records}, lambda_context)
    assert answer == {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in records]}
    assert scan(shipments) == []
