"""Event sourcing and CQRS: the write side (commands appending events) and the read side (views).

The write side is :class:`EventStore`: a command loads an order's events, folds them into its
state with the projection handler's own :func:`~reference_app.handlers.order_projection.replay`,
decides whether the command is allowed (:func:`decide`), and appends one event with the next
version number. The append is conditional on that version not existing yet (optimistic
concurrency): two writers that read the same state cannot both append version ``n + 1``.

The read side is the ``order_views`` table, kept up to date by the deployed ``order_projection``
function from the event store's stream; :func:`wait_for_view`, :func:`read_after_write` and
:func:`rebuild` look at it.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.conditions import Key
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from reference_app.handlers.order_projection import plain, replay

from ...clients import client, resource
from ...deploy import invoke
from ...triggers import wait_for_mapping
from .infra import item, wait_until

#: command -> (event type, the statuses it is allowed in; None: the order must not exist yet)
RULES: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "place": ("OrderPlaced", None),
    "add_item": ("ItemAdded", ("PLACED",)),
    "pay": ("OrderPaid", ("PLACED",)),
    "ship": ("OrderShipped", ("PAID",)),
    "cancel": ("OrderCancelled", ("PLACED", "PAID")),
}


class CommandRejected(ValueError):
    """The command is not allowed in the order's current state."""


class ConcurrencyConflict(RuntimeError):
    """Another writer appended this version first: reload the events and decide again."""


def decide(state: dict[str, Any] | None, command: str) -> str:
    """The event type ``command`` produces from ``state``, or ``CommandRejected``."""
    if command not in RULES:
        raise CommandRejected(f"unknown command {command!r}")
    event_type, allowed = RULES[command]
    status = None if state is None else state["status"]
    if allowed is None and state is not None:
        raise CommandRejected(f"{state['order_id']} already exists")
    if allowed is not None and status not in allowed:
        raise CommandRejected(f"cannot {command} an order that is {status or 'not placed'}")
    return event_type


@dataclass(frozen=True)
class EventStore:
    """The write model: an append-only table of events, one item per (order_id, version)."""

    table: str

    def events(self, order_id: str) -> list[dict[str, Any]]:
        """The order's events, oldest first (a strongly consistent query)."""
        found = (
            resource("dynamodb")
            .Table(self.table)
            .query(KeyConditionExpression=Key("order_id").eq(order_id), ConsistentRead=True)["Items"]
        )
        return [plain(e) for e in found]

    def state(self, order_id: str, as_of: int | None = None) -> dict[str, Any] | None:
        """The order's state now, or as of version ``as_of``: a replay of its events."""
        return replay([e for e in self.events(order_id) if as_of is None or e["version"] <= as_of])

    def append(self, order_id: str, version: int, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
        """Store event ``version``; ``ConcurrencyConflict`` when that version exists already."""
        event = {
            "order_id": order_id,
            "version": version,
            "type": event_type,
            "at": datetime.now(UTC).isoformat(),
            "data": data,
        }
        try:
            resource("dynamodb").Table(self.table).put_item(
                Item=event, ConditionExpression="attribute_not_exists(order_id)"
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConcurrencyConflict(f"{order_id} v{version} was appended by someone else") from None
            raise
        return event

    def execute(self, order_id: str, command: str, **data: Any) -> dict[str, Any]:
        """Load, decide, append: the command handler of the write side. Returns the new event."""
        state = self.state(order_id)
        event_type = decide(state, command)
        return self.append(order_id, (state or {"version": 0})["version"] + 1, event_type, data)

    def frame(self, order_id: str):
        import pandas as pd

        return pd.DataFrame(
            [
                {**{k: e[k] for k in ("version", "type", "at")}, "data": json.dumps(e["data"])}
                for e in self.events(order_id)
            ]
        ).set_index("version")


def view(table: str, order_id: str) -> dict[str, Any] | None:
    found = item(table, {"order_id": order_id})
    return plain(found) if found else None


def wait_for_view(table: str, order_id: str, version: int, timeout_s: float = 30.0) -> dict[str, Any]:
    """The order's view once the projection has applied ``version``."""
    return wait_until(
        lambda: v if (v := view(table, order_id)) and v["version"] >= version else None,
        f"the read model of {order_id} at v{version}",
        timeout_s,
    )


def without_projection_fields(document: dict[str, Any] | None) -> dict[str, Any] | None:
    """A view without what only the projection adds (when it wrote), to compare with a replay."""
    return None if document is None else {k: v for k, v in document.items() if k != "projected_at"}


def stream_batch(events: list[dict[str, Any]], table_arn: str = "") -> dict[str, Any]:
    """Stored events as a DynamoDB Streams batch, in the shape Lambda delivers (INSERT records with
    typed ``NewImage``s): what a retried or replayed batch looks like to the projection."""
    serializer = TypeSerializer()
    records = []
    for number, event in enumerate(events, start=1):
        image = {name: serializer.serialize(value) for name, value in event.items()}
        records.append(
            {
                "eventID": f"replay-{number}",
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": "us-east-1",
                "eventSourceARN": table_arn,
                "dynamodb": {
                    "Keys": {"order_id": image["order_id"], "version": image["version"]},
                    "NewImage": image,
                    "SequenceNumber": f"{number:021d}",
                    "SizeBytes": len(json.dumps(image)),
                    "StreamViewType": "NEW_IMAGE",
                },
            }
        )
    return {"Records": records}


def redeliver(function: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    """Invoke the projection with these events as one stream batch (as a retry would); its answer."""
    answer = invoke(function, stream_batch(events))
    if not answer.ok:
        raise RuntimeError(f"{function} failed: {answer.payload}")
    return answer.payload


def rebuild(store: EventStore, views_table: str, function: str, order_ids: list[str]):
    """Delete the orders' views, then replay every stored event through the deployed projection:
    the read model comes back from the events alone. Returns before/after, one row per order."""
    import pandas as pd

    before = {oid: without_projection_fields(view(views_table, oid)) for oid in order_ids}
    table = resource("dynamodb").Table(views_table)
    for oid in order_ids:
        table.delete_item(Key={"order_id": oid})
    wiped = sum(view(views_table, oid) is None for oid in order_ids)
    answer = redeliver(function, [e for oid in order_ids for e in store.events(oid)])
    rows = []
    for oid in order_ids:
        after = without_projection_fields(view(views_table, oid))
        rows.append(
            {
                "order_id": oid,
                "status": (after or {}).get("status"),
                "version": (after or {}).get("version"),
                "same as before": after == before[oid],
            }
        )
    frame = pd.DataFrame(rows).set_index("order_id")
    frame.attrs.update(wiped=wiped, failures=answer.get("batchItemFailures"))
    return frame


def read_after_write(store: EventStore, views_table: str, run: str, count: int = 5, timeout_s: float = 30.0):
    """Place ``count`` orders; after each, read the read model at once, then poll until the order
    is there. One row per order: seen at once?, how long until it was, and the lag by timestamps."""
    import pandas as pd

    rows = []
    for n in range(1, count + 1):
        order_id = f"cq-{run}-{n}"
        started = time.perf_counter()
        event = store.execute(
            order_id,
            "place",
            customer_id="c-ada",
            currency="EUR",
            items=[{"sku": "BOOK-42", "quantity": 1, "price_cents": 1999}],
        )
        at_once = view(views_table, order_id) is not None
        seen = wait_for_view(views_table, order_id, 1, timeout_s)
        polled_ms = (time.perf_counter() - started) * 1000
        lag_ms = (datetime.fromisoformat(seen["projected_at"]) - datetime.fromisoformat(event["at"])).total_seconds()
        rows.append(
            {
                "order_id": order_id,
                "in the read model at once": at_once,
                "visible after (ms, polling)": round(polled_ms),
                "projected_at - at (ms)": round(lag_ms * 1000),
            }
        )
    return pd.DataFrame(rows).set_index("order_id")


def table_arn(table: str) -> str:
    return client("dynamodb").describe_table(TableName=table)["Table"]["TableArn"]


@contextmanager
def paused(function: str, table: str):
    """Disable the projection's mapping from the event store's stream for the ``with`` block, then
    enable it again: writes go on, the read model stands still, and catches up from where it stopped."""
    lam = client("lambda")
    stream = client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    mapping = lam.list_event_source_mappings(FunctionName=function, EventSourceArn=stream)["EventSourceMappings"][0]
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    wait_for_mapping(mapping["UUID"], "Disabled")
    try:
        yield mapping["UUID"]
    finally:
        lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
        wait_for_mapping(mapping["UUID"], "Enabled")


def draft_events(order_id: str) -> list[dict[str, Any]]:
    """Two events of an order that are never stored: OrderPlaced (v1) and OrderPaid (v2), for
    handing the projection out of order by hand."""
    at = datetime.now(UTC).isoformat()
    return [
        {
            "order_id": order_id,
            "version": 1,
            "type": "OrderPlaced",
            "at": at,
            "data": {
                "customer_id": "c-ada",
                "currency": "EUR",
                "items": [{"sku": "BOOK-42", "quantity": 1, "price_cents": 1999}],
            },
        },
        {"order_id": order_id, "version": 2, "type": "OrderPaid", "at": at, "data": {"payment_id": f"pay-{order_id}"}},
    ]
