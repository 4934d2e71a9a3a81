"""The order saga on Step Functions: run executions, read their history, draw their timeline.

Also :func:`with_voucher_step`, the state machine of exercise ``saga-voucher``: the kit's
``order_saga.asl.json`` with one more step and its compensation.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ...charts import altair, readable
from ...clients import client
from ...reference_deploys import ensure_state_machine as ensure
from .infra import item, wait_until

#: States that undo an earlier step.
COMPENSATIONS = frozenset({"RefundPayment", "ReleaseInventory", "ReinstateVoucher"})
#: Fail states: the saga ended without completing the order.
ENDINGS = frozenset({"OrderRejected", "OrderFailed", "CompensationFailed"})


@dataclass
class SagaRun:
    """One execution of the saga and its history."""

    label: str
    order: dict[str, Any]
    arn: str
    description: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.description.get("status", "RUNNING")

    @property
    def entered(self) -> list[str]:
        """The states the execution entered, in order."""
        return [e["stateEnteredEventDetails"]["name"] for e in self.events if "stateEnteredEventDetails" in e]

    @property
    def compensations(self) -> list[str]:
        return [state for state in self.entered if state in COMPENSATIONS]

    def steps(self):
        """One row per state: when it started and ended (ms after the execution started) and how."""
        import pandas as pd

        start = self.events[0]["timestamp"] if self.events else None
        rows: list[dict[str, Any]] = []
        for event in self.events:
            at = _ms(event["timestamp"], start)
            if "stateEnteredEventDetails" in event:
                rows.append(
                    {
                        "state": event["stateEnteredEventDetails"]["name"],
                        "start_ms": at,
                        "end_ms": at,
                        "outcome": "entered",
                    }
                )
            elif "stateExitedEventDetails" in event and rows:
                rows[-1].update(end_ms=at, outcome="done")
            elif event["type"] in ("TaskFailed", "LambdaFunctionFailed") and rows:
                details = event.get("taskFailedEventDetails") or event.get("lambdaFunctionFailedEventDetails") or {}
                rows[-1].update(end_ms=at, outcome=f"failed: {details.get('error', '?')}")
            elif event["type"] == "ExecutionFailed" and rows:
                rows[-1].update(end_ms=at, outcome="execution failed")
        for row in rows:
            row["kind"] = (
                "compensation"
                if row["state"] in COMPENSATIONS
                else "end"
                if row["state"] in ENDINGS
                else "done"
                if row["state"] == "OrderCompleted"
                else "step"
            )
        return pd.DataFrame(rows)

    def history(self):
        """The execution's events as a table: time, type, state, and the error or output in brief."""
        import pandas as pd

        start = self.events[0]["timestamp"] if self.events else None
        rows = []
        for event in self.events:
            details: dict = next((v for k, v in event.items() if k.endswith("EventDetails")), {}) or {}
            note = details.get("error") or details.get("output") or ""
            rows.append(
                {
                    "ms": _ms(event["timestamp"], start),
                    "type": event["type"],
                    "state": details.get("name", ""),
                    "error or output": str(note)[:60],
                }
            )
        return pd.DataFrame(rows)


def _ms(stamp: datetime, start: datetime | None) -> int:
    return int((stamp - start).total_seconds() * 1000) if start is not None else 0


def run_sagas(machine_arn: str, orders: dict[str, dict[str, Any]], timeout_s: float = 30.0) -> dict[str, SagaRun]:
    """Run one execution per order, one after the other, and read each history once it has ended.

    One at a time: the first warms the function's environment and the others reuse it, where three
    at once would start three environments (cold starts competing for the same CPUs)."""
    sfn = client("stepfunctions")
    runs: dict[str, SagaRun] = {}
    for label, placed in orders.items():
        run = SagaRun(
            label,
            placed,
            sfn.start_execution(stateMachineArn=machine_arn, input=json.dumps({"order": placed}))["executionArn"],
        )

        def ended(run: SagaRun = run) -> bool:
            run.description = sfn.describe_execution(executionArn=run.arn)
            return run.status != "RUNNING"

        wait_until(ended, f"the saga execution for {label}", timeout_s)
        pages = sfn.get_paginator("get_execution_history").paginate(executionArn=run.arn)
        run.events = [event for page in pages for event in page["events"]]
        runs[label] = run
    return runs


def summary(runs: dict[str, SagaRun]):
    """One row per execution: its status, the states it went through, and how it ended."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "run": label,
                "status": run.status,
                "path": " → ".join(run.entered),
                "error": run.description.get("error", ""),
            }
            for label, run in runs.items()
        ]
    ).set_index("run")


def timeline(runs: dict[str, SagaRun]):
    """A Gantt chart of the executions (Altair): one block per run, one row per state it entered (named on
    the left, each on its own row however close in time the states ran), compensations in orange."""
    alt = altair()
    colours = {"step": "#4c72b0", "compensation": "#dd8452", "end": "#c44e52", "done": "#55a868"}
    rows = []
    for label, run in runs.items():
        for n, step in enumerate(run.steps().itertuples(), 1):
            rows.append(
                {
                    "run": label,
                    "state": f"{n}. {step.state}",
                    "kind": step.kind,
                    "outcome": step.outcome,
                    "start_ms": step.start_ms,
                    "end_ms": max(step.end_ms, step.start_ms + 4),
                }
            )
    chart = (
        alt.Chart(alt.Data(values=rows), width=640, height=alt.Step(22))
        .mark_bar(stroke="white")
        .encode(
            x=alt.X("start_ms:Q", title="ms after the execution started"),
            x2="end_ms:Q",
            # One row per state entered, in the order entered: a name never shares its row with another.
            y=alt.Y("state:N", sort=None, title=None, axis=alt.Axis(labelOverlap=False, labelLimit=0)),
            color=alt.Color(
                "kind:N",
                title="state",
                scale=alt.Scale(domain=list(colours), range=list(colours.values())),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=["run:N", "state:N", "outcome:N", "start_ms:Q", "end_ms:Q"],
        )
        .facet(
            row=alt.Row("run:N", sort=list(runs), title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
            title="The order saga on Step Functions: steps (blue), compensations (orange), end (red/green)",
        )
        .resolve_scale(y="independent")
    )
    return readable(chart)


def saga_item(table: str, order_id: str) -> dict[str, Any]:
    """What the saga's steps left in the saga table for one order (its statuses)."""
    found = item(table, {"order_id": order_id}) or {}
    return {k: found.get(k, "-") for k in ("reservation_status", "payment_status", "shipment_status")}


# --- exercise saga-voucher ---------------------------------------------------------------------
VOUCHER_STEP, VOUCHER_COMPENSATION = "RedeemVoucher", "ReinstateVoucher"
_LAMBDA_RETRY = {
    "ErrorEquals": [
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
        "Lambda.TooManyRequestsException",
    ],
    "IntervalSeconds": 1,
    "MaxAttempts": 3,
    "BackoffRate": 2.0,
}


def with_voucher_step(definition: str, voucher_arn: str) -> str:
    """The order saga with ``RedeemVoucher`` after ``ReserveInventory`` and its compensation
    ``ReinstateVoucher`` before ``ReleaseInventory``, both running ``voucher_arn``.

    A rejected voucher (``VoucherRejected``) releases the reservation; any later failure now passes
    through ``ReinstateVoucher`` on its way to ``ReleaseInventory``, so the compensations still run
    in reverse order: refund, reinstate, release."""
    machine = json.loads(definition)
    states = machine["States"]
    if VOUCHER_STEP in states:
        raise ValueError("the definition already has a voucher step")
    reserve = states["ReserveInventory"]
    task = {"Type": "Task", "Resource": voucher_arn, "TimeoutSeconds": 30}
    states[VOUCHER_STEP] = {
        **task,
        "Comment": "Exercise saga-voucher: mark the order's voucher as used by it.",
        "Parameters": {"action": "redeem", "order.$": "$.order"},
        "ResultPath": "$.voucher",
        "Retry": [copy.deepcopy(_LAMBDA_RETRY)],
        "Catch": [
            {"ErrorEquals": ["VoucherRejected"], "ResultPath": "$.error", "Next": "ReleaseInventory"},
            {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": VOUCHER_COMPENSATION},
        ],
        "Next": reserve["Next"],
    }
    states[VOUCHER_COMPENSATION] = {
        **task,
        "Comment": "Exercise saga-voucher: compensation; idempotent, a no-op when this order redeemed nothing.",
        "Parameters": {"action": "reinstate", "order.$": "$.order"},
        "ResultPath": "$.reinstate",
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 5, "BackoffRate": 2.0}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.compensation_error", "Next": "CompensationFailed"}],
        "Next": "ReleaseInventory",
    }
    reserve["Next"] = VOUCHER_STEP
    for name, state in states.items():
        if name in ("ReserveInventory", VOUCHER_STEP, VOUCHER_COMPENSATION):
            continue
        if state.get("Next") == "ReleaseInventory":
            state["Next"] = VOUCHER_COMPENSATION
        for catcher in state.get("Catch", []):
            if catcher["Next"] == "ReleaseInventory":
                catcher["Next"] = VOUCHER_COMPENSATION
    return json.dumps(machine, indent=2)


def ensure_state_machine(name: str, definition: str) -> str:
    """Create or update a state machine with this definition (the kit's Step Functions role); its ARN."""
    return ensure(name, definition)
