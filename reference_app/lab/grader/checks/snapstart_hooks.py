"""Checks for snapstart-hooks (12_beyond_the_zip): runtime hooks that keep a restored function unique and connected.

The unit checks restore one snapshot of the learner's module into two environments
(:func:`~reference_app.lab.lesson_helpers.beyond_zip.restore`: INIT and the before-snapshot hooks in one
process, then one ``os.fork`` per restored environment, which runs the after-restore hooks and one
invocation), against a loopback ledger that gives every connection an id. The live check publishes a
SnapStart version on the emulator, whose runtime runs the same hooks when the version is published.
"""

from __future__ import annotations

import json

from ...clients import client
from ...lesson_helpers.beyond_zip import Ledger, publish_snapstart, restore
from ..framework import CheckFailed, Context, Exercise

EXERCISE = Exercise("snapstart-hooks", timeout=10)


def _restored(ctx: Context, ledger: Ledger) -> list[dict]:
    environments = ctx.rng.choice((2, 3))  # how many environments one snapshot is restored into, per run
    found = restore(ctx.path, environments, env={"LEDGER_ADDRESS": ledger.address})
    for r in found:
        if r.error.startswith("NotImplementedError"):
            raise NotImplementedError(r.error)
    init = [r for r in found if r.environment == 0]
    if init:
        raise CheckFailed(f"INIT or a before-snapshot hook failed, so there is no snapshot: {init[0].error}.")
    broken = [r for r in found if r.error]
    if broken:
        raise CheckFailed(
            f"restored environment {broken[0].environment} failed its first invocation "
            f"({broken[0].error}): after a restore, is there a connection to use?"
        )
    if len(found) != environments:
        raise CheckFailed(f"expected answers from {environments} restored environments, got {len(found)}.")
    return [r.answer for r in found]


@EXERCISE.unit("environments restored from one snapshot (two or three) hand out different order ids")
def unique(ctx: Context) -> None:
    with Ledger() as ledger:
        answers = _restored(ctx, ledger)
    ids = [a.get("order_id") for a in answers]
    if len(set(ids)) != len(ids):
        twice = next(i for i in ids if ids.count(i) > 1)
        raise CheckFailed(
            f"{ids.count(twice)} of {len(ids)} restored environments handed out {twice}: the "
            "state of the generator the handler draws ids from is in the snapshot. Give that generator "
            "fresh entropy after the restore, from os.urandom (re-seeding before the snapshot, or with "
            "a constant or the clock, is still one state for every environment)."
        )


@EXERCISE.unit("no connection is open in the snapshot, and each restored environment opens its own")
def connections(ctx: Context) -> None:
    with Ledger() as ledger:
        answers = _restored(ctx, ledger)
        used = [int(a["ledger"].split("conn=")[1]) for a in answers]
        if len(set(used)) != len(used):
            shared = next(c for c in used if used.count(c) > 1)
            raise CheckFailed(
                f"{used.count(shared)} of {len(used)} restored environments wrote on ledger connection "
                f"{shared}: a socket opened at INIT is shared by every environment restored from "
                "the snapshot. Open a new one after the restore."
            )
        if 1 in used:
            raise CheckFailed(
                "a restored environment wrote on the connection INIT opened: open a new one after the restore."
            )
        ledger.wait_closed(1)
        if not ledger.closed_before_opened(1, min(used)):
            raise CheckFailed(
                "the connection INIT opened was still open when the snapshot was taken: close it in "
                "the before-snapshot hook, so no open socket goes into the snapshot."
            )


@EXERCISE.live("on the emulator: a published SnapStart version runs the hooks and answers on a fresh connection")
def live(ctx: Context) -> None:
    with Ledger() as ledger:
        version = publish_snapstart(ctx.function_name, ctx.path, {"LEDGER_ADDRESS": ledger.address})
        lam = client("lambda")
        answers = []
        for _ in range(2):
            response = lam.invoke(FunctionName=ctx.function_name, Qualifier=version, Payload=b"{}")
            payload = json.loads(response["Payload"].read() or b"null")
            if response.get("FunctionError"):
                raise CheckFailed(
                    f"version {version} failed: {payload.get('errorType')}: "
                    f"{payload.get('errorMessage')} (lambda-lab logs {ctx.function_name})."
                )
            answers.append(payload)
        used = {int(a["ledger"].split("conn=")[1]) for a in answers}
        first_open = min(used)
        init_conns = [c for kind, c in ledger.events if kind == "open" and c < first_open]
        if not init_conns:
            raise CheckFailed(
                "the published version answered on the connection INIT opened: the after-restore "
                "hook should open a new one."
            )
        if len({a["order_id"] for a in answers}) != 2:
            raise CheckFailed("two invocations handed out the same order id.")
        ledger.wait_closed(init_conns[-1])
        if not ledger.closed_before_opened(init_conns[-1], first_open):
            raise CheckFailed(
                "the connection INIT opened was not closed before the snapshot (the before-snapshot hook)."
            )
