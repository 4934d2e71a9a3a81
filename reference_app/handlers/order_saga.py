"""Order saga steps for Step Functions: reserve, charge, ship, and the compensations release, refund.

What it demonstrates
    A saga: each step is a local transaction with a compensating action, orchestrated by
    the state machine in ``order_saga.asl.json``. Every step is idempotent (Step Functions
    retries tasks) and every compensation tolerates "the step never happened" (a failure can
    come before or after the side effect), using DynamoDB conditional updates. Business
    failures are exceptions whose class name is the Step Functions error name:

    ``OutOfStock``           reserve: a line asks for more than ``MAX_QUANTITY_PER_SKU``
    ``PaymentDeclined``      charge: the amount exceeds ``CHARGE_LIMIT_CENTS``
    ``ShippingUnavailable``  ship: the country is not in ``SHIPPING_COUNTRIES``
    ``InvalidOrder``         any step: the input (order or action) is malformed
    ``SagaStateConflict``    a step out of order (charge before reserve, reserve after release)

Which Catch fires where
    A Python Lambda's unhandled error reaches Step Functions with ``errorType`` = the exception
    class name, so the specific catchers match, on AWS and on the kit's embedded emulator alike
    (the kit runs functions the way AWS's Python runtime does, see ``reference_app/lab/emulator_patch``)::

        ChargePayment  --PaymentDeclined-->  ReleaseInventory  -->  OrderFailed
        ReserveInventory  --OutOfStock-->  OrderRejected

    The ``States.ALL`` fallback after each of them is for errors nobody anticipated (a timeout
    after a charge succeeded, a bug): it runs the full compensation, refund then release, and
    since compensations are idempotent, running one that was not needed is safe. A raw emulator
    that names every Lambda error ``Runtime.HandlerError`` (ministack with
    ``LAMBDA_LAB_RAW_EMULATOR=1``) only ever takes that fallback::

        ChargePayment  --States.ALL-->  RefundPayment (no-op: nothing was charged)
                       -->  ReleaseInventory  -->  OrderFailed

State machine definition placeholders (``${Name}``, as in CloudFormation
``DefinitionSubstitutions``; deploy code substitutes them), listed in ``ASL_PLACEHOLDERS``:
    ``${ReserveFunctionArn}``, ``${ChargeFunctionArn}``, ``${ShipFunctionArn}``,
    ``${ReleaseFunctionArn}``, ``${RefundFunctionArn}``. Each task also passes ``"action"``,
    so all five may be the ARN of this one function; or deploy five functions, each with
    ``SAGA_ACTION`` set.

Trigger
    Step Functions Task states (direct Lambda ARN resource). Input: ``{"action": "reserve",
    "order": {...}}``; the state machine's execution input is ``{"order": {...}}``.

Environment
    ``SAGA_TABLE``           DynamoDB table (logical ``saga``), key ``order_id``
    ``SAGA_ACTION``          optional: pin this function to one action (the event's ``action``,
                             if present, must then agree)
    ``CHARGE_LIMIT_CENTS``   optional, default 50000: larger orders are declined
    ``POWERTOOLS_LOG_LEVEL`` optional

Notebooks
    05_error_handling (Retry / Catch, error names across environments), 09_patterns (saga),
    10_interview_prep (distributed transactions without 2PC).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError

REQUIREMENTS = ("aws-lambda-powertools",)

ASL_PLACEHOLDERS = (
    "ReserveFunctionArn",
    "ChargeFunctionArn",
    "ShipFunctionArn",
    "ReleaseFunctionArn",
    "RefundFunctionArn",
)
ACTIONS = ("reserve", "charge", "ship", "release", "refund")
MAX_QUANTITY_PER_SKU = 10
DEFAULT_CHARGE_LIMIT_CENTS = 50_000
SHIPPING_COUNTRIES = frozenset({"AT", "BE", "DE", "ES", "FR", "GB", "IE", "IT", "NL", "US"})
ORDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")

logger = Logger(service="order-saga")


# --- business errors: the class name is the Step Functions error name on AWS ---------------
class SagaError(Exception):
    """Base class for errors the state machine routes on."""


class InvalidOrder(SagaError):
    pass


class OutOfStock(SagaError):
    pass


class PaymentDeclined(SagaError):
    pass


class ShippingUnavailable(SagaError):
    pass


class SagaStateConflict(SagaError):
    pass


@dataclass(frozen=True)
class Order:
    order_id: str
    customer_id: str
    amount_cents: int
    currency: str
    country: str
    items: tuple[tuple[str, int], ...]  # (sku, quantity)


def parse_order(raw: Any) -> Order:
    """Validate the ``order`` object of a task input; ``InvalidOrder`` says which field is wrong."""
    if not isinstance(raw, dict):
        raise InvalidOrder("order must be an object")

    def text(name: str, pattern: str = r".{1,64}") -> str:
        value = raw.get(name)
        if not isinstance(value, str) or not re.fullmatch(pattern, value):
            raise InvalidOrder(f"order.{name} is missing or invalid")
        return value

    amount = raw.get("amount_cents")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise InvalidOrder("order.amount_cents must be a positive integer")
    items = raw.get("items")
    if not isinstance(items, list) or not items:
        raise InvalidOrder("order.items must be a non-empty list")
    lines = []
    for line in items:
        sku = line.get("sku") if isinstance(line, dict) else None
        quantity = line.get("quantity") if isinstance(line, dict) else None
        if (
            not isinstance(sku, str)
            or not sku
            or not isinstance(quantity, int)
            or isinstance(quantity, bool)
            or quantity <= 0
        ):
            raise InvalidOrder("order.items[] needs a sku and a positive integer quantity")
        lines.append((sku, quantity))
    return Order(
        order_id=text("order_id", ORDER_ID.pattern),
        customer_id=text("customer_id"),
        amount_cents=amount,
        currency=text("currency", r"[A-Z]{3}"),
        country=text("country", r"[A-Z]{2}"),
        items=tuple(lines),
    )


@functools.cache
def _table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["SAGA_TABLE"])


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _conditional_update(table: Any, order_id: str, **kwargs: Any) -> bool:
    """``update_item`` that returns False instead of raising when its condition fails."""
    try:
        table.update_item(Key={"order_id": order_id}, **kwargs)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


# --- steps ---------------------------------------------------------------------------------
def reserve(table: Any, order: Order) -> dict[str, Any]:
    short = sorted(sku for sku, quantity in order.items if quantity > MAX_QUANTITY_PER_SKU)
    if short:
        raise OutOfStock(f"not enough stock for {', '.join(short)}")
    reservation_id = f"rsv-{order.order_id}"
    done = _conditional_update(
        table,
        order.order_id,
        UpdateExpression=(
            "SET customer_id = :customer, amount_cents = :amount, currency = :currency, "
            "reservation_id = :rid, reservation_status = :reserved, updated_at = :now"
        ),
        # First time, or a retry of a reservation that already succeeded; never after a release.
        ConditionExpression="attribute_not_exists(reservation_status) OR reservation_status = :reserved",
        ExpressionAttributeValues={
            ":customer": order.customer_id,
            ":amount": order.amount_cents,
            ":currency": order.currency,
            ":rid": reservation_id,
            ":reserved": "RESERVED",
            ":now": _now(),
        },
    )
    if not done:
        raise SagaStateConflict("order was already released; start a new order")
    return {"reservation_id": reservation_id}


def charge(table: Any, order: Order, limit_cents: int = DEFAULT_CHARGE_LIMIT_CENTS) -> dict[str, Any]:
    if order.amount_cents > limit_cents:
        raise PaymentDeclined(f"amount {order.amount_cents} exceeds the limit of {limit_cents}")
    payment_id = f"pay-{order.order_id}"
    done = _conditional_update(
        table,
        order.order_id,
        UpdateExpression="SET payment_id = :pid, payment_status = :charged, updated_at = :now",
        ConditionExpression=(
            "reservation_status = :reserved AND (attribute_not_exists(payment_status) OR payment_status = :charged)"
        ),
        ExpressionAttributeValues={":pid": payment_id, ":charged": "CHARGED", ":reserved": "RESERVED", ":now": _now()},
    )
    if not done:
        raise SagaStateConflict("charge needs a live reservation and no refunded payment")
    return {"payment_id": payment_id}


def ship(table: Any, order: Order) -> dict[str, Any]:
    if order.country not in SHIPPING_COUNTRIES:
        raise ShippingUnavailable(f"no shipping to {order.country}")
    tracking_id = f"trk-{order.order_id}"
    done = _conditional_update(
        table,
        order.order_id,
        UpdateExpression="SET tracking_id = :tid, shipment_status = :shipped, updated_at = :now",
        ConditionExpression="payment_status = :charged",
        ExpressionAttributeValues={":tid": tracking_id, ":shipped": "SHIPPED", ":charged": "CHARGED", ":now": _now()},
    )
    if not done:
        raise SagaStateConflict("ship needs a charged payment")
    return {"tracking_id": tracking_id}


def release(table: Any, order: Order) -> dict[str, Any]:
    """Compensates ``reserve``. A no-op (``released: False``) when nothing is reserved."""
    released = _conditional_update(
        table,
        order.order_id,
        UpdateExpression="SET reservation_status = :released, updated_at = :now",
        ConditionExpression="reservation_status = :reserved",
        ExpressionAttributeValues={":released": "RELEASED", ":reserved": "RESERVED", ":now": _now()},
    )
    return {"released": released}


def refund(table: Any, order: Order) -> dict[str, Any]:
    """Compensates ``charge``. A no-op (``refunded: False``) when nothing was charged."""
    refunded = _conditional_update(
        table,
        order.order_id,
        UpdateExpression="SET payment_status = :refunded, updated_at = :now",
        ConditionExpression="payment_status = :charged",
        ExpressionAttributeValues={":refunded": "REFUNDED", ":charged": "CHARGED", ":now": _now()},
    )
    return {"refunded": refunded}


def run_step(table: Any, action: str, order: Order, *, charge_limit_cents: int) -> dict[str, Any]:
    steps: dict[str, Callable[[], dict[str, Any]]] = {
        "reserve": lambda: reserve(table, order),
        "charge": lambda: charge(table, order, charge_limit_cents),
        "ship": lambda: ship(table, order),
        "release": lambda: release(table, order),
        "refund": lambda: refund(table, order),
    }
    return steps[action]()


def resolve_action(event: dict[str, Any], pinned: str | None) -> str:
    requested = event.get("action")
    if pinned and requested not in (None, pinned):
        raise InvalidOrder(f"this function only runs {pinned!r}")
    action = pinned or requested
    if action not in ACTIONS:
        raise InvalidOrder(f"action must be one of {', '.join(ACTIONS)}")
    return action


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    action = resolve_action(event, os.environ.get("SAGA_ACTION") or None)
    order = parse_order(event.get("order"))
    limit = int(os.environ.get("CHARGE_LIMIT_CENTS", DEFAULT_CHARGE_LIMIT_CENTS))
    result = run_step(_table(), action, order, charge_limit_cents=limit)
    logger.info("saga step done", extra={"action": action, "order_id": order.order_id, **result})
    return result
