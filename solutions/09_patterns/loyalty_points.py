"""Exercise fan-out-loyalty (09_patterns): add a third consumer to the order fan-out.

The loyalty team wants every order too. It gets a queue of its own, subscribed to the orders
topic *without* raw message delivery, a dead-letter queue of its own, and this function,
which Lambda invokes with batches from that queue. For every order it awards the customer one
point per whole unit of currency (``amount_cents // 100``).

Two things make it correct:

* **Read the SNS envelope.** Each SQS body is SNS's JSON envelope; the order is the JSON *string*
  in its ``Message`` field. A body that is not an order must fail alone: the handler below reports
  it in ``batchItemFailures`` and the queue's redrive policy parks it in the loyalty DLQ.
* **Award once.** SQS delivers at least once, and SNS can deliver one publish twice, so the same
  order may arrive again, in a later batch or in another message. ``ADD points`` run twice gives
  the points twice. Record the order as counted *in the same transaction* as the points, with a
  condition that it was not counted before: one table, ``LOYALTY_TABLE``, key ``pk``, holds the
  balance as ``{"pk": "customer#<id>", "points": N}`` and the marker as ``{"pk": "order#<id>"}``.

Write ``order_from_record`` and ``award``; ``lambda_handler`` is given. Check your work with
``lab.check("fan-out-loyalty")``.
"""

from __future__ import annotations

import functools
import json
import os
from typing import Any

import boto3
from botocore.exceptions import ClientError

REQUIREMENTS = ()


class NotAnOrder(ValueError):
    """A message that is not an order: no retry can fix it."""


@functools.cache
def dynamodb() -> Any:
    return boto3.client("dynamodb")


def order_from_record(record: dict) -> dict:
    """The order in one SQS record whose body is an SNS envelope; NotAnOrder when there is none."""
    # BEGIN SOLUTION hint="The body is SNS's envelope, as JSON; the order is the JSON string in its Message field. Raise NotAnOrder when either is not JSON, or the order lacks an order_id, a customer_id or a positive integer amount_cents."
    try:
        envelope = json.loads(record["body"])
        order = json.loads(envelope["Message"])
    except (ValueError, TypeError, KeyError):
        raise NotAnOrder("the body is not an SNS envelope holding a JSON order") from None
    amount = order.get("amount_cents") if isinstance(order, dict) else None
    if (
        not isinstance(order, dict)
        or not isinstance(order.get("order_id"), str)
        or not isinstance(order.get("customer_id"), str)
        or not isinstance(amount, int)
        or isinstance(amount, bool)
        or amount <= 0
    ):
        raise NotAnOrder("the message is not an order")
    return order
    # END SOLUTION


def award(order: dict) -> bool:
    """Give the customer ``amount_cents // 100`` points, once per order; True when awarded, False
    when this order was counted before."""
    # BEGIN SOLUTION hint="One dynamodb().transact_write_items: a Put of the marker {'pk': 'order#<id>'} on condition that it does not exist yet, and an Update of {'pk': 'customer#<id>'} that ADDs the points. A cancelled transaction whose first cancellation reason is ConditionalCheckFailed means the order was counted before."
    table = os.environ["LOYALTY_TABLE"]
    points = order["amount_cents"] // 100
    try:
        dynamodb().transact_write_items(TransactItems=[
            {"Put": {
                "TableName": table,
                "Item": {"pk": {"S": f"order#{order['order_id']}"}, "customer_id": {"S": order["customer_id"]},
                         "points": {"N": str(points)}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }},
            {"Update": {
                "TableName": table,
                "Key": {"pk": {"S": f"customer#{order['customer_id']}"}},
                "UpdateExpression": "ADD points :p",
                "ExpressionAttributeValues": {":p": {"N": str(points)}},
            }},
        ])
    except ClientError as exc:
        reasons = exc.response.get("CancellationReasons") or [{}]
        if exc.response["Error"]["Code"] == "TransactionCanceledException" and \
                reasons[0].get("Code") == "ConditionalCheckFailed":
            return False
        raise
    return True
    # END SOLUTION


def lambda_handler(event: dict, context: Any) -> dict:
    failures = []
    for record in event.get("Records", []):
        try:
            order = order_from_record(record)
            awarded = award(order)
            print(json.dumps({"level": "INFO", "message": "points awarded" if awarded else "already counted",
                              "order_id": order["order_id"]}))
        except NotImplementedError:
            raise
        except Exception as exc:  # this message comes back, and after maxReceiveCount goes to the DLQ
            print(json.dumps({"level": "ERROR", "message": "message failed", "messageId": record.get("messageId"),
                              "reason": f"{type(exc).__name__}: {exc}"}))
            failures.append({"itemIdentifier": record.get("messageId")})
    return {"batchItemFailures": failures}
