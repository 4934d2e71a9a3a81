"""Checks for async-on-failure (05_error_handling): a failure must fail the invocation to be retried and parked."""

from __future__ import annotations

import contextlib
import io
import json
import time

from ... import clients
from ...logs import LoggedInvocation, wait_for_invocations
from ...poll import attempts
from ...reference_deploys import ensure_queue
from ..framework import CheckFailed, Context, Exercise, shown
from ._common import context

EXERCISE = Exercise("async-on-failure", timeout=5)
QUEUE = "lab-ex-refunds-failed"
RETRIES = 1


def _refused(run: str, rng=None) -> dict:
    if rng is None:
        return {"refund_id": f"r-{run}", "order_id": "o-1", "amount_cents": 50_000}
    order = rng.choice(("o-1", "o-2"))
    charged = {"o-1": 500, "o-2": 12_000}[order]
    return {
        "refund_id": f"r-{run}-{rng.token(5)}",
        "order_id": order,
        "amount_cents": rng.randint(charged + 1, charged * 20),
    }


@EXERCISE.unit(
    "a refund the gateway refuses fails the invocation (the exception reaches Lambda), after a log line that says why"
)
def refused_raises(ctx: Context) -> None:
    module = ctx.load()
    event = _refused("unit", ctx.rng)
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            answer = module.lambda_handler(event, context())
    except NotImplementedError:
        raise
    except Exception as exc:
        said = printed.getvalue()
        print(said, end="")  # the learner still sees their own lines, after the verdict
        chain: list[str] = []
        cause: BaseException | None = exc
        while cause is not None and len(chain) < 5:  # the error raised, or the one it was raised from
            chain += [str(cause), type(cause).__name__]
            cause = cause.__cause__ or cause.__context__
        why = [w for w in chain if w and w in said]
        if not why:
            raise CheckFailed(
                f"the refund {event['refund_id']} failed with {type(exc).__name__}, but no line of "
                f"the log says why (it printed {shown(said.strip() or 'nothing', 300)}): log the "
                "exception's message, then raise, so whoever reads the log knows the cause."
            ) from None
        return
    print(printed.getvalue(), end="")
    raise CheckFailed(
        f"the function answered {shown(answer)} for {shown(event)}, a refund the gateway refused: to Lambda that "
        "is a success, so it is not retried and never reaches the on-failure destination. Log the error, then raise."
    )


@EXERCISE.unit("a refund the gateway accepts returns its result")
def accepted(ctx: Context) -> None:
    module = ctx.load()
    order = ctx.rng.choice(("o-1", "o-2"))
    event = {
        "refund_id": f"r-{ctx.rng.token(6)}",
        "order_id": order,
        "amount_cents": ctx.rng.randint(1, {"o-1": 500, "o-2": 12_000}[order]),
    }
    answer = module.lambda_handler(event, context())
    if (
        not isinstance(answer, dict)
        or answer.get("status") != "refunded"
        or answer.get("refund_id") != event["refund_id"]
        or answer.get("amount_cents") != event["amount_cents"]
    ):
        raise CheckFailed(
            f"the refund {shown(event)} is within the order's charge and is made: answer what the "
            f"gateway returned; got {shown(answer)}."
        )


def _wire(ctx: Context) -> tuple[str, str]:
    """Deploy the learner's function with one retry and the support queue as on-failure destination."""
    dep = ctx.deploy()
    sqs = clients.client("sqs")
    url = ensure_queue(QUEUE)
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    clients.client("lambda").put_function_event_invoke_config(
        FunctionName=dep.name,
        MaximumRetryAttempts=RETRIES,
        MaximumEventAgeInSeconds=60,
        DestinationConfig={"OnFailure": {"Destination": arn}},
    )
    return dep.name, url


def _invoke_async(function: str, event: dict) -> None:
    clients.client("lambda").invoke(FunctionName=function, InvocationType="Event", Payload=json.dumps(event))


def _records(url: str, refund_id: str, deadline_s: float) -> list[dict]:
    """Invocation records for ``refund_id`` that reach the queue within ``deadline_s`` (left on the queue)."""
    sqs = clients.client("sqs")
    for _ in attempts(deadline_s, first=0.3, cap=0.5):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
        found = [json.loads(m["Body"]) for m in messages]
        found = [r for r in found if (r.get("requestPayload") or {}).get("refund_id") == refund_id]
        if found:
            return found
    return []


@EXERCISE.live("invoked asynchronously: a refused refund is retried once, then reaches the on-failure destination")
def live(ctx: Context) -> None:
    function, url = _wire(ctx)
    event = _refused(ctx.run_id, ctx.rng)
    since = int(time.time() * 1000)
    _invoke_async(function, event)
    records = _records(url, event["refund_id"], deadline_s=8)
    if not records:
        tried = len(wait_for_invocations(function, count=RETRIES + 1, since_ms=since, timeout_s=1))
        raise CheckFailed(
            f"after 8 s no record of {event['refund_id']} is in the on-failure destination, and the function ran "
            f"{tried} time(s): Lambda retries and parks only an invocation that failed."
        )
    record = records[0]
    count = record["requestContext"]["approximateInvokeCount"]
    error_type = (record.get("responsePayload") or {}).get("errorType")
    if count != RETRIES + 1 or error_type != "RefundRefused":
        raise CheckFailed(
            f"the record says {count} attempt(s) and errorType {error_type!r}; expected "
            f"{RETRIES + 1} attempts of an invocation that failed with RefundRefused."
        )


@EXERCISE.show
def demo(ctx: Context):
    """Deploy the function as it is, invoke it asynchronously with a refused refund, and show its log
    and what reached the on-failure destination."""
    function, url = _wire(ctx)
    event = _refused(ctx.run_id)
    since = int(time.time() * 1000)
    _invoke_async(function, event)
    wait_for_invocations(function, count=1, since_ms=since, timeout_s=5)
    # A retry comes about a second after a failed attempt on the emulator (a minute on AWS).
    runs = wait_for_invocations(function, count=RETRIES + 1, since_ms=since, timeout_s=1.8)
    return DemoResult(event, runs, _records(url, event["refund_id"], deadline_s=0.6))


class DemoResult:
    """The refund sent, each attempt's log, and the records the destination got."""

    def __init__(self, event: dict, invocations: list[LoggedInvocation], records: list[dict]):
        self.event, self.invocations, self.records = event, invocations, records

    @property
    def attempts(self) -> int:
        return len(self.invocations)

    def __str__(self) -> str:
        lines = [
            f"invoked asynchronously with {json.dumps(self.event)}; retries allowed: {RETRIES}",
            f"attempts in the log: {self.attempts}",
        ]
        for n, invocation in enumerate(self.invocations, 1):
            lines.append(f"--- attempt {n} (request id {invocation.request_id})")
            lines += invocation.lines
        lines.append(f"records in the on-failure destination: {len(self.records)}")
        lines += [json.dumps(record)[:300] for record in self.records]
        return "\n".join(lines)

    __repr__ = __str__
