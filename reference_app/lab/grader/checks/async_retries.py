"""Checks for async-retries (01_architecture): fail so that Lambda retries, and confirm each order once."""

from __future__ import annotations

import json
import time
from typing import Any

from ... import clients
from ...lesson_helpers.common import logged
from ...poll import attempts
from ..framework import CheckFailed, Context, Exercise, shown
from ._common import context, table_items

EXERCISE = Exercise(
    "async-retries",
    resources={"ATTEMPTS_TABLE": ("table", "payment_attempts"), "CONFIRMATIONS_TABLE": ("table", "confirmations")},
)


def _call(module: Any, event: Any) -> tuple[Any, BaseException | None]:
    """The handler's answer, or the exception it raised (NotImplementedError passes through)."""
    try:
        return module.lambda_handler(event, context()), None
    except NotImplementedError:
        raise
    except Exception as exc:
        return None, exc


def _confirmations(ctx: Context) -> list[dict]:
    return table_items(ctx.env["CONFIRMATIONS_TABLE"])


@EXERCISE.unit("an order the provider accepts at once is confirmed")
def confirms(ctx: Context) -> None:
    module = ctx.load()
    orders = [{"order_id": f"o-{ctx.rng.token(6)}", "amount": ctx.rng.randint(1, 5000)} for _ in range(3)]
    for event in orders:
        answer, error = _call(module, event)
        if error is not None:
            raise CheckFailed(
                f"the valid order {shown(event)} with a willing provider raised {type(error).__name__}: {error}."
            )
        if (
            not isinstance(answer, dict)
            or answer.get("status") != "confirmed"
            or answer.get("order_id") != event["order_id"]
        ):
            raise CheckFailed(
                f"for {shown(event)} expected {{'status': 'confirmed', 'order_id': "
                f"{event['order_id']!r}, ...}}, got {shown(answer)}."
            )
    stored = {item.get("order_id"): item for item in _confirmations(ctx)}
    for event in orders:
        item = stored.get(event["order_id"])
        if item is None:
            raise CheckFailed(
                f"the confirmations table should hold order {event['order_id']} (key order_id); it "
                f"holds {shown(sorted(stored))}."
            )
        if item.get("amount") != event["amount"] or type(item.get("amount")).__name__ != "Decimal":
            raise CheckFailed(
                f"order {event['order_id']} was sent with amount {event['amount']}; the table holds "
                f"amount {item.get('amount')!r}: store it as the number it is."
            )


@EXERCISE.unit("a busy provider fails the invocation, so Lambda retries it; the retry confirms the order")
def busy_fails(ctx: Context) -> None:
    module = ctx.load()
    event = {"order_id": f"o-{ctx.rng.token(6)}", "amount": ctx.rng.randint(1, 5000), "busy_for": 1}
    answer, error = _call(module, event)
    if error is None:
        raise CheckFailed(
            f"with the provider busy the handler returned {shown(answer)}. A returned value is a success: Lambda "
            "would not retry, and the order would never be confirmed. Let PaymentProviderBusy propagate."
        )
    if _confirmations(ctx):
        raise CheckFailed("a failed attempt stored a confirmation; confirm only after the charge succeeded.")
    answer, error = _call(module, event)  # what Lambda's retry does: the same event again
    if error is not None or not isinstance(answer, dict) or answer.get("status") != "confirmed":
        got = answer if error is None else error
        raise CheckFailed(f"the retry (provider no longer busy) should confirm the order; got {shown(got)}.")


@EXERCISE.unit("the same event delivered twice leaves one confirmation")
def once(ctx: Context) -> None:
    module = ctx.load()
    event = {"order_id": f"o-{ctx.rng.token(6)}", "amount": ctx.rng.randint(1, 5000)}
    for _ in range(ctx.rng.randint(2, 4)):
        _, error = _call(module, dict(event))
        if error is not None:
            raise CheckFailed(f"a valid order raised {type(error).__name__}: {error}.")
    stored = _confirmations(ctx)
    if len(stored) != 1:
        raise CheckFailed(
            f"two deliveries of one order left {len(stored)} confirmations; key the item by order_id so the "
            "second write replaces the first."
        )


@EXERCISE.unit("an order that can never succeed is rejected without raising, and nothing is stored")
def rejects(ctx: Context) -> None:
    module = ctx.load()
    bad = [
        {},
        {"order_id": f"o-{ctx.rng.token(5)}"},
        {"order_id": f"o-{ctx.rng.token(5)}", "amount": -ctx.rng.randint(1, 500)},
        {"order_id": f"o-{ctx.rng.token(5)}", "amount": ctx.rng.choice(("ten", "", None, [5]))},
    ]
    ctx.rng.shuffle(bad)
    for event in bad:
        answer, error = _call(module, event)
        if error is not None:
            raise CheckFailed(
                f"the invalid order {json.dumps(event)} raised {type(error).__name__}; Lambda would retry it twice "
                "for nothing. Catch InvalidOrder, log it and return {'status': 'rejected', ...}."
            )
        if not isinstance(answer, dict) or answer.get("status") != "rejected":
            raise CheckFailed(f"the invalid order {json.dumps(event)} should be rejected, got {shown(answer)}.")
    if _confirmations(ctx):
        raise CheckFailed("an invalid order was confirmed.")


@EXERCISE.live(
    "invoked asynchronously while the provider is busy once: Lambda's retry confirms the order "
    "(attempts counted from the function's log)"
)
def live(ctx: Context) -> None:
    dep = ctx.deploy()
    since = int(time.time() * 1000)
    order = f"o-{ctx.run_id}"
    answer = clients.client("lambda").invoke(
        FunctionName=dep.name,
        InvocationType="Event",
        Payload=json.dumps({"order_id": order, "amount": 42, "busy_for": 1}).encode(),
    )
    if answer["StatusCode"] != 202:
        raise CheckFailed(f"an asynchronous invoke answered {answer['StatusCode']}, not 202.")
    table = clients.resource("dynamodb").Table(ctx.env["CONFIRMATIONS_TABLE"])
    tries = 0
    for _ in attempts(deadline_s=8, first=0.3, cap=0.5):
        tries = len(logged(dep.name, since, message="charge attempt", where=lambda line: line["order_id"] == order))
        if tries >= 2 and "Item" in table.get_item(Key={"order_id": order}):
            break
    if "Item" not in table.get_item(Key={"order_id": order}):
        raise CheckFailed(
            f"order {order} (provider busy once) was never confirmed; its charge was attempted "
            f"{tries} times. Did the first failure reach Lambda, so that it retried?"
        )
    if tries != 2:
        raise CheckFailed(
            f"order {order} should take exactly two attempts (one failure, one retry by Lambda); "
            f"the function's log shows {tries}."
        )
