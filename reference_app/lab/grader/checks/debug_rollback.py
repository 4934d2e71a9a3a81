"""Checks for debug-rollback (11_deploying_safely): a rollback must send every invocation to the stable version."""

from __future__ import annotations

import boto3

from ...clients import client
from ...lesson_helpers import deploying
from ..framework import CheckFailed, Context, Exercise, shown
from ._aliases import ALIAS, expect_alias, moto_versions, older_releases, run_weight

EXERCISE = Exercise("debug-rollback")
NAME = "lab-ex-debug-rollback"
DRILL_WEIGHT = 0.2  # the live drill's canary: 100 quotes before the rollback always reach it
STILL_ON = (
    "after rollback, version {bad} still answered {n} of {total} quotes through the alias ({errors} "
    "failed): the canary's weight is still on. An UpdateAlias without RoutingConfig keeps the weights."
)


@EXERCISE.unit("rollback returns the stable version and leaves the alias on it alone, with no weights")
def rolls_back(ctx: Context) -> None:
    module = ctx.load()
    # versions published before the stable one (an old release or two): the stable version is not "the first one"
    *_older, stable, _other, bad = moto_versions(NAME, [*older_releases(ctx.rng), "blue", "blue-hotfix", "green"])
    lam = boto3.client("lambda", region_name="us-east-1")
    lam.create_alias(
        FunctionName=NAME,
        Name=ALIAS,
        FunctionVersion=stable,
        RoutingConfig={"AdditionalVersionWeights": {bad: run_weight(ctx.rng)}},
    )
    answered = module.rollback(lam, NAME, ALIAS)
    if isinstance(answered, dict) and "FunctionVersion" in answered:
        raise CheckFailed(
            f"rollback returned a whole API response ({shown(sorted(answered), 80)}); it should return "
            f"the stable version itself, a string such as {stable!r}."
        )
    if answered != stable:
        raise CheckFailed(
            f"rollback returned {shown(answered, 80)}; it should return the stable version, the "
            f"alias's primary, as Lambda names it: {stable!r}."
        )
    expect_alias(lam, NAME, stable, {}, "after rollback")


class Drill:
    """Quotes through the alias before and after the learner's rollback."""

    def __init__(self, stable: str, bad: str, returned, before, after, alias: dict):
        self.stable, self.bad, self.returned = stable, bad, returned
        self.before, self.after, self.alias = before, after, alias

    def served(self, table, version: str) -> tuple[int, int]:
        if version not in table.index:
            return 0, 0
        return int(table.loc[version, "invocations"]), int(table.loc[version, "errors"])

    def __str__(self) -> str:
        lines = [
            f"stable version {self.stable}, failing canary {self.bad}",
            "before rollback (quotes through the alias):",
            *("  " + r for r in str(self.before).splitlines()),
            f"rollback returned {self.returned!r}; the alias now: primary {self.alias['primary']}, "
            f"weights {self.alias['weights']}",
            "after rollback:",
            *("  " + r for r in str(self.after).splitlines()),
        ]
        return "\n".join(lines)

    __repr__ = __str__


def _drill(ctx: Context) -> Drill:
    module = ctx.load()
    stable = deploying.release(deploying.BLUE, name=NAME)
    deploying.release({**deploying.BLUE, "RELEASE": "blue-hotfix"}, name=NAME)
    bad = deploying.release(deploying.GREEN_LIMIT_BUG, name=NAME)
    deploying.ensure_alias(stable, {bad: DRILL_WEIGHT}, name=NAME)
    seed = ctx.rng.randrange(2**31)
    before = deploying.count_by_version(100, seed=seed, name=NAME)
    returned = module.rollback(client("lambda"), NAME, ALIAS)
    after = deploying.count_by_version(200, seed=seed + 1, name=NAME)
    return Drill(stable, bad, returned, before, after, deploying.alias_state(NAME))


@EXERCISE.show
def demo(ctx: Context) -> Drill:
    """Start a failing canary, call rollback, and count which version answers before and after."""
    return _drill(ctx)


@EXERCISE.live("on the emulator: after rollback, 200 quotes through the alias all reach the stable version")
def live(ctx: Context) -> None:
    drill = _drill(ctx)
    n, errors = drill.served(drill.after, drill.bad)
    if n:
        raise CheckFailed(STILL_ON.format(bad=drill.bad, n=n, total=200, errors=errors))
    if drill.returned != drill.stable:
        raise CheckFailed(f"rollback returned {shown(drill.returned, 80)}, not the stable version {drill.stable!r}.")
    expect_alias(client("lambda"), NAME, drill.stable, {}, "on the emulator, after rollback")
