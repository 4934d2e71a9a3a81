"""Checks for warm-client (02_handler): an expensive client at module scope, created once, reused warm."""

from __future__ import annotations

from ...deploy import invoke
from ..framework import CheckFailed, Context, Exercise, shown
from ._common import context

EXERCISE = Exercise("warm-client")
EUR_TO_USD = {"amount": 100, "from": "EUR", "to": "USD"}
GBP_TO_JPY = {"amount": 50, "from": "GBP", "to": "JPY"}
SLOW_MS = 200  # what creating a RatesClient costs


def _conversion(ctx: Context) -> dict:
    """An amount and two different currencies drawn for this run."""
    source, target = ctx.rng.sample(("EUR", "USD", "GBP", "JPY"), 2)
    cents = ctx.rng.randint(100, 500_000)
    return {"amount": (cents + (cents % 100 == 0)) / 100, "from": source, "to": target}  # never whole


def _expected(module, event: dict) -> float:
    """What the exercise's RatesClient answers for ``event`` (its rates, without making a client)."""
    rates = module.RatesClient.RATES
    return round(float(event["amount"]) / rates[event["from"]] * rates[event["to"]], 2)


def _answer(module, event: dict, what: str) -> dict:
    answer = module.lambda_handler(dict(event), context())
    if not isinstance(answer, dict) or not {"converted", "client_id", "clients_created"} <= set(answer):
        raise CheckFailed(f"{what}: answer {{'converted', 'client_id', 'clients_created'}}, not {shown(answer)}.")
    return answer


@EXERCISE.unit("importing the module creates no client (it is made on first use)")
def lazy(ctx: Context) -> None:
    module = ctx.load()
    if module.RatesClient.created:
        raise CheckFailed(
            "importing the module created a RatesClient: create it in rates(), on first use, so that a test "
            "(or a cold start that never needs it) does not pay for it."
        )


@EXERCISE.unit("three invocations in one environment create one client and reuse it")
def reused(ctx: Context) -> None:
    module = ctx.load()
    count = ctx.rng.randint(3, 5)
    answers = [_answer(module, _conversion(ctx), f"invocation {n}") for n in range(1, count + 1)]
    ids = {a["client_id"] for a in answers}
    if module.RatesClient.created != 1 or len(ids) != 1:
        raise CheckFailed(
            f"{count} invocations created {module.RatesClient.created} clients ({len(ids)} different ids): "
            "keep the one you create at module scope and return it from rates() every time."
        )


@EXERCISE.unit("each request gets its own answer (no request data kept at module scope)")
def own_answers(ctx: Context) -> None:
    module = ctx.load()
    events = [_conversion(ctx) for _ in range(ctx.rng.randint(3, 5))]
    for event in events:
        got = _answer(module, event, shown(event))["converted"]
        if got != _expected(module, event):
            raise CheckFailed(
                f"{event['amount']} {event['from']} is {_expected(module, event)} {event['to']}; the function "
                f"answered {got!r}: compute each request's answer from its own event; only the client is shared."
            )


@EXERCISE.live("deployed: three invocations share the environment's one client; a warm one skips the wait")
def live(ctx: Context) -> None:
    dep = ctx.deploy()
    runs = [invoke(dep.name, _conversion(ctx)) for _ in range(3)]
    failed = next((r for r in runs if not r.ok), None)
    if failed is not None:
        raise CheckFailed(f"the deployed function failed: {shown(failed.payload, 400)}")
    ids = {r.payload["client_id"] for r in runs}
    counts = [r.payload["clients_created"] for r in runs]
    if len(ids) != 1 or counts != [1, 1, 1]:
        raise CheckFailed(
            f"three invocations saw client ids {sorted(ids)} and counts {counts}: "
            "every invocation an environment serves should reuse the client it created first."
        )
    warm = runs[-1].logs()
    if warm is None or warm.cold or warm.report.get("Duration", SLOW_MS) >= SLOW_MS * 0.8:
        raise CheckFailed(
            "the last warm invocation still took as long as creating a client; "
            f"its REPORT line: {warm.lines[-1] if warm else 'not found'}."
        )
