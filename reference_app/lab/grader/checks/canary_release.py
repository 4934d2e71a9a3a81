"""Checks for canary-release (11_deploying_safely): a canary on an alias, measured, then promoted."""

from __future__ import annotations

import boto3

from ...clients import client
from ...lesson_helpers import deploying
from ..framework import CheckFailed, Context, Exercise
from ._aliases import ALIAS, describe, expect_alias, moto_versions, older_releases, read_alias, run_weight

EXERCISE = Exercise("canary-release")
NAME = "lab-ex-canary-release"


def _moto(ctx: Context):
    module = ctx.load()
    *_older, stable, new = moto_versions(NAME, [*older_releases(ctx.rng), "blue", "green"])
    lam = boto3.client("lambda", region_name="us-east-1")
    lam.create_alias(FunctionName=NAME, Name=ALIAS, FunctionVersion=stable)
    return module, lam, stable, new


@EXERCISE.unit("start_canary keeps the stable version primary and sends the run's weight to the new one")
def canary_weights(ctx: Context) -> None:
    module, lam, stable, new = _moto(ctx)
    weight = run_weight(ctx.rng)
    module.start_canary(lam, NAME, ALIAS, new, weight)
    expect_alias(lam, NAME, stable, {new: weight}, f"after start_canary(..., {new!r}, {weight})")


@EXERCISE.unit("start_canary refuses $LATEST: a weighted alias needs two published versions")
def refuses_latest(ctx: Context) -> None:
    module, lam, _, _ = _moto(ctx)
    try:
        module.start_canary(lam, NAME, ALIAS, "$LATEST", run_weight(ctx.rng))
    except Exception:  # refused, by the function or by the API: either is right
        pass
    primary, weights = read_alias(lam, NAME)
    if primary == "$LATEST" or "$LATEST" in weights:
        raise CheckFailed(
            f"start_canary with '$LATEST' left the alias with {describe(primary, weights)}; Lambda "
            "refuses an alias that routes to $LATEST by weight: refuse it before calling UpdateAlias."
        )


@EXERCISE.unit("start_canary raises ValueError for a weight outside (0, 1) and leaves the alias as it was")
def refuses_bad_weights(ctx: Context) -> None:
    module, lam, stable, new = _moto(ctx)
    # 0 routes nothing and 1 is a promotion, not a canary (Lambda accepts both); beyond them Lambda refuses
    negative, above = round(ctx.rng.uniform(-0.9, -0.01), 2), round(ctx.rng.uniform(1.01, 1.9), 2)
    for weight in ctx.rng.sample([0, 1, negative, above], 4):
        try:
            module.start_canary(lam, NAME, ALIAS, new, weight)
        except ValueError:
            pass
        except Exception as exc:  # e.g. botocore's ParamValidationError: the SDK refused it, the function did not
            raise CheckFailed(
                f"start_canary(..., {new!r}, {weight}) raised {type(exc).__name__} instead of ValueError: check "
                "that the weight is strictly between 0 and 1 before calling UpdateAlias."
            ) from None
        else:
            raise CheckFailed(
                f"start_canary(..., {new!r}, {weight}) did not raise ValueError: a canary's weight "
                "is a fraction strictly between 0 and 1."
            )
        expect_alias(lam, NAME, stable, {}, f"after start_canary(..., {new!r}, {weight}) was refused")


@EXERCISE.unit("promote sends everything to the new version and leaves no weights behind")
def promotes(ctx: Context) -> None:
    module, lam, _, new = _moto(ctx)
    module.start_canary(lam, NAME, ALIAS, new, run_weight(ctx.rng))
    module.promote(lam, NAME, ALIAS, new)
    expect_alias(lam, NAME, new, {}, f"after promote(..., {new!r})")


@EXERCISE.live("on the emulator: the canary's share counted over 300 quotes, then promoted to 100 %")
def live(ctx: Context) -> None:
    module = ctx.load()
    stable = deploying.release(deploying.BLUE, name=NAME)
    new = deploying.release({**deploying.BLUE, "RELEASE": "green", "TAX_RATE": "0.21"}, name=NAME)
    deploying.ensure_alias(stable, name=NAME)
    weight, lam = run_weight(ctx.rng), client("lambda")
    module.start_canary(lam, NAME, ALIAS, new, weight)
    expect_alias(lam, NAME, stable, {new: weight}, "on the emulator, after start_canary")
    counted = deploying.count_by_version(300, seed=ctx.rng.randrange(2**31), name=NAME)
    share = float(counted["share"].get(new, 0.0))
    spread = 5 * (weight * (1 - weight) / 300) ** 0.5
    if abs(share - weight) > spread:
        raise CheckFailed(
            f"version {new} answered {share:.0%} of 300 quotes through the alias, not about {weight:.0%}."
        )
    module.promote(lam, NAME, ALIAS, new)
    expect_alias(lam, NAME, new, {}, "on the emulator, after promote")
    after = deploying.count_by_version(50, seed=ctx.rng.randrange(2**31), name=NAME)
    if list(after.index) != [new]:
        raise CheckFailed(f"after promote, versions {', '.join(after.index)} answered; only {new} should.")
