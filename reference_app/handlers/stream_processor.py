"""DynamoDB Streams -> audit trail table + SNS change notifications, with partial batch failures.

What it demonstrates
    - Reading INSERT / MODIFY / REMOVE stream records with old and new images (the users
      table streams ``NEW_AND_OLD_IMAGES``), through Powertools' ``DynamoDBRecord`` data class.
      Every view type is handled as AWS sends it: ``NEW_IMAGE`` has no old image,
      ``OLD_IMAGE`` no new one, ``KEYS_ONLY`` neither. What changed is stated only when the
      images show it (INSERT needs the new image, REMOVE the old one, MODIFY both); otherwise
      the audit item has no ``changed_fields`` and the message says ``"changed_fields": null``
      ("unknown"), never "every attribute, key included". A MODIFY is left un-notified only
      when both images prove nothing changed.
    - An audit trail: one item per change, keyed by the changed item (``entity_id``) and the
      stream ``SequenceNumber`` zero-padded to 40 digits, so a ``Query`` returns an item's
      history in order. Images are stored in DynamoDB's own attribute-value form (lossless).
      The write is idempotent: a retried record overwrites its own audit item.
    - An SNS notification per change that matters, carrying keys and the names of changed
      fields but not the images (the images hold personal data; subscribers fetch what they
      are allowed to see). The ``event`` message attribute lets subscriptions filter by
      change type.
    - Ordering, with partial batch failures: records are processed in stream order and the
      first failure that a retry could fix (a throttled publish, an unavailable table) stops
      the batch. That record and every record after it are reported by
      ``dynamodb.SequenceNumber`` in ``batchItemFailures``, none of them was published, and
      Lambda retries from the lowest reported sequence number. So subscribers see one item's
      changes in the order the table made them, even across a transient failure (a batch that
      went on past the failure would publish a later change before the retried earlier one).
      The price: a record that keeps failing holds up its shard until the mapping's
      ``MaximumRetryAttempts`` / ``MaximumRecordAgeInSeconds`` send it to the on-failure
      destination. ``InOrderBatchProcessor`` is ``BatchProcessor(EventType.DynamoDBStreams)``
      with that circuit breaker (as Powertools' ``SqsFifoPartialProcessor`` does for FIFO
      queues). A retry may still re-run records that did succeed before a timeout, so the
      audit write is idempotent and subscribers must tolerate duplicates. Partial responses
      only work when the event source mapping has
      ``FunctionResponseTypes=["ReportBatchItemFailures"]``; add an on-failure destination.
    - A malformed record (no ``Keys``, ``SequenceNumber`` or ``eventName``) can never succeed,
      so no ordering is kept by waiting for it: it alone is reported, and the records after it
      are processed (Lambda still redelivers them from its sequence number, so they may be
      processed twice; the audit write is idempotent).
    - Numbers stay exact: Powertools reads DynamoDB's ``N`` as ``Decimal``, an item's identity
      uses the number's exact decimal text (``1.010E+2`` and ``101`` are the same item), and a
      notification carries an integral number as a JSON integer, any other as its exact text;
      no number goes through a float.
    - Anything that is not a DynamoDB stream event (a Kinesis batch wired to this function by
      mistake) is refused as a whole with :class:`NotADynamoDBStreamEvent`, naming what came.
    - ``raise_on_entire_batch_failure=False``: when every record fails, they are all
      reported in the response instead of the invocation raising (same retry effect, one
      response shape to explain).

Trigger
    DynamoDB Streams event source mapping on the users table.

Environment
    ``AUDIT_TABLE``          DynamoDB table (logical ``audit``)
    ``TOPIC_ARN``            SNS topic for change notifications
    ``POWERTOOLS_LOG_LEVEL`` optional

Notebooks
    04_triggers (stream records), 05_error_handling (partial batch failures, retries),
    09_patterns (change data capture, audit log, fan-out).
"""

from __future__ import annotations

import functools
import json
import os
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

REQUIREMENTS = ("aws-lambda-powertools",)

SEQUENCE_WIDTH = 40  # DynamoDB Streams sequence numbers have 21 to 40 digits
# Which images a change needs before we can say what it changed.
IMAGES_NEEDED = {"INSERT": ("NewImage",), "MODIFY": ("OldImage", "NewImage"), "REMOVE": ("OldImage",)}

logger = Logger(service="stream-processor")


class MalformedStreamRecord(ValueError):
    """A stream record without the fields an audit entry needs."""


class NotADynamoDBStreamEvent(ValueError):
    """The event is not a DynamoDB Streams batch: the function is wired to the wrong source."""


class EarlierRecordFailed(RuntimeError):
    """Not processed: a record before it in the batch failed, and changes must stay in order."""


class InOrderBatchProcessor(BatchProcessor):
    """``BatchProcessor`` for a stream that stops at the first failed record: it and every record
    after it are reported as failures, unprocessed, so Lambda's retry replays them in order."""

    _circuit_breaker = (EarlierRecordFailed, EarlierRecordFailed("an earlier record in this batch failed"), None)

    def __init__(self) -> None:
        super().__init__(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)

    def _process_record(self, record: dict[str, Any]) -> Any:
        if any(not issubclass(exc_type, MalformedStreamRecord) for exc_type, _, _ in self.exceptions):
            data = self._to_batch_type(record, event_type=self.event_type)
            return self.failure_handler(record=data, exception=self._circuit_breaker)
        return super()._process_record(record)


processor = InOrderBatchProcessor()


@functools.cache
def _dynamodb() -> Any:
    return boto3.client("dynamodb")


@functools.cache
def _sns() -> Any:
    return boto3.client("sns")


def table_name_from_arn(stream_arn: str | None) -> str:
    # arn:aws:dynamodb:us-east-1:123456789012:table/lab-users/stream/2024-01-12T10:00:00.000
    parts = (stream_arn or "").split("/")
    return parts[1] if len(parts) > 2 and parts[0].endswith(":table") else "unknown-table"


def entity_id(table_name: str, keys: dict[str, Any]) -> str:
    """``lab-users#user_id=u-1001`` (key attributes sorted, so composite keys are stable; a number
    by its exact decimal text, so ``101`` and ``1.010E+2`` name the same item)."""
    return table_name + "#" + "&".join(f"{name}={_key_text(keys[name])}" for name in sorted(keys))


def _key_text(value: Any) -> str:
    """A number's exact decimal text, trailing zeros dropped (``Decimal.normalize`` would round
    to the context's 28 digits; DynamoDB numbers have up to 38)."""
    if not isinstance(value, Decimal):
        return str(value)
    if not value:
        return "0"
    sign, digits, exponent = value.as_tuple()
    while len(digits) > 1 and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    return format(Decimal((sign, digits, exponent)), "f")


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))


def known_changes(record: DynamoDBRecord) -> list[str] | None:
    """The attributes this change touched, or None when the record lacks the images to tell
    (``KEYS_ONLY``; ``NEW_IMAGE`` for MODIFY/REMOVE; ``OLD_IMAGE`` for INSERT/MODIFY)."""
    raw = record.raw_event.get("dynamodb") or {}
    needed = IMAGES_NEEDED.get(record.event_name.name if record.event_name else "")
    stream = record.dynamodb
    if stream is None or needed is None or not all(isinstance(raw.get(image), dict) for image in needed):
        return None
    return changed_fields(stream.old_image, stream.new_image)


def build_change(record: DynamoDBRecord) -> dict[str, Any]:
    """Pure: the audit item (attribute-value form) and the notification for one stream record."""
    stream = record.dynamodb
    raw = record.raw_event.get("dynamodb") or {}
    if stream is None or not raw.get("Keys") or not stream.sequence_number or record.event_name is None:
        raise MalformedStreamRecord("stream record lacks Keys, SequenceNumber or eventName")
    event_name = record.event_name.name
    table = table_name_from_arn(record.event_source_arn)
    keys = stream.keys
    changes = known_changes(record)
    created = stream.approximate_creation_date_time
    changed_at = datetime.fromtimestamp(created, UTC).isoformat() if created else None
    by_ttl = (record.raw_event.get("userIdentity") or {}).get("principalId") == "dynamodb.amazonaws.com"
    view_type = raw.get("StreamViewType")

    item: dict[str, Any] = {
        "entity_id": {"S": entity_id(table, keys)},
        "sequence_number": {"S": stream.sequence_number.zfill(SEQUENCE_WIDTH)},
        "event_name": {"S": event_name},
        "event_id": {"S": record.event_id or ""},
        "source_table": {"S": table},
        "keys": {"M": raw["Keys"]},
        "removed_by_ttl": {"BOOL": by_ttl},
    }
    if isinstance(view_type, str):
        item["stream_view_type"] = {"S": view_type}
    if changed_at:
        item["changed_at"] = {"S": changed_at}
    if raw.get("OldImage"):
        item["old_image"] = {"M": raw["OldImage"]}
    if raw.get("NewImage"):
        item["new_image"] = {"M": raw["NewImage"]}
    if changes is not None:  # absent: unknown (the view type carries no images to compare)
        item["changed_fields"] = {"L": [{"S": name} for name in changes]}

    notify = event_name != "MODIFY" or changes != []  # skip only a MODIFY proven to change nothing
    message = {
        "event": event_name,
        "entity_id": entity_id(table, keys),
        "table": table,
        "keys": keys,
        "changed_fields": changes,
        "sequence_number": stream.sequence_number,
        "removed_by_ttl": by_ttl,
    }
    return {"audit_item": item, "notification": message if notify else None}


def record_change(dynamodb: Any, sns: Any, audit_table: str, topic_arn: str, record: DynamoDBRecord) -> dict[str, Any]:
    """Write the audit item, then publish; a failure in either fails only this record."""
    change = build_change(record)
    dynamodb.put_item(TableName=audit_table, Item=change["audit_item"])
    message = change["notification"]
    if message is not None:
        sns.publish(
            TopicArn=topic_arn,
            Subject=f"{message['table']} {message['event']}"[:100],
            Message=json.dumps(message, default=_json_default),
            MessageAttributes={"event": {"DataType": "String", "StringValue": message["event"]}},
        )
    return {"entity_id": change["audit_item"]["entity_id"]["S"], "notified": message is not None}


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):  # exact: an int, or the number's decimal text (never a float)
        return int(value) if value == value.to_integral_value() else _key_text(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def record_handler(record: DynamoDBRecord) -> dict[str, Any]:
    return record_change(_dynamodb(), _sns(), os.environ["AUDIT_TABLE"], os.environ["TOPIC_ARN"], record)


def check_source(event: Any) -> None:
    """Refuse, as a whole, an event that is not a DynamoDB Streams batch."""
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        raise NotADynamoDBStreamEvent("stream_processor needs a DynamoDB Streams event with a Records list")
    sources = sorted({str(r.get("eventSource")) for r in records if isinstance(r, dict)} - {"aws:dynamodb"})
    if sources or not all(isinstance(r, dict) and isinstance(r.get("dynamodb"), dict) for r in records):
        got = ", ".join(sources) or "records without a dynamodb body"
        raise NotADynamoDBStreamEvent(
            f"stream_processor reads DynamoDB Streams records, not {got}: wire it to a table's stream"
        )


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    check_source(event)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
