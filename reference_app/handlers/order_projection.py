"""Event sourcing and CQRS: project an order event store's stream into a read model.

What it demonstrates
    - Event sourcing: the event store (logical table ``order_events``) holds one immutable item
      per event, keyed by ``order_id`` and ``version`` (1, 2, 3 ... per order), and is the source
      of truth. An order's state is not stored there: it is the fold of its events,
      :func:`replay`, a pure function the notebook also calls to rebuild state or to ask what an
      order looked like at an earlier version.
    - CQRS: the read model (logical table ``order_views``) is a document per order, shaped for
      queries (status, lines, item count, total), that this function keeps up to date from the
      event store's stream (``NEW_IMAGE``). Writers never touch it; it lags the writes by the
      stream's delivery time, which ``projected_at`` against the event's ``at`` shows.
    - Idempotent under redelivery: the view stores the ``version`` of the last event applied, and
      an event whose version is not greater is a duplicate (a retried batch, a replay) and is
      skipped. The write is conditional on the version read, so two projections racing on one
      order cannot both apply an event.
    - Ordering is checked, never assumed: DynamoDB Streams keeps the order of changes *per item*,
      and every event is an item of its own, so the function applies version ``n + 1`` only. A gap
      (``n + 2`` first) fails that record and every later one as partial batch failures (by
      ``SequenceNumber``), none of them applied, so Lambda retries from there once the missing
      event has been projected; records before the failure are kept. A record that is not an
      INSERT (events are never updated or deleted) is logged and skipped.

Trigger
    DynamoDB Streams event source mapping on the event store (``NEW_IMAGE`` or
    ``NEW_AND_OLD_IMAGES``), with ``FunctionResponseTypes=["ReportBatchItemFailures"]``.

Environment
    ``VIEWS_TABLE``          DynamoDB table (logical ``order_views``), key ``order_id``

Notebooks
    09_patterns (event sourcing: replay; CQRS: the read model and its lag; idempotent projections).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

REQUIREMENTS = ()

EVENT_TYPES = ("OrderPlaced", "ItemAdded", "OrderPaid", "OrderShipped", "OrderCancelled")

_deserializer = TypeDeserializer()


class InvalidEvent(ValueError):
    """An event the fold cannot apply: unknown type, missing data, or nothing placed yet."""


class OutOfOrder(RuntimeError):
    """An event arrived before the one it follows: retry it once the earlier one is projected."""


class ProjectionConflict(RuntimeError):
    """The view changed between read and write (another projection ran): retry the record."""


@functools.cache
def _views_table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["VIEWS_TABLE"])


def log(level: str, message: str, **fields: Any) -> None:
    print(json.dumps({"level": level, "message": message, **fields}, default=str))


def plain(value: Any) -> Any:
    """DynamoDB's Decimals as ints (or floats), recursively: what JSON and the fold expect."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


# --- the fold: pure, the same for the projection, a replay and a temporal query -----------------
def apply_event(state: dict[str, Any] | None, event: dict[str, Any]) -> dict[str, Any]:
    """The state after ``event``; ``state`` is None before the order's first event. Never mutates."""
    kind, version, data = event.get("type"), int(event.get("version", 0)), event.get("data") or {}
    expected = 1 if state is None else state["version"] + 1
    if version != expected:
        raise OutOfOrder(f"{event.get('order_id')} v{version} arrived, v{expected} expected")
    if kind not in EVENT_TYPES:
        raise InvalidEvent(f"unknown event type {kind!r}")
    if kind == "OrderPlaced":
        if state is not None:
            raise InvalidEvent("OrderPlaced must be an order's first event")
        new: dict[str, Any] = {
            "order_id": event["order_id"],
            "customer_id": data["customer_id"],
            "currency": data["currency"],
            "status": "PLACED",
            "lines": {},
        }
        lines = data.get("items", [])
    elif state is None:
        raise InvalidEvent(f"{kind} before OrderPlaced")
    else:
        new = {**state, "lines": {sku: dict(line) for sku, line in state["lines"].items()}}
        lines = [data] if kind == "ItemAdded" else []
        if kind == "OrderPaid":
            new.update(status="PAID", payment_id=data.get("payment_id"))
        elif kind == "OrderShipped":
            new.update(status="SHIPPED", tracking_id=data.get("tracking_id"))
        elif kind == "OrderCancelled":
            new.update(status="CANCELLED", cancel_reason=data.get("reason"))
    for line in lines:
        current = new["lines"].get(line["sku"], {"quantity": 0, "price_cents": int(line["price_cents"])})
        new["lines"][line["sku"]] = {**current, "quantity": current["quantity"] + int(line["quantity"])}
    new["item_count"] = sum(line["quantity"] for line in new["lines"].values())
    new["total_cents"] = sum(line["quantity"] * line["price_cents"] for line in new["lines"].values())
    new.update(version=version, updated_at=event.get("at"))
    return new


def replay(events: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """An order's state from its events (any order given; applied by version)."""
    state = None
    for event in sorted(events, key=lambda e: int(e["version"])):
        state = apply_event(state, plain(event))
    return state


# --- the projection ------------------------------------------------------------------------------
def event_of(record: dict[str, Any]) -> dict[str, Any]:
    """The event a stream record carries (its new image), as plain Python values."""
    image = (record.get("dynamodb") or {}).get("NewImage")
    if not isinstance(image, dict):
        raise InvalidEvent("the stream record has no NewImage: stream the event store with NEW_IMAGE")
    event = plain({name: _deserializer.deserialize(value) for name, value in image.items()})
    order_id, version = event.get("order_id"), event.get("version")
    if not isinstance(order_id, str) or not order_id:
        raise InvalidEvent("the event has no order_id")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InvalidEvent("the event's version is not a positive whole number")
    return event


def project(table: Any, event: dict[str, Any]) -> str:
    """Apply one event to its order's view: ``applied``, or ``duplicate`` when already there."""
    current = table.get_item(Key={"order_id": event["order_id"]}, ConsistentRead=True).get("Item")
    state = plain(current) if current else None
    have = state["version"] if state else 0
    if int(event["version"]) <= have:
        return "duplicate"
    if state is not None:
        state.pop("projected_at", None)
    view = {**apply_event(state, event), "projected_at": datetime.now(UTC).isoformat()}
    condition = {"ConditionExpression": "attribute_not_exists(order_id)"}
    if have:
        condition = {"ConditionExpression": "version = :have", "ExpressionAttributeValues": {":have": have}}
    try:
        table.put_item(Item=view, **condition)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise ProjectionConflict(f"{event['order_id']} changed while v{event['version']} was applied") from None
        raise
    return "applied"


def handle(event: dict[str, Any], table: Any) -> dict[str, Any]:
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        sequence = (record.get("dynamodb") or {}).get("SequenceNumber", "")
        if failures:  # keep the order: nothing after a failed record is applied
            failures.append({"itemIdentifier": sequence})
            continue
        if record.get("eventName") != "INSERT":
            log(
                "WARNING",
                "events are immutable; a change that is not an INSERT is ignored",
                event_name=record.get("eventName"),
                sequence_number=sequence,
            )
            continue
        try:
            stored = event_of(record)
            outcome = project(table, stored)
            log(
                "INFO",
                f"event {outcome}",
                order_id=stored["order_id"],
                version=stored["version"],
                type=stored.get("type"),
            )
        except Exception as exc:  # this record and every later one are retried, in order
            log(
                "ERROR",
                "event not projected; it and the rest of the batch will be retried",
                error=type(exc).__name__,
                reason=str(exc),
                sequence_number=sequence,
            )
            failures.append({"itemIdentifier": sequence})
    return {"batchItemFailures": failures}


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event, _views_table())
