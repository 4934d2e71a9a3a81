"""The order saga of ``order_saga`` again, as a Lambda durable function (no state machine).

What it demonstrates
    The same steps (reserve, charge, ship) and compensations (release, refund) as the Step
    Functions saga in ``order_saga.asl.json``, orchestrated by ordinary Python in one function
    with AWS's Durable Execution SDK for Python. Each step runs inside ``context.step``: its
    result is checkpointed, and when the function is invoked again (after a wait, a failure, a
    redeploy) the SDK *replays* the code and returns checkpointed results instead of running the
    step twice. So everything with a side effect is a step, and the code between steps must be
    deterministic (no clock, no random, no I/O outside a step). A pause is ``context.wait``: the
    function returns, nothing is billed while it waits, and the execution resumes in a new
    invocation; ``time.sleep`` would hold (and bill) the invocation instead.

    Which compensations run mirrors the state machine's ``Catch`` rules: a business error
    (``PaymentDeclined``, ``OutOfStock``, ``InvalidOrder``) means the failing step did nothing, so
    only the steps completed before it are undone, in reverse order; any other error may have come
    after the side effect, so the failing step is compensated too (compensations are idempotent:
    undoing what never happened is a no-op). The step's error reaches the orchestrator as
    ``StepError`` whose ``error_type`` is the exception's class name.

Trigger
    A durable invocation: ``{"order": {...}}`` as the execution's input (the same input as the
    state machine's). Returns ``{"status": "COMPLETED" | "REJECTED" | "FAILED", ...}``.

Environment
    ``SAGA_TABLE``           DynamoDB table (logical ``saga``), key ``order_id``
    ``CHARGE_LIMIT_CENTS``   optional, default 50000
    ``SHIP_AFTER_SECONDS``   optional, default 1: the durable wait between charge and ship

Notebooks
    12_beyond_the_zip (durable functions beside Step Functions).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import boto3
from aws_durable_execution_sdk_python import DurableContext, StepError, durable_execution
from aws_durable_execution_sdk_python.config import Duration, StepConfig
from aws_durable_execution_sdk_python.retries import RetryPresets, RetryStrategyConfig, create_retry_strategy

from reference_app.handlers.order_saga import (
    DEFAULT_CHARGE_LIMIT_CENTS,
    charge,
    parse_order,
    refund,
    release,
    reserve,
    ship,
)

REQUIREMENTS = ("aws-durable-execution-sdk-python", "aws-lambda-powertools")

#: a business error says the step did nothing: no retry, and no compensation of that step
BUSINESS_ERRORS = frozenset({"PaymentDeclined", "OutOfStock", "InvalidOrder", "ShippingUnavailable"})
REJECTING = frozenset({"OutOfStock", "InvalidOrder"})  # a reservation refused: the order is rejected
#: steps: a business error is final; compensations: retried, they are idempotent
STEP = StepConfig(retry_strategy=RetryPresets.none())
COMPENSATION = StepConfig(
    retry_strategy=create_retry_strategy(RetryStrategyConfig(max_attempts=3, initial_delay=Duration.from_seconds(1)))
)


@functools.cache
def _table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["SAGA_TABLE"])


def error_name(exc: StepError) -> str:
    """The class name of the exception a step raised (the SDK records it with its module)."""
    return (exc.error_type or "").rsplit(".", 1)[-1]


def run_saga(
    context: DurableContext,
    event: dict[str, Any],
    table: Any,
    *,
    charge_limit_cents: int = DEFAULT_CHARGE_LIMIT_CENTS,
    ship_after_s: int = 1,
) -> dict[str, Any]:
    """Reserve, charge, (wait), ship; on failure, the compensations the failure calls for."""
    order = parse_order(event.get("order"))  # pure: the same on every replay
    steps: list[tuple[str, Callable[[], dict], str | None, Callable[[], dict] | None]] = [
        ("reserve", lambda: reserve(table, order), "release", lambda: release(table, order)),
        ("charge", lambda: charge(table, order, charge_limit_cents), "refund", lambda: refund(table, order)),
        ("ship", lambda: ship(table, order), None, None),
    ]
    results: dict[str, Any] = {}
    done: list[tuple[str, Callable[[], dict]]] = []
    for name, action, undo_name, undo in steps:
        if name == "ship" and ship_after_s:
            context.wait(Duration.from_seconds(ship_after_s), name="cooling-off")
        try:
            results[name] = context.step(lambda _ctx, action=action: action(), name=name, config=STEP)
        except StepError as exc:
            error = error_name(exc)
            if name == "reserve" and error in REJECTING:
                return {"status": "REJECTED", "order_id": order.order_id, "error": error}
            if error not in BUSINESS_ERRORS and undo is not None:
                done.append((undo_name, undo))  # it may have happened: undo it too
            undone = [
                u
                for u, fn in reversed(done)
                if context.step(lambda _ctx, fn=fn: fn(), name=u, config=COMPENSATION) is not None
            ]
            return {"status": "FAILED", "order_id": order.order_id, "error": error, "compensations": undone}
        if undo is not None:
            done.append((undo_name, undo))
    return {"status": "COMPLETED", "order_id": order.order_id, **results}


@durable_execution
def lambda_handler(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    limit = int(os.environ.get("CHARGE_LIMIT_CENTS", DEFAULT_CHARGE_LIMIT_CENTS))
    wait_s = int(os.environ.get("SHIP_AFTER_SECONDS", "1"))
    return run_saga(context, event, _table(), charge_limit_cents=limit, ship_after_s=wait_s)
