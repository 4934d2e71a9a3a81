"""Checks for sqs-partial-batch (05_error_handling): report only the messages that failed."""

from __future__ import annotations

import json
import uuid

from ... import clients
from ...poll import attempts
from ...reference_deploys import ensure_queue
from ...triggers import event_source_mapping
from ..framework import CheckFailed, Context, Exercise, shown
from ._common import context, sqs_record, table_items

EXERCISE = Exercise("sqs-partial-batch", resources={"ORDERS_TABLE": ("table", "orders")}, timeout=5)
QUEUE = "lab-ex-orders-queue"


#: poison bodies (never empty: SQS refuses an empty message)
POISON = ("this is not an order", "{}", '{"amount": 12}', "[1, 2]", '{"order_id": ', "null")


def _batch(run: str, rng=None, good_count: int = 3, poison_count: int = 1) -> tuple[list[dict], list[str]]:
    """``good_count`` orders and ``poison_count`` poison messages, shuffled (messageIds are uuids, as SQS's)."""
    if rng is None:  # the fixed batch of a check written before the seed
        good = [
            sqs_record(json.dumps({"order_id": f"{run}-{n}", "amount": 10 * n}), f"good-{run}-{n}") for n in (1, 2, 3)
        ]
        poisoned = sqs_record("this is not an order", f"poison-{run}")
        return [good[0], poisoned, good[1], good[2]], [poisoned["messageId"]]
    good = [
        sqs_record(
            json.dumps({"order_id": f"{run}-{n}", "amount": rng.randint(1, 9999)}),
            str(uuid.UUID(int=rng.getrandbits(128))),
        )
        for n in range(1, good_count + 1)
    ]
    bodies = list(POISON) * (1 + poison_count // len(POISON))
    rng.shuffle(bodies)  # every kind of poison, once each, before any comes twice
    poison = [sqs_record(body, str(uuid.UUID(int=rng.getrandbits(128)))) for body in bodies[:poison_count]]
    rng.shuffle(good)
    records = list(good)
    for bad in poison:  # never last: an answer that gives up on what follows a failure must show it
        records.insert(rng.randint(0, max(len(records) - 1, 0)), bad)
    return records, [p["messageId"] for p in poison]


def _failures(response: object, what: str) -> list[str]:
    if not isinstance(response, dict) or not isinstance(response.get("batchItemFailures"), list):
        raise CheckFailed(f"{what}: return {{'batchItemFailures': [...]}}, not {shown(response)}.")
    ids = []
    for entry in response["batchItemFailures"]:
        if not isinstance(entry, dict) or "itemIdentifier" not in entry:
            raise CheckFailed(f"{what}: each failure is {{'itemIdentifier': <messageId>}}, not {shown(entry)}.")
        ids.append(entry["itemIdentifier"])
    return ids


@EXERCISE.unit("one poison message in a batch: only its messageId is reported, the good orders are stored")
def one_poison(ctx: Context) -> None:
    module = ctx.load()
    run = ctx.rng.token(4)
    records, poison = _batch(run, ctx.rng, good_count=ctx.rng.randint(2, 6), poison_count=1)
    try:
        response = module.lambda_handler({"Records": records}, context())
    except NotImplementedError:
        raise
    except Exception as exc:
        raise CheckFailed(
            f"the handler raised {type(exc).__name__} on the poison message: the whole batch, good orders "
            "included, would come back; catch the error per record and report it."
        ) from None
    reported = _failures(response, f"a batch of {len(records)} with one poison message")
    if reported != poison:
        raise CheckFailed(
            f"expected batchItemFailures to name only {poison[0]!r} (the poison message), got {shown(reported, 400)}."
        )
    wanted = sorted(json.loads(r["body"])["order_id"] for r in records if r["messageId"] not in poison)
    stored = sorted(item["order_id"] for item in table_items(ctx.env["ORDERS_TABLE"]))
    if stored != wanted:
        raise CheckFailed(
            f"the {len(wanted)} good orders {shown(wanted)} should be stored, the table holds {shown(stored)}."
        )


@EXERCISE.unit("a batch that all succeeds reports an empty list")
def all_good(ctx: Context) -> None:
    module = ctx.load()
    records, _ = _batch(ctx.rng.token(4), ctx.rng, good_count=ctx.rng.randint(1, 10), poison_count=0)
    if _failures(module.lambda_handler({"Records": records}, context()), f"an all-good batch of {len(records)}"):
        raise CheckFailed("an all-good batch must answer {'batchItemFailures': []}.")


@EXERCISE.unit("a batch of only poison reports every message, without raising")
def all_bad(ctx: Context) -> None:
    module = ctx.load()
    records, poison = _batch(ctx.rng.token(4), ctx.rng, good_count=0, poison_count=len(POISON))
    try:
        reported = _failures(module.lambda_handler({"Records": records}, context()), "an all-poison batch")
    except CheckFailed:
        raise
    except NotImplementedError:
        raise
    except Exception as exc:
        raise CheckFailed(
            f"the handler raised {type(exc).__name__} on an all-poison batch; report, don't raise."
        ) from None
    if sorted(reported) != sorted(poison):
        raise CheckFailed(
            f"an all-poison batch should report every messageId {shown(poison, 400)}, got {shown(reported, 400)}."
        )


@EXERCISE.live(
    "on the emulator, through an SQS event source mapping: the good orders leave the queue, the poison stays"
)
def live(ctx: Context) -> None:
    dep = ctx.deploy()
    sqs = clients.client("sqs")
    url = ensure_queue(QUEUE, VisibilityTimeout="30")
    sqs.purge_queue(QueueUrl=url)  # the poison of an earlier run must not count
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    event_source_mapping(dep.name, arn, batch_size=10)
    run = f"l{ctx.run_id}"
    records, _ = _batch(run, ctx.rng, good_count=3, poison_count=1)
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": r["body"]} for i, r in enumerate(records)]
    )
    table = clients.resource("dynamodb").Table(ctx.env["ORDERS_TABLE"])
    wanted = {json.loads(r["body"])["order_id"] for r in records if r["body"].startswith('{"order_id": "')}
    for _ in attempts(deadline_s=20, first=0.2, cap=0.5):
        found = {i["order_id"] for i in table.scan()["Items"] if i["order_id"].startswith(run)}
        if found == wanted:
            break
    else:
        raise CheckFailed(
            f"after 20 s the table holds {sorted(found)} of the three good orders; check the function's logs."
        )
    left = -1
    for _ in attempts(deadline_s=5, first=0.3, cap=0.3):  # the mapping deletes what succeeded
        counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        left = int(counts["ApproximateNumberOfMessages"]) + int(counts["ApproximateNumberOfMessagesNotVisible"])
        if left <= 1:
            break
    if left == 4:
        raise CheckFailed(
            "all four messages are still on the queue: the whole batch failed, "
            "so the good orders would be processed again."
        )
    if left != 1:
        raise CheckFailed(f"{left} messages are left on the queue; exactly one (the poison) should be.")
