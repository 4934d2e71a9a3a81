"""Checks for debug-swallowed-errors (08_observability): a failure must be an error Lambda counts."""

from __future__ import annotations

import contextlib
import json
import logging
import time

from ... import clients
from ...deploy import invoke
from ...lesson_helpers.observability import alarm_state, error_alarm, metric_sum
from ...logs import invocations
from ..framework import CheckFailed, Context, Exercise, shown
from ._common import context, table_items

EXERCISE = Exercise(
    "debug-swallowed-errors", resources={"PAYMENTS_TABLE": ("table", "orders")}, function_per_source=True
)
SWALLOWED = (
    "the handler returned {answer} for a charge that failed ({why}). Lambda counts that invocation as a "
    "success: the Errors metric and its alarm never see it, the caller thinks the order is paid, and an "
    "asynchronous event is neither retried nor sent to its on-failure destination. Log why, then raise."
)


@contextlib.contextmanager
def _root_logger_kept():
    """The learner's module configures the root logger, as on Lambda; in this process, keep it as it was
    and its records out of the notebook (Lambda's runtime, not this process, prints them)."""
    root = logging.getLogger()
    level, quiet = root.level, logging.NullHandler()
    root.addHandler(quiet)
    try:
        yield
    finally:
        root.removeHandler(quiet)
        root.setLevel(level)


def _failing(run: str, rng=None) -> list[tuple[dict, str]]:
    if rng is None:
        return [
            ({"order_id": f"{run}-bad-amount", "amount_cents": -5}, "a negative amount"),
            ({"amount_cents": 100}, "no order_id"),
            ({"order_id": f"{run}-paid", "amount_cents": 100}, "an order charged already"),
        ]
    bad = rng.choice((-rng.randint(1, 999), 0, str(rng.randint(1, 999)), rng.randint(1, 999) + 0.5))
    return [
        ({"order_id": f"{run}-{rng.token(5)}", "amount_cents": bad}, f"the amount {bad!r}"),
        ({"amount_cents": rng.amount_cents()}, "no order_id"),
        ({"order_id": f"{run}-paid", "amount_cents": rng.amount_cents()}, "an order charged already"),
    ]


class _Records(logging.Handler):
    """Every record logged while a failing charge runs, formatted with its traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[tuple[int, str]] = []
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.levelno, self.format(record)))


@EXERCISE.unit("a valid charge is recorded and answered")
def charges(ctx: Context) -> None:
    event = {"order_id": f"o-{ctx.rng.token(6)}", "amount_cents": ctx.rng.amount_cents()}
    with _root_logger_kept():
        module = ctx.load()
        answer = module.lambda_handler(dict(event), context())
    items = [dict(i) for i in table_items(ctx.env["PAYMENTS_TABLE"])]
    if [(i.get("order_id"), i.get("amount_cents")) for i in items] != [(event["order_id"], event["amount_cents"])]:
        raise CheckFailed(
            f"the valid charge {shown(event)} should be recorded once in the table, as sent; it holds "
            f"{shown(items)} and the handler answered {shown(answer)}."
        )


@EXERCISE.unit("every failing charge raises: a bad amount, no order id, an order charged already")
def failures_raise(ctx: Context) -> None:
    failing = _failing("u", ctx.rng)
    with _root_logger_kept():
        module = ctx.load()
        module.lambda_handler({"order_id": "u-paid", "amount_cents": ctx.rng.amount_cents()}, context())
        for event, why in failing:
            caught = _Records()
            logging.getLogger().addHandler(caught)
            try:
                answer = module.lambda_handler(event, context())
            except Exception as exc:
                _said_why(exc, why, caught.lines)
                continue
            finally:
                logging.getLogger().removeHandler(caught)
            raise CheckFailed(SWALLOWED.format(answer=shown(answer), why=why))


def _said_why(exc: BaseException, why: str, lines: list[tuple[int, str]]) -> None:
    """The log must say why a charge failed: an ERROR line with the exception's message or type."""
    chain: list[str] = []
    cause: BaseException | None = exc
    while cause is not None and len(chain) < 6:
        chain += [str(cause), type(cause).__name__]
        cause = cause.__cause__ or cause.__context__
    errors = [text for level, text in lines if level >= logging.ERROR]
    if not any(w and w in text for text in errors for w in chain):
        raise CheckFailed(
            f"the charge with {why} raised {type(exc).__name__}, but no ERROR log line says why "
            f"({len(errors)} ERROR line(s) logged): log the exception (logger.exception), then raise."
        )


@EXERCISE.show
def demo(ctx: Context):
    """Deploy the function as it is, send three failing charges, and gather what each observer saw."""
    return _run(ctx)


@EXERCISE.live("on the emulator: three failing charges are three Errors, the alarm fires, the log says why")
def live(ctx: Context) -> None:
    seen = _run(ctx)
    if seen.function_errors != 3:
        raise CheckFailed(
            f"{3 - seen.function_errors} of the 3 failing charges reached the caller as a success "
            f"(answers: {shown(seen.answers, 400)})."
        )
    if seen.errors_metric < 3:
        raise CheckFailed(f"AWS/Lambda Errors counted {seen.errors_metric:.0f} of the 3 failures.")
    if seen.alarm != "ALARM":
        raise CheckFailed(f"the alarm on Errors is {seen.alarm}, not ALARM, after three failures.")
    if len(seen.error_lines) < 3:
        raise CheckFailed(f"{len(seen.error_lines)} of the 3 failures left an [ERROR] line saying why in the log.")


class Seen:
    """What the caller, the log, the Errors metric and the alarm saw of three failing charges."""

    def __init__(self, answers: list, error_lines: list[str], errors_metric: float, alarm: str):
        self.answers = [a.payload for a in answers]
        self.function_errors = sum(1 for a in answers if a.function_error)
        self.error_lines, self.errors_metric, self.alarm = error_lines, errors_metric, alarm

    def __str__(self) -> str:
        lines = [
            f"what the caller got: {self.function_errors} of 3 calls failed",
            *(f"  {json.dumps(a)[:110]}" for a in self.answers),
            "what the function logged:",
            *(f"  {line[:150]}" for line in self.error_lines),
            f"AWS/Lambda Errors: {self.errors_metric:.0f}",
            f"alarm on Errors: {self.alarm}",
        ]
        return "\n".join(lines)

    __repr__ = __str__


def _run(ctx: Context) -> Seen:
    dep = ctx.deploy()
    since_ms, since = int(time.time() * 1000), time.time()
    alarm = error_alarm(dep.name, threshold=3, name=f"{dep.name}-{ctx.run_id}")
    invoke(dep.name, {"order_id": f"{ctx.run_id}-paid", "amount_cents": 100})
    answers = [invoke(dep.name, event) for event, _ in _failing(ctx.run_id, ctx.rng)]
    errors_metric = metric_sum("AWS/Lambda", "Errors", {"FunctionName": dep.name}, since)
    state = alarm_state(alarm, "ALARM", timeout_s=1.0)
    logged = [line for block in invocations(dep.name, since_ms) for line in block.output]

    clients.client("cloudwatch").delete_alarms(AlarmNames=[alarm])
    return Seen(answers, [line for line in logged if "ERROR" in line], errors_metric, state)
