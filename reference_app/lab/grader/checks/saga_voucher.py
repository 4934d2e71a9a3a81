"""Checks for saga-voucher (09_patterns): a saga step (redeem a voucher) and its compensation."""

from __future__ import annotations

import threading
from unittest import mock

import boto3
import botocore.client

from ... import clients
from ...events import load_event
from ...lesson_helpers.patterns.saga import ensure_state_machine, run_sagas, with_voucher_step
from ...reference_deploys import deploy_handler, order_saga_definition
from ..framework import CheckFailed, Context, Exercise, shown

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


def _names(ctx: Context) -> tuple[str, str, str, str]:
    """A voucher code, a taken one, and two order ids, drawn for this run."""
    rng = ctx.rng
    code = f"{rng.choice(('SPRING', 'SUMMER', 'VIP', 'WELCOME'))}-{rng.randint(5, 50)}-{rng.token(4).upper()}"
    taken = f"TAKEN-{rng.token(5).upper()}"
    first, second = rng.distinct(lambda: f"o-{rng.token(6)}", 2)
    return code, taken, first, second


def _rejected(module, table, order: dict) -> bool:
    try:
        module.redeem(table, order)
    except module.VoucherRejected:
        return True
    return False


@EXERCISE.unit("redeem marks the voucher as used by the order, and a retried redeem succeeds again")
def redeem(ctx: Context) -> None:
    module, table = ctx.load(), _table(ctx)
    code, _, o1, o2 = _names(ctx)
    _voucher(table, code)
    for attempt in ("first", "retried"):
        try:
            answer = module.redeem(table, _order(o1, code))
        except module.VoucherRejected:
            raise CheckFailed(
                f"the {attempt} redeem of {code} for {o1} was rejected: Step Functions retries a task, so redeeming "
                "a voucher this order already redeemed must succeed again (allow redeemed_by = this order)."
            ) from None
        if _state(table, code) != ("REDEEMED", o1):
            raise CheckFailed(
                f"after the {attempt} redeem the voucher {code} should be REDEEMED by {o1}, "
                f"it is {_state(table, code)}."
            )
        if answer != {"voucher": code}:
            raise CheckFailed(f"redeem should answer {{'voucher': {code!r}}}; it answered {shown(answer)}.")
    if module.redeem(table, _order(o2, None)) != {"voucher": None}:
        raise CheckFailed("an order without a voucher_code has nothing to redeem: return {'voucher': None}.")


@EXERCISE.unit("a voucher another order redeemed, or one that does not exist, raises VoucherRejected")
def rejected(ctx: Context) -> None:
    module, table = ctx.load(), _table(ctx)
    code, taken, o3, someone = _names(ctx)
    _voucher(table, code)
    _voucher(table, taken, redeemed_by=someone)
    if not _rejected(module, table, _order(o3, taken)):
        raise CheckFailed(
            f"{o3} redeemed the voucher {taken} that {someone} had redeemed: raise VoucherRejected "
            "instead (a condition on the status, or on redeemed_by being this order)."
        )
    if _state(table, taken) != ("REDEEMED", someone):
        raise CheckFailed(f"a rejected redeem must change nothing; the voucher is now {_state(table, taken)}.")
    unknown = f"NO-SUCH-{ctx.rng.token(5).upper()}"
    if not _rejected(module, table, _order(o3, unknown)):
        raise CheckFailed(
            f"a voucher code that is not in the table ({unknown}) must raise VoucherRejected "
            "(attribute_exists(voucher_code) in the condition), not create a voucher."
        )
    if _state(table, unknown) != (None, None):
        raise CheckFailed("redeeming an unknown code created an item for it; a condition must prevent that.")


@EXERCISE.unit("two orders redeem the same voucher at the same moment: exactly one wins")
def race(ctx: Context) -> None:
    """Two redeems run in two threads; every read either makes waits (up to a second) until the other
    has read too, so an answer that reads the status and then writes (check, then act) lets both win,
    as two Lambda environments would, while a conditional write lets exactly one."""
    module, table = ctx.load(), _table(ctx)
    code, _, first, second = _names(ctx)
    _voucher(table, code)
    both_read = threading.Barrier(2, timeout=1.0)
    real = botocore.client.BaseClient._make_api_call
    # DynamoDB applies each request atomically (a conditional write decides and writes in one step);
    # moto, called from two threads, does not: both threads could pass the same condition before either
    # wrote, and a right answer would fail (seen under load). One request at a time restores DynamoDB's
    # guarantee; a read-then-write answer still lets both through, since both reads come before any write.
    one_request_at_a_time = threading.Lock()

    def reads_together(client, operation, params):
        with one_request_at_a_time:
            result = real(client, operation, params)
        if operation in ("GetItem", "Query", "Scan", "BatchGetItem"):
            try:
                both_read.wait()
            except threading.BrokenBarrierError:
                pass
        return result

    outcomes: dict[str, str] = {}

    def attempt(order_id: str) -> None:
        try:
            module.redeem(table, _order(order_id, code))
            outcomes[order_id] = "won"
        except module.VoucherRejected:
            outcomes[order_id] = "rejected"
        except Exception as exc:  # reported below, with its type
            outcomes[order_id] = f"raised {type(exc).__name__}"

    with mock.patch.object(botocore.client.BaseClient, "_make_api_call", reads_together):
        threads = [threading.Thread(target=attempt, args=(o,)) for o in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
    winners = [o for o, r in outcomes.items() if r == "won"]
    status, owner = _state(table, code)
    if len(winners) != 1 or owner not in winners:
        raise CheckFailed(
            f"{first} and {second} redeemed {code} at the same moment: {outcomes}; the voucher is "
            f"now {status} by {owner}. Exactly one must win: read-then-write lets both through, a "
            "ConditionExpression on the write lets DynamoDB decide."
        )


@EXERCISE.unit("an error of DynamoDB other than the condition is not a rejection, nor a no-op")
def other_errors(ctx: Context) -> None:
    """VoucherRejected makes the saga compensate (the order is refused); {'reinstated': False} says there
    was nothing to give back. A throttled or refused call is neither: it must fail, so Step Functions
    retries the step, instead of refusing a good order or keeping a voucher for ever."""
    from botocore.exceptions import ClientError

    module, table = ctx.load(), _table(ctx)
    code, _, order_id, _ = _names(ctx)
    _voucher(table, code, redeemed_by=order_id)
    real = botocore.client.BaseClient._make_api_call
    for error in ("AccessDeniedException", "ProvisionedThroughputExceededException"):

        def refused(client, operation, params, error=error):
            if operation in ("UpdateItem", "PutItem", "TransactWriteItems", "DeleteItem"):
                raise ClientError({"Error": {"Code": error, "Message": "injected by the check"}}, operation)
            return real(client, operation, params)

        for step in ("redeem", "reinstate"):
            with mock.patch.object(botocore.client.BaseClient, "_make_api_call", refused):
                try:
                    answer = getattr(module, step)(table, _order(order_id, code))
                except module.VoucherRejected:
                    answer = "VoucherRejected"
                except ClientError:
                    continue  # the error fails the step: Step Functions retries it
            raise CheckFailed(
                f"when DynamoDB answers {error}, {step} answered {shown(answer)}: only a failed "
                "condition (ConditionalCheckFailedException) means rejected or nothing to give "
                "back; let other errors fail the step."
            )


@EXERCISE.unit("reinstate gives back only this order's voucher; twice, or with nothing redeemed, is a no-op")
def reinstate(ctx: Context) -> None:
    module, table = ctx.load(), _table(ctx)
    code, _, o1, o2 = _names(ctx)
    o4, o5 = f"o-{ctx.rng.token(7)}", f"o-{ctx.rng.token(8)}"
    _voucher(table, code, redeemed_by=o1)
    if module.reinstate(table, _order(o2, code)).get("reinstated") is not False or _state(table, code) != (
        "REDEEMED",
        o1,
    ):
        raise CheckFailed(
            f"{o2}'s compensation gave back the voucher {code} that {o1} redeemed: reinstate only "
            "when redeemed_by is this order, and answer {'reinstated': False} otherwise."
        )
    if module.reinstate(table, _order(o1, code)) != {"reinstated": True}:
        raise CheckFailed(f"reinstating {o1}'s own voucher should answer {{'reinstated': True}}.")
    if _state(table, code) != ("AVAILABLE", None):
        raise CheckFailed(
            f"after the reinstate the voucher should be AVAILABLE with no redeemed_by, it is {_state(table, code)}."
        )
    for case, order in (
        ("a second reinstate", _order(o1, code)),
        ("a reinstate for an order whose voucher was never redeemed", _order(o4, code)),
        ("a reinstate for an order without a voucher", _order(o5, None)),
    ):
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
        raise CheckFailed(
            f"the voucher step should run between ReserveInventory and ChargePayment; the saga went "
            f"{' > '.join(declined)} (read the failed state's error in the execution history)."
        )
    if "ReinstateVoucher" not in declined or declined[declined.index("ChargePayment") + 1] != "ReinstateVoucher":
        raise CheckFailed(
            f"after a declined payment the saga should run ReinstateVoucher, then ReleaseInventory; it "
            f"went {' > '.join(declined)} (read the failed state's error in the execution history)."
        )
    if _state(table, codes["declined"]) != ("AVAILABLE", None):
        raise CheckFailed(
            f"the declined order's voucher should be AVAILABLE again; it is {_state(table, codes['declined'])}."
        )
    taken = runs["taken"].entered
    if taken[taken.index("RedeemVoucher") + 1] != "ReleaseInventory" or _state(table, codes["taken"]) != (
        "REDEEMED",
        "someone-else",
    ):
        raise CheckFailed(
            f"a voucher someone else redeemed should make RedeemVoucher fail with VoucherRejected "
            f"(then ReleaseInventory) and stay theirs; the saga went {' > '.join(taken)}, voucher "
            f"{_state(table, codes['taken'])}."
        )
