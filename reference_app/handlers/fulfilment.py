"""Fan-out consumer: book one shipment per order, from an SQS queue subscribed to the orders topic.

What it demonstrates
    - One consumer of an SNS fan-out: the topic delivers every order to one queue per service,
      and this function reads the fulfilment service's queue. Billing (``queue_worker``) reads a
      queue of its own; neither knows the other, and each has its own retries and dead-letter queue.
    - The SQS body of a queue subscribed *without* ``RawMessageDelivery`` is SNS's JSON envelope
      (``Type``, ``MessageId``, ``TopicArn``, ``Message``, ``Timestamp`` ...): the order is the
      JSON *string* in ``Message``. A raw delivery (the body is the order itself) is accepted too.
    - Its own contract (a tolerant reader): it needs ``order_id``, ``customer_id``, a two-letter
      ``country`` and at least one item, and ignores every other field. Billing needs no country,
      so an order without one is charged by billing and refused here: one event, two outcomes.
    - Idempotent: the shipment is a conditional put (``attribute_not_exists(order_id)``), so a
      redelivered message (SQS is at-least-once) books nothing twice; the duplicate is logged
      and acknowledged.
    - Partial batch failures: a message it cannot use is reported in ``batchItemFailures`` (the
      mapping needs ``FunctionResponseTypes=["ReportBatchItemFailures"]``), and the queue's redrive
      policy moves it to this consumer's dead-letter queue after ``maxReceiveCount`` receives. Any
      other error (a throttled write) also fails only its own message, which comes back later.

Trigger
    SQS event source mapping on a standard queue that is subscribed to an SNS topic.

Environment
    ``SHIPMENTS_TABLE``      DynamoDB table (logical ``shipments``), key ``order_id``

Notebooks
    09_patterns (fan-out: one topic, a queue per consumer, a dead-letter queue per queue).
"""

from __future__ import annotations

import functools
import json
import os
import re
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError

REQUIREMENTS = ()

# The kit's id rule, copied (each handler is packaged alone; tests/unit/test_shared_rules.py compares the copies).
ORDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
COUNTRY = re.compile(r"[A-Z]{2}")
# A DynamoDB number holds up to 38 digits: a larger unit count could never be written, and would come
# back on every receive. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes
MAX_UNITS = 10**38 - 1


class UnusableOrder(ValueError):
    """A message this consumer can never process: retrying cannot help, so it ends in the DLQ."""


@functools.cache
def _shipments_table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["SHIPMENTS_TABLE"])


def log(level: str, message: str, **fields: Any) -> None:
    print(json.dumps({"level": level, "message": message, **fields}, default=str))


def order_from_body(body: str) -> tuple[Any, str | None]:
    """The order in an SQS body, and the SNS message id when it came in an SNS envelope."""
    try:
        document = json.loads(body)
    except ValueError:
        raise UnusableOrder("the body is not JSON") from None
    if isinstance(document, dict) and document.get("Type") == "Notification" and "Message" in document:
        try:
            return json.loads(document["Message"]), document.get("MessageId")
        except (TypeError, ValueError):
            raise UnusableOrder("the SNS message is not JSON") from None
    return document, None


def shipment_for(order: Any) -> dict[str, Any]:
    """What fulfilment needs from an order; ``UnusableOrder`` names the first field it lacks."""
    if not isinstance(order, dict):
        raise UnusableOrder("the order is not a JSON object")
    order_id, customer, country, items = (order.get(k) for k in ("order_id", "customer_id", "country", "items"))
    if not isinstance(order_id, str) or not ORDER_ID.fullmatch(order_id):
        raise UnusableOrder("order_id is missing or invalid")
    if not isinstance(customer, str) or not 0 < len(customer) <= 64:
        raise UnusableOrder("customer_id is missing or invalid")
    if not isinstance(country, str) or not COUNTRY.fullmatch(country):
        raise UnusableOrder("country is missing or not two capital letters")
    if not isinstance(items, list) or not items:
        raise UnusableOrder("items is missing or empty")
    units = 0
    for line in items:
        quantity = line.get("quantity") if isinstance(line, dict) else None
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
            raise UnusableOrder("every item needs a positive integer quantity")
        units += quantity
    if units > MAX_UNITS:
        raise UnusableOrder("the quantities add up to more than a DynamoDB number holds (38 digits)")
    return {"order_id": order_id, "customer_id": customer, "country": country, "units": units}


def book(table: Any, shipment: dict[str, Any], message_id: str | None) -> str:
    """Book the shipment once: ``booked``, or ``duplicate`` when this order already has one."""
    item = {**shipment, "status": "BOOKED", "booked_at": datetime.now(UTC).isoformat()}
    if message_id:
        item["sns_message_id"] = message_id
    try:
        table.put_item(Item=item, ConditionExpression="attribute_not_exists(order_id)")
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return "duplicate"
        raise
    return "booked"


def handle(event: dict[str, Any], table: Any) -> dict[str, Any]:
    failures = []
    for record in event.get("Records", []):
        message_id = record.get("messageId")
        try:
            order, sns_id = order_from_body(record.get("body", ""))
            shipment = shipment_for(order)
            outcome = book(table, shipment, sns_id)
            log("INFO", f"shipment {outcome}", order_id=shipment["order_id"], sqs_message_id=message_id)
        except UnusableOrder as exc:
            log("ERROR", "unusable order, left for the dead-letter queue", reason=str(exc), sqs_message_id=message_id)
            failures.append({"itemIdentifier": message_id})
        except Exception as exc:  # a transient error: this message comes back, the others are done
            log("ERROR", "could not book, will be retried", error=type(exc).__name__, sqs_message_id=message_id)
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event, _shipments_table())
