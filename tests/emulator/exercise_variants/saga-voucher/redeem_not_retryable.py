# WRONG VARIANT (a retried redeem of the same order is rejected): the grader must fail it.
"""Exercise saga-voucher (09_patterns): a saga step and its compensation.

Orders may now carry a ``voucher_code``. The order saga gets a step after ReserveInventory,
``RedeemVoucher``, which marks the voucher as used by this order, and a compensation,
``ReinstateVoucher``, which gives it back when a later step fails (a declined payment, no
shipping). Step Functions runs this one function for both, with ``{"action": "redeem" or
"reinstate", "order": {...}}``.

The voucher table (``VOUCHERS_TABLE``, key ``voucher_code``) holds
``{"voucher_code": "SPRING-10", "status": "AVAILABLE"}``, or ``"REDEEMED"`` with ``redeemed_by``
set to the order id. The rules a saga step lives by:

* **redeem** marks an available voucher as redeemed by this order. An order without a voucher
  has nothing to redeem. A voucher that does not exist, or that *another* order redeemed, raises
  ``VoucherRejected``: Step Functions catches that error by its name and releases the stock.
  Step Functions retries a task, so redeeming again for the *same* order must succeed again.
* **reinstate** makes the voucher available again, but only if *this* order redeemed it: a
  compensation may run for a step that never happened (the failure came first), and must never
  give back a voucher someone else is using. Running it twice is harmless.

Use conditional writes (``ConditionExpression``): they decide and write in one step, so two
executions racing for one voucher cannot both win. Write ``redeem`` and ``reinstate``;
``lambda_handler`` is given. Check your work with ``lab.check("saga-voucher")``.
"""

from __future__ import annotations

import functools
import json
import os
from typing import Any

import boto3
from botocore.exceptions import ClientError

REQUIREMENTS = ()


class VoucherRejected(Exception):
    """The voucher does not exist or another order redeemed it (the Step Functions error name)."""


@functools.cache
def vouchers_table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["VOUCHERS_TABLE"])


def redeem(table: Any, order: dict) -> dict:
    """Mark the order's voucher as redeemed by it; ``{"voucher": code}`` (None when the order has none)."""
    code = order.get("voucher_code")
    if not code:
        return {"voucher": None}
    try:
        table.update_item(
            Key={"voucher_code": code},
            UpdateExpression="SET #s = :redeemed, redeemed_by = :order",
            # available, or already redeemed by this very order (a retried step)
            ConditionExpression="attribute_exists(voucher_code) AND #s = :available",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":redeemed": "REDEEMED", ":available": "AVAILABLE",
                                       ":order": order["order_id"]},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise VoucherRejected(f"voucher {code} does not exist or was redeemed by another order") from None
        raise
    return {"voucher": code}


def reinstate(table: Any, order: dict) -> dict:
    """Give the voucher back if this order redeemed it; ``{"reinstated": True}``, or False (a no-op)."""
    code = order.get("voucher_code")
    if not code:
        return {"reinstated": False}
    try:
        table.update_item(
            Key={"voucher_code": code},
            UpdateExpression="SET #s = :available REMOVE redeemed_by",
            ConditionExpression="redeemed_by = :order",  # never another order's voucher
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":available": "AVAILABLE", ":order": order["order_id"]},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return {"reinstated": False}
        raise
    return {"reinstated": True}


def lambda_handler(event: dict, context: Any) -> dict:
    action, order = event.get("action"), event.get("order") or {}
    steps = {"redeem": redeem, "reinstate": reinstate}
    if action not in steps or not isinstance(order.get("order_id"), str):
        raise ValueError("the input must be {'action': 'redeem' or 'reinstate', 'order': {'order_id': ...}}")
    result = steps[action](vouchers_table(), order)
    print(json.dumps({"level": "INFO", "message": f"voucher {action}", "order_id": order["order_id"], **result}))
    return result
