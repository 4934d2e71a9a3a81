"""SQS order consumer: partial batch failures, poison messages, idempotency.

What it demonstrates
    - ``BatchProcessor(EventType.SQS, model=OrderQueueRecord)`` + ``process_partial_response``:
      each message is parsed by a pydantic model (the body is ``Json[Order]``); a poison
      message (not JSON, or failing validation) fails only itself and is the only entry in
      ``batchItemFailures``; the rest of the batch is deleted from the queue. Requires
      ``FunctionResponseTypes=["ReportBatchItemFailures"]`` on the event source mapping, and a
      redrive policy (``maxReceiveCount``) so a poison message ends in a dead-letter queue
      instead of coming back forever.
    - Idempotency (Powertools ``idempotent_function`` + ``DynamoDBPersistenceLayer``), keyed
      on the business id ``order_id`` (not the SQS message id: a producer that sends the same
      order twice produces two message ids). SQS is at-least-once, so the same order can
      arrive twice; the side effect below (``charge_count`` incremented by one, standing in
      for "charge the customer") happens once. A failure inside the function deletes the
      in-progress record so a retry can run it again.
    - A reused ``order_id`` with a different payload is not a duplicate: it fails loudly.
      ``payload_validation_jmespath`` makes idempotency compare ``customer_id``,
      ``amount_cents`` and ``currency`` with the first delivery's and raise
      ``IdempotencyValidationError``; the handler logs an error naming the order and the
      message and reports the message as a batch item failure, so it goes back to the queue
      and, after ``maxReceiveCount`` receives, to the dead-letter queue, where someone can
      look at it. (Acknowledging it as a duplicate would drop a different order silently.)
      The idempotency record expires after 24 hours, so the order write is also conditional
      on the stored order having the same payload: a conflict arriving later still fails.
    - The model ignores unknown fields (tolerant reader: producers may add fields), where the
      users API rejects them (a client request is a contract; a queue message evolves).
    - ``raise_on_entire_batch_failure=False``: an all-poison batch is reported in the response
      rather than raised.

Trigger
    SQS event source mapping (standard queue).

Environment
    ``ORDERS_TABLE``         DynamoDB table (logical ``orders``), key ``order_id``
    ``IDEMPOTENCY_TABLE``    DynamoDB table (logical ``idempotency``), key ``id``, TTL on ``expiration``
    ``POWERTOOLS_LOG_LEVEL`` optional

Notebooks
    04_triggers (SQS batches), 05_error_handling (poison messages, DLQ, partial failures),
    09_patterns (idempotent consumers).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyValidationError
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field, Json, StrictInt, StringConstraints

REQUIREMENTS = ("aws-lambda-powertools", "pydantic")

logger = Logger(service="queue-worker")
# What makes two messages the same order: they must agree on these, or the second is a conflict.
PAYLOAD_FIELDS = ("customer_id", "amount_cents", "currency")


class ConflictingOrder(Exception):
    """An ``order_id`` already recorded with a different customer, amount or currency."""


class Order(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # the kit's id rule, copied (tests/unit/test_shared_rules.py keeps the copies equal)
    order_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    customer_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    amount_cents: Annotated[StrictInt, Field(gt=0, le=10_000_000)]
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class OrderQueueRecord(SqsRecordModel):
    body: Json[Order]  # type: ignore[assignment]


processor = BatchProcessor(event_type=EventType.SQS, model=OrderQueueRecord, raise_on_entire_batch_failure=False)
idempotency_config = IdempotencyConfig(
    event_key_jmespath="order_id",
    payload_validation_jmespath="[" + ", ".join(PAYLOAD_FIELDS) + "]",
    raise_on_no_idempotency_key=True,
    expires_after_seconds=24 * 60 * 60,
)


@functools.cache
def _orders_table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


@functools.cache
def _idempotent_record_order() -> Callable[..., dict[str, Any]]:
    # Built on first use, not at import: the persistence layer creates its boto3 client
    # immediately, and a client created before moto's mock starts would not be patched.
    persistence = DynamoDBPersistenceLayer(
        table_name=os.environ["IDEMPOTENCY_TABLE"], boto3_client=boto3.client("dynamodb")
    )
    return idempotent_function(data_keyword_argument="order", config=idempotency_config, persistence_store=persistence)(
        record_order
    )


def record_order(table: Any, *, order: Order | dict[str, Any]) -> dict[str, Any]:
    """The business step: store the order and 'charge' it. Not idempotent on its own, but it
    refuses (``ConflictingOrder``) to overwrite an order stored with a different payload."""
    order = order if isinstance(order, Order) else Order.model_validate(order)
    try:
        table.update_item(
            Key={"order_id": order.order_id},
            UpdateExpression=(
                "SET customer_id = :customer, amount_cents = :amount, currency = :currency, processed_at = :now "
                "ADD charge_count :one"
            ),
            ConditionExpression=(
                "attribute_not_exists(order_id) OR "
                "(customer_id = :customer AND amount_cents = :amount AND currency = :currency)"
            ),
            ExpressionAttributeValues={
                ":customer": order.customer_id,
                ":amount": order.amount_cents,
                ":currency": order.currency,
                ":now": datetime.now(UTC).isoformat(),
                ":one": 1,
            },
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise ConflictingOrder(f"order {order.order_id} is already recorded with another payload") from None
        raise
    return {"order_id": order.order_id, "status": "recorded"}


def record_handler(record: OrderQueueRecord) -> dict[str, Any]:
    order = record.body
    try:
        return _idempotent_record_order()(_orders_table(), order=order)
    except (IdempotencyValidationError, ConflictingOrder):
        # Loud on purpose: the same business id with another payload is a producer bug or
        # tampering. Raising makes it a batch item failure: retried, then dead-lettered.
        logger.error(
            "order_id reused with a different payload; message not processed",
            extra={"order_id": order.order_id, "message_id": record.messageId, "compared": list(PAYLOAD_FIELDS)},
        )
        raise


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    idempotency_config.register_lambda_context(context)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
