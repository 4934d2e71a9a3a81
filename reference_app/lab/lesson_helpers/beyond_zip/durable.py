"""Durable functions: a durable handler run with AWS's local testing SDK (checkpoints, replay, steps)."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ...clients import resource
from ...reference_deploys import ensure_resource
from ..common import new_run_id as new_run_id  # re-exported for the lesson


# --- durable functions ---------------------------------------------------------------------------------------
@dataclass
class DurableRun:
    """One durable execution run locally: its status, result and the operations it checkpointed."""

    status: str
    result: Any
    operations: list[tuple[str, str, str]]  # (kind, name, status)
    seconds: float
    error: str = ""

    def kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.operations]

    def names(self, kind: str | None = None) -> list[str]:
        return [name for k, name, _ in self.operations if kind is None or k == kind]


@contextlib.contextmanager
def _quiet_sdk() -> Iterator[None]:
    """The SDK logs a failed step with its traceback; a failed step is the lesson, not noise."""
    names = ("aws_durable_execution_sdk_python", "aws_durable_execution_sdk_python_testing")
    saved = {n: logging.getLogger(n).level for n in names}
    for n in names:
        logging.getLogger(n).setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for n, level in saved.items():
            logging.getLogger(n).setLevel(level)


def run_durable(orchestrate: Callable[[Any, Any], Any], event: dict, timeout: int = 30) -> DurableRun:
    """Run ``orchestrate(event, durable_context)`` as a durable execution with the local testing SDK."""
    from aws_durable_execution_sdk_python import durable_execution
    from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

    handler = durable_execution(orchestrate)
    started = time.perf_counter()
    with _quiet_sdk(), DurableFunctionTestRunner(handler=handler) as runner:
        result = runner.run(input=json.dumps(event), timeout=timeout)
    operations = [
        (
            type(op).__name__.removesuffix("Operation").lower(),
            op.name or "",
            getattr(getattr(op, "status", None), "value", ""),
        )
        for op in result.operations
    ]
    value = json.loads(result.result) if isinstance(result.result, str) else result.result
    error = getattr(result.error, "message", "") if getattr(result, "error", None) else ""
    return DurableRun(
        str(getattr(result.status, "value", result.status)),
        value,
        operations,
        round(time.perf_counter() - started, 2),
        error or "",
    )


def durable_sagas(table: Any, orders: dict[str, dict], ship_after_s: int = 1) -> dict[str, DurableRun]:
    """Run the durable order saga once per labelled order, against ``table`` (a boto3 Table)."""
    from reference_app.handlers.order_saga_durable import run_saga

    def orchestrate(event: dict, context: Any) -> dict:
        return run_saga(context, event, table, ship_after_s=ship_after_s)

    return {label: run_durable(orchestrate, {"order": order}) for label, order in orders.items()}


def saga_table(prefix: str = "lab-12-") -> Any:
    """The saga table (the same definition as module 09's), on the emulator, as a boto3 Table."""
    return resource("dynamodb").Table(ensure_resource("table", "saga", prefix=prefix))


def replay_counts(wait_s: int = 1) -> dict[str, int]:
    """How often a durable function's body and its one step run when a wait sits between them."""
    from aws_durable_execution_sdk_python.config import Duration

    runs = {"function body (outside steps)": 0, "step": 0}

    def step(_ctx: Any) -> str:
        runs["step"] += 1
        return "charged"

    def orchestrate(event: dict, context: Any) -> str:
        runs["function body (outside steps)"] += 1
        result = context.step(step, name="charge")
        context.wait(Duration.from_seconds(wait_s), name="pause")
        return result

    run = run_durable(orchestrate, {})
    return {**runs, "execution": run.status, "result": run.result}


def durable_summary(runs: dict[str, DurableRun]):
    """One row per run: the saga's outcome and the operations the durable execution recorded."""
    import pandas as pd

    rows = {
        label: {
            "execution": r.status,
            "saga": (r.result or {}).get("status"),
            "error": (r.result or {}).get("error", ""),
            "compensations": ", ".join((r.result or {}).get("compensations", [])),
            "operations": " → ".join(f"{k}:{n}" + ("" if s == "SUCCEEDED" else f" ({s})") for k, n, s in r.operations),
            "seconds": r.seconds,
        }
        for label, r in runs.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index")
