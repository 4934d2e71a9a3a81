"""Exercise debug-swallowed-errors (08_observability): break and debug a function whose failures no metric sees.

An order workflow invokes this function to charge an order: it checks the event and records the
charge in a DynamoDB table (``PAYMENTS_TABLE``), once per order. Operations watches the function's
``AWS/Lambda`` ``Errors`` metric with an alarm. The alarm has never fired, yet orders go unpaid.

Run ``lab.try_exercise("debug-swallowed-errors")``: it deploys this file as it is, sends three charges
that fail (a bad amount, no order id, an order already charged), and shows what the caller got,
the function's log, its ``Errors`` metric and the alarm. Then fix the handler so that every failure
is an error Lambda sees, and the log still says why. Check your work with
``lab.check("debug-swallowed-errors")``.
"""

from __future__ import annotations

import functools
import logging
import os
from typing import Any

import boto3

# isort: split
import json

REQUIREMENTS = ()

logger = logging.getLogger()
logger.setLevel(logging.INFO)


class InvalidCharge(ValueError):
    """The event cannot be charged."""


@functools.cache
def payments_table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["PAYMENTS_TABLE"])


def charge(table: Any, event: dict) -> dict:
    """Record one charge; InvalidCharge for a bad event, ConditionalCheckFailed for an order charged already."""
    order_id, amount = event.get("order_id"), event.get("amount_cents")
    if not isinstance(order_id, str) or not order_id:
        raise InvalidCharge("order_id is missing")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise InvalidCharge(f"amount_cents must be a positive integer, not {amount!r}")
    table.put_item(
        Item={"order_id": order_id, "amount_cents": amount, "status": "charged"},
        ConditionExpression="attribute_not_exists(order_id)",
    )
    return {"order_id": order_id, "amount_cents": amount, "status": "charged"}


def lambda_handler(event: dict, context: Any) -> dict:
    try:
        result = charge(payments_table(), event)
        return {"statusCode": 200, "body": json.dumps(result)}
    except Exception as e:
        logger.error(f"Unexpected error: {str(e)}")
        return {"statusCode": 500, "body": json.dumps({"error": "Internal server error"})}
