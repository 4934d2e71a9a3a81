"""Checks for init-once (07_performance_and_cost): an expensive table prepared once per execution environment."""

from __future__ import annotations

import time

from ...deploy import force_cold_start, invoke
from ...logs import wait_for_invocations
from ..framework import CheckFailed, Context, Exercise, shown
from ._common import context

EXERCISE = Exercise("init-once", timeout=5)
WARM = 4
WARM_LIMIT_MS = 100  # a warm invocation that loads the table again takes 200 ms or more


@EXERCISE.unit("three invocations in one environment load the table once, and price correctly")
def loads_once(ctx: Context) -> None:
    module = ctx.load()
    vars(module)["LOAD_SECONDS"] = 0  # the same logic, without the wait (the module's own global)
    table = dict(module.load_rates())  # the given table, read once here (then the count starts again)
    vars(module)["LOADS"] = 0
    events = [
        {"country": ctx.rng.choice(sorted(table)), "net_cents": ctx.rng.amount_cents()}
        for _ in range(ctx.rng.randint(3, 6))
    ]
    for event in events:
        answer = module.lambda_handler(dict(event), context())
        wanted = round(event["net_cents"] * (100 + table[event["country"]]) / 100)
        if not isinstance(answer, dict) or answer.get("gross_cents") != wanted:
            raise CheckFailed(
                f"{event['net_cents']} cents net in {event['country']} ({table[event['country']]}% tax) "
                f"should cost {wanted} gross; the function answered {shown(answer)}."
            )
    if module.LOADS != 1:
        raise CheckFailed(
            f"load_rates() ran {module.LOADS} times for {len(events)} invocations in one environment; "
            "keep the table between invocations so it runs once."
        )


@EXERCISE.live("on the emulator: a cold start pays for the table, every warm invocation answers in milliseconds")
def warm_is_fast(ctx: Context) -> None:
    dep = ctx.deploy()
    force_cold_start(dep.name)
    since = int(time.time() * 1000)
    countries = ("DE", "FR", "GB", "JP")
    answers = [
        invoke(dep.name, {"country": ctx.rng.choice(countries), "net_cents": ctx.rng.amount_cents()})
        for _ in range(WARM + 1)
    ]
    if not all(a.ok for a in answers):
        raise CheckFailed(f"an invocation failed: {shown(next(a for a in answers if not a.ok).payload, 400)}.")
    if answers[-1].payload.get("loads") != 1:
        raise CheckFailed(
            f"after {WARM + 1} invocations the table was loaded {answers[-1].payload.get('loads')} "
            "times in the environment; it should be once."
        )
    blocks = wait_for_invocations(dep.name, WARM + 1, since, timeout_s=8)
    warm = [b.report["Duration"] for b in blocks if not b.cold]
    if len(warm) < WARM:
        raise CheckFailed(f"found {len(warm)} warm REPORT lines of {WARM}; look with lab.invocations({dep.name!r}).")
    if max(warm) >= WARM_LIMIT_MS:
        raise CheckFailed(
            f"warm invocations took up to {max(warm):.0f} ms (REPORT Duration); "
            f"they should answer in under {WARM_LIMIT_MS} ms once the table is kept."
        )
