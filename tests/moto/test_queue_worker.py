"""queue_worker: SQS partial batch failures, poison messages and idempotency."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from reference_app.handlers import queue_worker

POISON_ID = "2e1424d4-f796-459a-8184-9c92662be6da"  # the bad record in sqs_batch_one_bad.json


@pytest.fixture
def orders_table(make_table: Callable[..., Any]) -> Any:
    return make_table("orders", env="ORDERS_TABLE")


@pytest.fixture
def idempotency_table(make_table: Callable[..., Any]) -> Any:
    return make_table("idempotency", env="IDEMPOTENCY_TABLE")


@pytest.fixture
def tables(orders_table: Any, idempotency_table: Any) -> tuple[Any, Any]:
    return orders_table, idempotency_table


@pytest.fixture
def sqs_batch(event: Callable[[str], dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """``sqs_batch(body1, body2, ...)``: an SQS event with one record per body (dict -> JSON)."""

    def make(*bodies: Any) -> dict[str, Any]:
        template = event("sqs_batch_one_bad")["Records"][0]
        records = []
        for n, body in enumerate(bodies):
            record = copy.deepcopy(template)
            record["messageId"] = f"msg-{n}"
            record["body"] = body if isinstance(body, str) else json.dumps(body)
            records.append(record)
        return {"Records": records}

    return make


def order(order_id: str = "o-1", **changes: Any) -> dict[str, Any]:
    return {"order_id": order_id, "customer_id": "u-1", "amount_cents": 1000, "currency": "EUR", **changes}


def charges(table: Any) -> dict[str, int]:
    return {item["order_id"]: int(item["charge_count"]) for item in table.scan()["Items"]}


def test_poison_message_is_the_only_failure(tables, event, lambda_context):
    orders_table, _ = tables
    # GIVEN the bundled batch: good, truncated JSON, good
    # WHEN it is processed
    response = queue_worker.lambda_handler(event("sqs_batch_one_bad"), lambda_context)
    # THEN only the poison message goes back to the queue; the good ones are recorded once
    assert response == {"batchItemFailures": [{"itemIdentifier": POISON_ID}]}
    assert charges(orders_table) == {"o-2001": 1, "o-2002": 1}


@pytest.mark.parametrize(
    "poison",
    [
        "not json at all",
        "null",
        "[]",
        '{"order_id": "o-9"}',
        order("o-9", amount_cents=-5),
        order("o-9", amount_cents=0),
        order("o-9", amount_cents="1000"),  # no silent string -> int coercion
        order("o-9", amount_cents=True),
        order("o-9", amount_cents=10.5),
        order("o-9", currency="eur"),
        order("o../9"),
        order("", customer_id="u-1"),
        {k: v for k, v in order("o-9").items() if k != "customer_id"},
    ],
    ids=repr,
)
def test_each_kind_of_poison_fails_only_itself(tables, sqs_batch, lambda_context, poison):
    orders_table, _ = tables
    response = queue_worker.lambda_handler(sqs_batch(order("o-1"), poison, order("o-2")), lambda_context)
    assert response == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}
    assert charges(orders_table) == {"o-1": 1, "o-2": 1}


def test_unknown_fields_are_ignored(tables, sqs_batch, lambda_context):
    orders_table, _ = tables
    response = queue_worker.lambda_handler(sqs_batch(order("o-1", coupon="SPRING")), lambda_context)
    assert response == {"batchItemFailures": []}
    assert charges(orders_table) == {"o-1": 1}


def test_message_delivered_twice_is_processed_once(tables, sqs_batch, lambda_context):
    orders_table, idempotency_table = tables
    # GIVEN an order that SQS delivers twice (at-least-once), in two separate invocations
    batch = sqs_batch(order("o-1"))
    # WHEN both deliveries are processed
    first = queue_worker.lambda_handler(batch, lambda_context)
    second = queue_worker.lambda_handler(copy.deepcopy(batch), lambda_context)
    # THEN both succeed, the side effect happened once, and one idempotency record is COMPLETED
    assert first == second == {"batchItemFailures": []}
    assert charges(orders_table) == {"o-1": 1}
    records = idempotency_table.scan()["Items"]
    assert [r["status"] for r in records] == ["COMPLETED"] and "expiration" in records[0]


def test_same_order_in_two_messages_is_processed_once(tables, sqs_batch, lambda_context):
    orders_table, _ = tables
    # Two different message ids, same business id (e.g. the producer retried a send)
    response = queue_worker.lambda_handler(sqs_batch(order("o-1"), order("o-1"), order("o-2")), lambda_context)
    assert response == {"batchItemFailures": []}
    assert charges(orders_table) == {"o-1": 1, "o-2": 1}


def test_all_poison_batch_is_reported_not_raised(tables, sqs_batch, lambda_context):
    response = queue_worker.lambda_handler(sqs_batch("{", "[]"), lambda_context)
    assert response == {"batchItemFailures": [{"itemIdentifier": "msg-0"}, {"itemIdentifier": "msg-1"}]}


def test_failed_processing_can_be_retried(tables, sqs_batch, lambda_context, monkeypatch):
    orders_table, idempotency_table = tables
    # GIVEN processing fails (the orders table name is wrong)
    monkeypatch.setenv("ORDERS_TABLE", "lab-missing")
    queue_worker._orders_table.cache_clear()
    assert queue_worker.lambda_handler(sqs_batch(order("o-1")), lambda_context) == {
        "batchItemFailures": [{"itemIdentifier": "msg-0"}]
    }
    # THEN no idempotency record is left behind to block the retry...
    assert idempotency_table.scan()["Items"] == []
    # ...so when the message comes back and the fault is fixed, it is processed (once)
    monkeypatch.setenv("ORDERS_TABLE", orders_table.name)
    queue_worker._orders_table.cache_clear()
    assert queue_worker.lambda_handler(sqs_batch(order("o-1")), lambda_context) == {"batchItemFailures": []}
    assert charges(orders_table) == {"o-1": 1}


def test_core_without_idempotency_double_charges(orders_table):
    # Why the decorator matters: the business step alone is not idempotent.
    for _ in range(2):
        queue_worker.record_order(orders_table, order=order("o-1"))
    assert charges(orders_table) == {"o-1": 2}


# --- the same order_id with a different payload: never silently dropped as a duplicate ----------------------
def amounts(table: Any) -> dict[str, int]:
    return {item["order_id"]: int(item["amount_cents"]) for item in table.scan()["Items"]}


def test_reused_order_id_with_another_amount_fails_loudly(tables, event, lambda_context, caplog):
    orders_table, _ = tables
    # GIVEN AWS-shaped SQS records: order o-2001 for 4599 cents, then o-2001 again for 45990
    batch = event("sqs_order_conflict")
    first, conflicting = (record["messageId"] for record in batch["Records"])
    # WHEN the batch is processed
    response = queue_worker.lambda_handler(batch, lambda_context)
    # THEN the conflicting message is a batch item failure: back to the queue, then (after
    # maxReceiveCount) to the dead-letter queue; the first order stands, charged once
    assert response == {"batchItemFailures": [{"itemIdentifier": conflicting}]}
    assert first != conflicting
    assert amounts(orders_table) == {"o-2001": 4599} and charges(orders_table) == {"o-2001": 1}
    # ...and it is logged as an error naming the order and the message, not dropped as a duplicate
    errors = [record for record in caplog.records if record.levelname == "ERROR"]
    assert [(record.order_id, record.message_id) for record in errors] == [("o-2001", conflicting)]


def test_conflict_in_a_later_invocation_also_fails(tables, sqs_batch, lambda_context):
    orders_table, _ = tables
    assert queue_worker.lambda_handler(sqs_batch(order("o-1")), lambda_context) == {"batchItemFailures": []}
    redelivered = queue_worker.lambda_handler(sqs_batch(order("o-1", currency="USD")), lambda_context)
    assert redelivered == {"batchItemFailures": [{"itemIdentifier": "msg-0"}]}
    assert charges(orders_table) == {"o-1": 1}


def test_conflict_after_the_idempotency_record_expired_still_fails(tables, sqs_batch, lambda_context):
    orders_table, idempotency_table = tables
    queue_worker.lambda_handler(sqs_batch(order("o-1")), lambda_context)
    for item in idempotency_table.scan()["Items"]:  # 24 hours later, DynamoDB's TTL removed it
        idempotency_table.delete_item(Key={"id": item["id"]})
    response = queue_worker.lambda_handler(sqs_batch(order("o-1", amount_cents=1)), lambda_context)
    assert response == {"batchItemFailures": [{"itemIdentifier": "msg-0"}]}
    assert amounts(orders_table) == {"o-1": 1000} and charges(orders_table) == {"o-1": 1}


def test_redelivery_with_an_extra_unknown_field_is_still_a_duplicate(tables, sqs_batch, lambda_context):
    # tolerant reader: fields the model ignores are not part of the payload check
    orders_table, _ = tables
    queue_worker.lambda_handler(sqs_batch(order("o-1")), lambda_context)
    response = queue_worker.lambda_handler(sqs_batch(order("o-1", coupon="SPRING")), lambda_context)
    assert response == {"batchItemFailures": []} and charges(orders_table) == {"o-1": 1}
