"""Exercise async-retries (01_architecture): let Lambda retry an asynchronous failure, and survive the retry.

The shop's checkout invokes this function asynchronously (``InvocationType=Event``) with an
order, ``{"order_id": "o-1", "amount": 42}``, and gets 202 back at once: nobody waits for the
answer. The function charges the order through a payment provider (``charge``, given) and
stores a confirmation. The provider is sometimes busy and raises ``PaymentProviderBusy``; a
second try usually works.

Lambda retries an asynchronous event that *fails*, up to two more times. So:

* when the provider is busy, let the invocation fail (do not catch the error and return
  something: a returned value is a success, and the event would be dropped unconfirmed);
* store the confirmation keyed by ``order_id``, so an event delivered twice (asynchronous
  delivery is at least once) still leaves one confirmation;
* an order that can never succeed (``InvalidOrder``: no ``order_id``, or an amount that is
  not a positive number) must not be retried three times for nothing: log it and return
  ``{"status": "rejected", "reason": ...}``.

Return ``{"status": "confirmed", "order_id": ..., "payment_id": ...}`` for a confirmed order.
Check your work with ``lab.check("async-retries")``: it invokes the function asynchronously
while the provider is busy once, and counts the attempts in the function's log.
"""

from __future__ import annotations

import functools
import json
import os
from decimal import Decimal
from typing import Any

import boto3

REQUIREMENTS = ()


class PaymentProviderBusy(Exception):
    """The provider asked us to try again later (a transient failure)."""


class InvalidOrder(ValueError):
    """The order can never be charged (a permanent failure)."""


@functools.cache
def attempts_table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["ATTEMPTS_TABLE"])


@functools.cache
def confirmations_table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["CONFIRMATIONS_TABLE"])


def parse_order(event: Any) -> dict:
    """The order in the event, or InvalidOrder."""
    if not isinstance(event, dict) or not isinstance(event.get("order_id"), str) or not event["order_id"]:
        raise InvalidOrder("the order has no order_id")
    amount = event.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount <= 0:
        raise InvalidOrder(f"order {event['order_id']}: the amount must be a positive number")
    return {"order_id": event["order_id"], "amount": Decimal(str(amount)), "busy_for": int(event.get("busy_for", 0))}


def charge(order: dict) -> str:
    """The payment provider, simulated: busy for the first ``busy_for`` attempts of an order.
    Every call is counted (and logged), so the attempts show in the function's log."""
    counted = attempts_table().update_item(
        Key={"order_id": order["order_id"]},
        UpdateExpression="ADD attempts :one",
        ExpressionAttributeValues={":one": 1},
        ReturnValues="UPDATED_NEW",
    )["Attributes"]["attempts"]
    print(json.dumps({"level": "INFO", "message": "charge attempt", "order_id": order["order_id"],
                      "attempt": int(counted)}))
    if counted <= order["busy_for"]:
        raise PaymentProviderBusy(f"provider busy (attempt {int(counted)}), try again later")
    return f"pay-{order['order_id']}"


def lambda_handler(event: Any, context: Any) -> dict:
    # BEGIN SOLUTION hint="Catch only InvalidOrder (log it, return rejected); let PaymentProviderBusy propagate so the invocation fails and Lambda retries it; then put_item the confirmation with order_id as its key, so a second delivery overwrites instead of adding."
    try:
        order = parse_order(event)
    except InvalidOrder as exc:  # permanent: retrying cannot help, so succeed without confirming
        print(json.dumps({"level": "WARNING", "message": "order rejected", "reason": str(exc)}))
        return {"status": "rejected", "reason": str(exc)}
    payment_id = charge(order)  # PaymentProviderBusy propagates: the invocation fails, Lambda retries it
    confirmations_table().put_item(
        Item={"order_id": order["order_id"], "payment_id": payment_id, "amount": order["amount"]}
    )
    print(json.dumps({"level": "INFO", "message": "order confirmed", "order_id": order["order_id"]}))
    return {"status": "confirmed", "order_id": order["order_id"], "payment_id": payment_id}
    # END SOLUTION
