"""Checks for fan-out-loyalty (09_patterns): a third consumer of the order topic, with its own DLQ."""

from __future__ import annotations

import json
import uuid

import boto3

from ... import clients
from ...lesson_helpers.patterns.infra import queue_with_dlq, subscribe_queue, wait_until
from ...reference_deploys import ensure_topic
from ...triggers import event_source_mapping
from ..framework import CheckFailed, Context, Exercise, shown
from ._common import context, sqs_record

EXERCISE = Exercise("fan-out-loyalty", resources={"LOYALTY_TABLE": ("table", "loyalty")}, timeout=3)
TOPIC = "lab-ex-orders"
QUEUE = "lab-ex-loyalty"  # its DLQ is lab-ex-loyalty-dlq
TOPIC_ARN = "arn:aws:sns:us-east-1:000000000000:lab-ex-orders"


def _order(order_id: str, customer: str, amount_cents: int, rng=None) -> dict:
    currency, country = (rng.currency(), rng.choice(("DE", "FR", "JP", "BR", "IN"))) if rng else ("EUR", "DE")
    return {
        "order_id": order_id,
        "customer_id": customer,
        "amount_cents": amount_cents,
        "currency": currency,
        "country": country,
        "items": [{"sku": "BOOK-42", "quantity": 1}],
    }


def _ids(ctx: Context) -> tuple[str, str]:
    return f"o-{ctx.rng.token(8)}", f"c-{ctx.rng.token(6)}"


def _envelope(message: str, sns_id: str | None = None) -> str:
    """An SQS body as SNS writes it for a subscription without raw message delivery."""
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": sns_id or str(uuid.uuid4()),
            "TopicArn": TOPIC_ARN,
            "Subject": "OrderPlaced",
            "Message": message,
            "Timestamp": "2026-11-28T10:00:00.000Z",
            "SignatureVersion": "1",
            "Signature": "EXAMPLE",
            "SigningCertURL": "https://sns.example/cert.pem",
            "UnsubscribeURL": "https://sns.example/unsubscribe",
        }
    )


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
        raise CheckFailed(f"{what}: the handler must return {{'batchItemFailures': [...]}}, not {shown(response)}.")
    return [f.get("itemIdentifier") for f in response["batchItemFailures"]]


@EXERCISE.unit("an order in an SNS envelope gives its customer amount_cents // 100 points")
def one_order(ctx: Context) -> None:
    module = ctx.load()
    order_id, customer = _ids(ctx)
    amount = ctx.rng.amount_cents(150, 250_000)
    failed = _call(module, [_record(_order(order_id, customer, amount, ctx.rng))], "one order")
    if failed:
        raise CheckFailed(
            "the order was reported as failed: each SQS body is SNS's envelope, and the order is the JSON "
            "string in its 'Message' field (read the function's output after the verdict)."
        )
    got = _points(ctx.env["LOYALTY_TABLE"], customer)
    if got != amount // 100:
        raise CheckFailed(
            f"an order of {amount} cents should give {amount // 100} points to customer#{customer}; it has {got}."
        )


@EXERCISE.unit(
    "the same order delivered again, even in another message or another execution environment, is counted once"
)
def duplicates(ctx: Context) -> None:
    module = ctx.load()
    order_id, customer = _ids(ctx)
    amount = ctx.rng.amount_cents(150, 250_000)
    order = _order(order_id, customer, amount, ctx.rng)
    first = _record(order)
    other = ctx.load()  # a second execution environment: what one keeps in memory, the other never sees
    for handler, records in ((module, [first]), (module, [first]), (other, [_record(order)]), (other, [first])):
        if _call(handler, records, "a redelivered order"):
            raise CheckFailed(
                "a delivery of an order was reported as failed; an order counted before must be "
                "acknowledged when it comes again (no failure for it), or it ends in the DLQ."
            )
    got = _points(ctx.env["LOYALTY_TABLE"], customer)
    if got != amount // 100:
        raise CheckFailed(
            f"one order of {amount} cents delivered four times, twice to a second execution environment, gives "
            f"{got} points instead of {amount // 100}: record the order as counted in the table, in the same "
            "transaction as the points, on condition that it was not counted before (memory is per environment)."
        )


@EXERCISE.unit("a message that is not an order fails alone; the orders around it are counted")
def poison(ctx: Context) -> None:
    module = ctx.load()
    rng = ctx.rng
    _, customer = _ids(ctx)
    amounts = [1, *(rng.amount_cents(150, 90_000) for _ in range(rng.randint(2, 4)))]  # 1 cent: valid, 0 points
    good = [_record(_order(f"o-{rng.token(8)}", customer, a, rng)) for a in amounts]
    bad = [
        sqs_record(rng.choice(("not json at all", "{}", "[1, 2]"))),
        _record(rng.choice(("hello, not an order", "null", "42"))),
        _record({"order_id": f"o-{rng.token(5)}"}),
        _record({"order_id": f"o-{rng.token(5)}", "amount_cents": rng.amount_cents()}),  # no customer
        _record({"customer_id": customer, "amount_cents": rng.amount_cents()}),  # no order id
        _record({**_order(f"o-{rng.token(5)}", customer, 100, rng), "customer_id": rng.randint(1, 99)}),
        *(
            _record({**_order(f"o-{rng.token(5)}", customer, 100, rng), "amount_cents": wrong})
            for wrong in (str(rng.randint(150, 9000)), -rng.randint(150, 9000), rng.randint(150, 9000) + 0.5, 0, True)
        ),
    ]
    records = good + bad
    rng.shuffle(records)
    failed = _call(module, records, f"a batch with {len(bad)} bad messages")
    wanted = sorted(r["messageId"] for r in bad)
    if sorted(failed) != wanted:
        raise CheckFailed(
            f"batchItemFailures should name exactly the {len(bad)} messages that are not orders "
            f"{shown(wanted, 400)}, not {shown(sorted(failed), 400)}."
        )
    got = _points(ctx.env["LOYALTY_TABLE"], customer)
    if got != sum(a // 100 for a in amounts):
        raise CheckFailed(
            f"the good orders ({', '.join(map(str, amounts))} cents) should give "
            f"{sum(a // 100 for a in amounts)} points; the customer has {got}."
        )


@EXERCISE.unit("order_from_record raises NotAnOrder for what is not an order; award answers True, then False")
def contracts(ctx: Context) -> None:
    """What the exercise states of the two functions: NotAnOrder (a ValueError nothing can fix) for a body
    that is not an order, and award's answer, True when it gave the points and False for an order
    counted before (the handler logs "already counted" from it)."""
    module, rng = ctx.load(), ctx.rng
    bodies = [
        sqs_record("not json"),
        sqs_record("null"),
        sqs_record(json.dumps({"Message": None})),
        sqs_record(json.dumps({"Type": "Notification"})),
        _record("[1, 2]"),
        _record({"order_id": 5}),
        _record({"order_id": f"o-{rng.token(6)}", "amount_cents": rng.amount_cents()}),  # no customer
        _record(
            {"order_id": f"o-{rng.token(6)}", "customer_id": rng.randint(1, 99), "amount_cents": rng.amount_cents()}
        ),
    ]
    for record in bodies:
        try:
            module.order_from_record(record)
        except module.NotAnOrder:
            continue
        except Exception as exc:
            raise CheckFailed(
                f"order_from_record on the body {shown(record['body'])} raised {type(exc).__name__}; "
                "raise NotAnOrder for anything that is not an order (catch what json.loads and the "
                "envelope's keys raise)."
            ) from None
        raise CheckFailed(
            f"order_from_record returned an order for the body {shown(record['body'])}; raise NotAnOrder."
        )
    order_id, customer = _ids(ctx)
    order = _order(order_id, customer, rng.amount_cents(150, 90_000), rng)
    got = [module.award(dict(order)), module.award(dict(order))]
    if got != [True, False]:
        raise CheckFailed(
            f"award() of a new order, then of the same order again, answered {got}; it should answer "
            "[True, False] (True when it gave the points, False when the order was counted before)."
        )


@EXERCISE.unit(
    "a cancelled transaction that is not a duplicate fails the message (it is retried), "
    "and any other DynamoDB error too"
)
def other_errors(ctx: Context) -> None:
    """Only a cancellation whose reason is the marker's ConditionalCheckFailed means "counted before";
    a TransactionConflict (another writer) or a throttled call must fail the message, so SQS delivers it
    again: acknowledging it loses the customer's points."""
    from unittest import mock

    import botocore.client
    from botocore.exceptions import ClientError

    module = ctx.load()
    real = botocore.client.BaseClient._make_api_call
    cases = (
        ("TransactionCanceledException", [{"Code": "TransactionConflict"}, {"Code": "None"}]),
        ("TransactionCanceledException", [{"Code": "None"}, {"Code": "ConditionalCheckFailed"}]),
        ("ProvisionedThroughputExceededException", None),
    )
    for code, reasons in cases:

        def refused(client, operation, params, code=code, reasons=reasons):
            if operation in ("TransactWriteItems", "UpdateItem", "PutItem"):
                error = {"Error": {"Code": code, "Message": "injected by the check"}}
                if reasons:
                    error["CancellationReasons"] = reasons
                raise ClientError(error, operation)
            return real(client, operation, params)

        record = _record(_order(*_ids(ctx), ctx.rng.amount_cents(150, 90_000), ctx.rng))
        with mock.patch.object(botocore.client.BaseClient, "_make_api_call", refused):
            failed = _call(module, [record], f"a batch whose write fails with {code}")
        if failed != [record["messageId"]]:
            why = f" (reasons {[r['Code'] for r in reasons]})" if reasons else ""
            raise CheckFailed(
                f"when the write fails with {code}{why}, the message must be reported in "
                f"batchItemFailures so SQS delivers it again; the handler reported {failed}. Only the "
                "first reason ConditionalCheckFailed (the order's marker exists) means counted before."
            )


@EXERCISE.live("on the emulator: its own queue and DLQ on the topic; points once, the bad message parked")
def live(ctx: Context) -> None:
    dep = ctx.deploy()
    topic = ensure_topic(TOPIC)
    queue = queue_with_dlq(QUEUE, visibility_s=EXERCISE.timeout, max_receives=1)
    subscribe_queue(topic, queue.url, queue.arn, raw=False)
    event_source_mapping(dep.name, queue.arn, batch_size=10)
    customer, sns = f"c-{ctx.run_id}", clients.client("sns")
    first, second = ctx.rng.amount_cents(150, 90_000), ctx.rng.amount_cents(150, 90_000)
    total = first // 100 + second // 100
    for message in (
        _order(f"{ctx.run_id}-a", customer, first, ctx.rng),
        _order(f"{ctx.run_id}-b", customer, second, ctx.rng),
        _order(f"{ctx.run_id}-a", customer, first, ctx.rng),
        f"not an order {ctx.run_id}",
    ):
        sns.publish(TopicArn=topic, Message=message if isinstance(message, str) else json.dumps(message))
    table, dynamodb = ctx.env["LOYALTY_TABLE"], clients.resource("dynamodb")
    try:
        wait_until(lambda: _points(table, customer, dynamodb) >= total and queue.depth() <= 1, "the points", 15)
    except Exception:
        raise CheckFailed(
            f"after 15 s {customer} has {_points(table, customer, dynamodb)} points, not {total} "
            f"({first // 100} + {second // 100}); "
            f"look at the function's log: lab.invocations({dep.name!r})"
        ) from None
    got = _points(table, customer, dynamodb)
    if got != total:
        raise CheckFailed(f"{customer} has {got} points after an order was published twice; it should have {total}.")

    def parked() -> bool:
        return any(f"not an order {ctx.run_id}" in m["Body"] for m in queue.messages(dlq=True, delete=True))

    try:
        wait_until(parked, "the bad message in the DLQ", 10)
    except Exception:
        raise CheckFailed(
            f"the message that is not an order never reached {QUEUE}-dlq: report it in "
            "batchItemFailures (do not swallow it, do not fail the whole batch)."
        ) from None
