"""Checks for saga-voucher (09_patterns): a saga step (redeem a voucher) and its compensation."""

from __future__ import annotations

import boto3

from ... import clients
from ...apps import deploy_handler, order_saga_definition
from ...events import load_event
from ...lessons.patterns.saga import ensure_state_machine, run_sagas, with_voucher_step
from ..framework import CheckFailed, Context, Exercise

EXERCISE = Exercise("saga-voucher", resources={"VOUCHERS_TABLE": ("table", "vouchers")}, timeout=10)
MACHINE = "lab-ex-saga-voucher"


def _table(ctx: Context, live: bool = False):
    dynamodb = clients.resource("dynamodb") if live else boto3.resource("dynamodb", region_name="us-east-1")
    return dynamodb.Table(ctx.env["VOUCHERS_TABLE"])


def _voucher(table, code: str, redeemed_by: str | None = None) -> None:
    item = {"voucher_code": code, "status": "REDEEMED" if redeemed_by else "AVAILABLE"}
    if redeemed_by:
        item["redeemed_by"] = redeemed_by
    table.put_item(Item=item)


def _state(table, code: str) -> tuple[str | None, str | None]:
    found = table.get_item(Key={"voucher_code": code}, ConsistentRead=True).get("Item") or {}
    return found.get("status"), found.get("redeemed_by")


def _order(order_id: str, code: str | None) -> dict:
    return {"order_id": order_id, **({"voucher_code": code} if code else {})}


def _rejected(module, table, order: dict) -> bool:
    try:
        module.redeem(table, order)
    except module.VoucherRejected:
        return True
    return False


@EXERCISE.unit("redeem marks the voucher as used by the order, and a retried redeem succeeds again")
def redeem(ctx: Context) -> None:
    module, table = ctx.load(), _table(ctx)
    _voucher(table, "SPRING-10")
    for attempt in ("first", "retried"):
        try:
            module.redeem(table, _order("o-1", "SPRING-10"))
        except module.VoucherRejected:
            raise CheckFailed(
                f"the {attempt} redeem for o-1 was rejected: Step Functions retries a task, so redeeming a voucher "
                "this order already redeemed must succeed again (allow redeemed_by = this order)."
            ) from None
        if _state(table, "SPRING-10") != ("REDEEMED", "o-1"):
            raise CheckFailed(f"after the {attempt} redeem the voucher should be REDEEMED by o-1, "
                              f"it is {_state(table, 'SPRING-10')}.")
    if module.redeem(table, _order("o-2", None)) != {"voucher": None}:
        raise CheckFailed("an order without a voucher_code has nothing to redeem: return {'voucher': None}.")


@EXERCISE.unit("a voucher another order redeemed, or one that does not exist, raises VoucherRejected")
def rejected(ctx: Context) -> None:
    module, table = ctx.load(), _table(ctx)
    _voucher(table, "TAKEN-5", redeemed_by="o-someone")
    if not _rejected(module, table, _order("o-3", "TAKEN-5")):
        raise CheckFailed("o-3 redeemed a voucher that o-someone had redeemed: raise VoucherRejected instead "
                          "(a condition on the status, or on redeemed_by being this order).")
    if _state(table, "TAKEN-5") != ("REDEEMED", "o-someone"):
        raise CheckFailed(f"a rejected redeem must change nothing; the voucher is now {_state(table, 'TAKEN-5')}.")
    if not _rejected(module, table, _order("o-3", "NO-SUCH-CODE")):
        raise CheckFailed("a voucher code that is not in the table must raise VoucherRejected "
                          "(attribute_exists(voucher_code) in the condition), not create a voucher.")
    if _state(table, "NO-SUCH-CODE") != (None, None):
        raise CheckFailed("redeeming an unknown code created an item for it; a condition must prevent that.")


@EXERCISE.unit("reinstate gives back only this order's voucher; twice, or with nothing redeemed, is a no-op")
def reinstate(ctx: Context) -> None:
    module, table = ctx.load(), _table(ctx)
    _voucher(table, "SPRING-10", redeemed_by="o-1")
    if module.reinstate(table, _order("o-2", "SPRING-10")).get("reinstated") is not False or \
            _state(table, "SPRING-10") != ("REDEEMED", "o-1"):
        raise CheckFailed("o-2's compensation gave back a voucher that o-1 redeemed: reinstate only when "
                          "redeemed_by is this order, and answer {'reinstated': False} otherwise.")
    if module.reinstate(table, _order("o-1", "SPRING-10")) != {"reinstated": True}:
        raise CheckFailed("reinstating o-1's own voucher should answer {'reinstated': True}.")
    if _state(table, "SPRING-10") != ("AVAILABLE", None):
        raise CheckFailed(f"after the reinstate the voucher should be AVAILABLE with no redeemed_by, "
                          f"it is {_state(table, 'SPRING-10')}.")
    for case, order in (("a second reinstate", _order("o-1", "SPRING-10")),
                        ("a reinstate for an order whose voucher was never redeemed", _order("o-4", "SPRING-10")),
                        ("a reinstate for an order without a voucher", _order("o-5", None))):
        if module.reinstate(table, order) != {"reinstated": False}:
            raise CheckFailed(f"{case} must be a no-op that answers {{'reinstated': False}}.")


@EXERCISE.live("on the emulator, in the order saga: a declined payment reinstates the voucher, then releases stock")
def live(ctx: Context) -> None:
    dep = ctx.deploy()
    saga = deploy_handler("order_saga", "lab-ex-order-saga", prefix="lab-ex-")
    machine = ensure_state_machine(MACHINE, with_voucher_step(order_saga_definition(saga.arn), dep.arn))
    table, run = _table(ctx, live=True), ctx.run_id
    codes = {"declined": f"NO-{run}", "taken": f"TAKEN-{run}"}
    _voucher(table, codes["declined"])
    _voucher(table, codes["taken"], redeemed_by="someone-else")
    base = load_event("order_saga_input")["order"]
    orders = {label: {**base, "order_id": f"v-{run}-{label}", "voucher_code": code} for label, code in codes.items()}
    orders["declined"]["amount_cents"] = 10_000_000
    runs = run_sagas(machine, orders)

    declined = runs["declined"].entered
    if declined[:3] != ["ReserveInventory", "RedeemVoucher", "ChargePayment"]:
        raise CheckFailed(f"the voucher step should run between ReserveInventory and ChargePayment; the saga went "
                          f"{' > '.join(declined)} (read the failed state's error in the execution history).")
    if "ReinstateVoucher" not in declined or declined[declined.index("ChargePayment") + 1] != "ReinstateVoucher":
        raise CheckFailed(f"after a declined payment the saga should run ReinstateVoucher, then ReleaseInventory; it "
                          f"went {' > '.join(declined)} (read the failed state's error in the execution history).")
    if _state(table, codes["declined"]) != ("AVAILABLE", None):
        raise CheckFailed(f"the declined order's voucher should be AVAILABLE again; it is "
                          f"{_state(table, codes['declined'])}.")
    taken = runs["taken"].entered
    if taken[taken.index("RedeemVoucher") + 1] != "ReleaseInventory" or \
            _state(table, codes["taken"]) != ("REDEEMED", "someone-else"):
        raise CheckFailed(f"a voucher someone else redeemed should make RedeemVoucher fail with VoucherRejected "
                          f"(then ReleaseInventory) and stay theirs; the saga went {' > '.join(taken)}, voucher "
                          f"{_state(table, codes['taken'])}.")
