# WRONG VARIANT (reports every message as failed): the grader must fail it.
"""Exercise sqs-partial-batch (05_error_handling): report partial batch failures from an SQS consumer.

Lambda polls an SQS queue and invokes this function with up to ten messages at a
time. Each message body is a JSON order, ``{"order_id": "o-1", "amount": 42}``. A
message that cannot be processed (not JSON, or no ``order_id``) must not make the
good messages of its batch come back: with ``ReportBatchItemFailures`` set on the
event source mapping, the function answers which messages failed and Lambda deletes
the rest from the queue.

``process`` (given) stores one order. Write ``lambda_handler`` so that it processes
every record on its own and returns ``{"batchItemFailures": [{"itemIdentifier":
<messageId>}, ...]}`` naming exactly the records that failed (an empty list when
none did). Check your work with ``lab.check("sqs-partial-batch")``.
"""

from __future__ import annotations

import functools
import json
import os
from typing import Any

import boto3

REQUIREMENTS = ()


class BadOrder(Exception):
    """A message that can never be processed (a poison message)."""


@functools.cache
def orders_table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


def process(record: dict) -> None:
    """Store the order in one SQS record; BadOrder when the body is not a usable order."""
    try:
        order = json.loads(record["body"])
    except ValueError:
        raise BadOrder("body is not JSON") from None
    if not isinstance(order, dict) or not isinstance(order.get("order_id"), str):
        raise BadOrder("body has no order_id")
    orders_table().put_item(Item={"order_id": order["order_id"], "amount": str(order.get("amount", 0))})
    print(json.dumps({"level": "INFO", "message": "order stored", "order_id": order["order_id"]}))


def lambda_handler(event: dict, context: Any) -> dict:
    # BEGIN SOLUTION hint="Loop over event['Records']; call process(record) inside try/except; collect {'itemIdentifier': record['messageId']} for each record that raised (log why), and return {'batchItemFailures': failures}."
    failures = []
    for record in event.get("Records", []):
        try:
            process(record)
        except Exception as exc:  # one bad message fails only itself
            print(json.dumps({"level": "ERROR", "message": "order failed", "messageId": record["messageId"],
                              "reason": type(exc).__name__}))
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event.get("Records", [])]}
    # END SOLUTION
