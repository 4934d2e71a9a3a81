"""Checks for fan-out-loyalty (09_patterns): a third consumer of the order topic, with its own DLQ."""

from __future__ import annotations

import json
import uuid

import boto3

from ... import clients
from ...apps import ensure_topic
from ...lessons.patterns.infra import queue_with_dlq, subscribe_queue, wait_until
from ...triggers import event_source_mapping
from ..framework import CheckFailed, Context, Exercise
from ._common import context, sqs_record

EXERCISE = Exercise("fan-out-loyalty", resources={"LOYALTY_TABLE": ("table", "loyalty")}, timeout=3)
TOPIC = "lab-ex-orders"
QUEUE = "lab-ex-loyalty"  # its DLQ is lab-ex-loyalty-dlq
TOPIC_ARN = "arn:aws:sns:us-east-1:000000000000:lab-ex-orders"


def _order(order_id: str, customer: str, amount_cents: int) -> dict:
    return {"order_id": order_id, "customer_id": customer, "amount_cents": amount_cents, "currency": "EUR",
            "country": "DE", "items": [{"sku": "BOOK-42", "quantity": 1}]}


def _envelope(message: str, sns_id: str | None = None) -> str:
    """An SQS body as SNS writes it for a subscription without raw message delivery."""
    return json.dumps({
        "Type": "Notification", "MessageId": sns_id or str(uuid.uuid4()), "TopicArn": TOPIC_ARN,
        "Subject": "OrderPlaced", "Message": message, "Timestamp": "2026-11-28T10:00:00.000Z",
        "SignatureVersion": "1", "Signature": "EXAMPLE", "SigningCertURL": "https://sns.example/cert.pem",
        "UnsubscribeURL": "https://sns.example/unsubscribe",
    })


def _record(order: dict | str, message_id: str | None = None) -> dict:
    message = order if isinstance(order, str) else json.dumps(order)
    return sqs_record(_envelope(message), message_id or str(uuid.uuid4()))


def _points(table: str, customer: str, resource=None) -> int:
    dynamodb = resource or boto3.resource("dynamodb", region_name="us-east-1")
    found = dynamodb.Table(table).get_item(Key={"pk": f"customer#{customer}"}, ConsistentRead=True).get("Item")
    return int(found["points"]) if found else 0


def _call(module, records: list[dict], what: str) -> list[str]:
    response = module.lambda_handler({"Records": records}, context())
    if not isinstance(response, dict) or not isinstance(response.get("batchItemFailures"), list):
        raise CheckFailed(f"{what}: the handler must return {{'batchItemFailures': [...]}}, not {response!r:.80}.")
    return [f.get("itemIdentifier") for f in response["batchItemFailures"]]


@EXERCISE.unit("an order in an SNS envelope gives its customer amount_cents // 100 points")
def one_order(ctx: Context) -> None:
    module = ctx.load()
    failed = _call(module, [_record(_order("o-1", "c-1", 4599), "m-1")], "one order")
    if failed:
        raise CheckFailed(
            "the order was reported as failed: each SQS body is SNS's envelope, and the order is the JSON "
            "string in its 'Message' field (read the function's output above)."
        )
    got = _points(ctx.env["LOYALTY_TABLE"], "c-1")
    if got != 45:
        raise CheckFailed(f"an order of 4599 cents should give 45 points to customer#c-1; it has {got}.")


@EXERCISE.unit("the same order delivered again, even in another message, is counted once")
def duplicates(ctx: Context) -> None:
    module = ctx.load()
    order = _order("o-2", "c-2", 2000)
    first = _record(order, "m-1")
    for records in ([first], [first], [_record(order, "m-2")]):  # SQS redelivery, then a second SNS delivery
        if _call(module, records, "a redelivered order"):
            raise CheckFailed("a delivery of an order was reported as failed; an order counted before must be "
                              "acknowledged when it comes again (no failure for it), or it ends in the DLQ.")
    got = _points(ctx.env["LOYALTY_TABLE"], "c-2")
    if got != 20:
        raise CheckFailed(
            f"one order of 2000 cents delivered three times gives {got} points instead of 20: record the order "
            "as counted in the same transaction as the points, on condition that it was not counted before."
        )


@EXERCISE.unit("a message that is not an order fails alone; the orders around it are counted")
def poison(ctx: Context) -> None:
    module = ctx.load()
    records = [_record(_order("o-3", "c-3", 1000), "good-1"), sqs_record("not json at all", "bad-1"),
               _record("hello, not an order", "bad-2"), _record({"order_id": "o-x"}, "bad-3"),
               _record(_order("o-4", "c-3", 550), "good-2")]
    failed = _call(module, records, "a batch with three bad messages")
    if sorted(failed) != ["bad-1", "bad-2", "bad-3"]:
        raise CheckFailed(f"batchItemFailures should name exactly bad-1, bad-2 and bad-3, not {failed}.")
    got = _points(ctx.env["LOYALTY_TABLE"], "c-3")
    if got != 15:
        raise CheckFailed(f"the two good orders (1000 and 550 cents) should give 15 points; the customer has {got}.")


@EXERCISE.live("on the emulator: its own queue and DLQ on the topic; points once, the bad message parked")
def live(ctx: Context) -> None:
    dep = ctx.deploy()
    topic = ensure_topic(TOPIC)
    queue = queue_with_dlq(QUEUE, visibility_s=EXERCISE.timeout, max_receives=1)
    subscribe_queue(topic, queue.url, queue.arn, raw=False)
    event_source_mapping(dep.name, queue.arn, batch_size=10)
    customer, sns = f"c-{ctx.run_id}", clients.client("sns")
    for message in (_order(f"{ctx.run_id}-a", customer, 1999), _order(f"{ctx.run_id}-b", customer, 25000),
                    _order(f"{ctx.run_id}-a", customer, 1999), f"not an order {ctx.run_id}"):
        sns.publish(TopicArn=topic, Message=message if isinstance(message, str) else json.dumps(message))
    table, dynamodb = ctx.env["LOYALTY_TABLE"], clients.resource("dynamodb")
    try:
        wait_until(lambda: _points(table, customer, dynamodb) >= 269 and queue.depth() <= 1, "the points", 15)
    except Exception:
        raise CheckFailed(
            f"after 15 s {customer} has {_points(table, customer, dynamodb)} points, not 269 (19 + 250); "
            f"look at the function's log: lab.invocations({dep.name!r})"
        ) from None
    got = _points(table, customer, dynamodb)
    if got != 269:
        raise CheckFailed(f"{customer} has {got} points after an order was published twice; it should have 269.")

    def parked() -> bool:
        return any(f"not an order {ctx.run_id}" in m["Body"] for m in queue.messages(dlq=True, delete=True))

    try:
        wait_until(parked, "the bad message in the DLQ", 10)
    except Exception:
        raise CheckFailed(f"the message that is not an order never reached {QUEUE}-dlq: report it in "
                          "batchItemFailures (do not swallow it, do not fail the whole batch).") from None
