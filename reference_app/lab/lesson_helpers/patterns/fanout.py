"""Fan-out: publish orders to the topic, and read what each consumer did with them."""

from __future__ import annotations

import json
from typing import Any

from ...clients import client
from ...logs import invocations
from .infra import Queue, item, receive, wait_until
from .infra import now_ms as now_ms


def order(
    order_id: str,
    *,
    customer_id: str = "c-ada",
    amount_cents: int = 4599,
    currency: str = "EUR",
    country: str | None = "DE",
    items: list[dict] | None = None,
) -> dict[str, Any]:
    """An "order placed" event; ``country=None`` leaves the field out (billing needs none, fulfilment does)."""
    placed: dict[str, Any] = {
        "order_id": order_id,
        "customer_id": customer_id,
        "amount_cents": amount_cents,
        "currency": currency,
        "items": items or [{"sku": "BOOK-42", "quantity": 2}],
    }
    if country is not None:
        placed["country"] = country
    return placed


def publish(topic_arn: str, orders: list[dict[str, Any]]) -> list[str]:
    """Publish each order once (one SNS message each); return the message ids."""
    sns = client("sns")
    return [
        sns.publish(
            TopicArn=topic_arn,
            Message=json.dumps(o),
            Subject="OrderPlaced",
            MessageAttributes={"type": {"DataType": "String", "StringValue": "OrderPlaced"}},
        )["MessageId"]
        for o in orders
    ]


def consumers(kit: Any, orders: list[dict[str, Any]], timeout_s: float = 30.0):
    """What billing and fulfilment recorded for each order, once billing has charged every order and
    fulfilment has booked every order that has a country (a DataFrame indexed by order id)."""
    import pandas as pd

    def rows() -> list[dict] | None:
        found = []
        for placed in orders:
            charged = item(kit.tables["orders"], {"order_id": placed["order_id"]})
            shipped = item(kit.tables["shipments"], {"order_id": placed["order_id"]})
            if charged is None or ("country" in placed and shipped is None):
                return None
            found.append(
                {
                    "order_id": placed["order_id"],
                    "country": placed.get("country", "(none)"),
                    "billing: charge_count": int(charged["charge_count"]),
                    "fulfilment: shipment": shipped["status"] if shipped else "(none)",
                }
            )
        return found

    return pd.DataFrame(wait_until(rows, "both consumers", timeout_s)).set_index("order_id")


def _order_id_of(body: Any) -> str | None:
    """The order id in a message body: an SNS envelope, or the order itself (raw delivery)."""
    if isinstance(body, dict) and body.get("Type") == "Notification":
        try:
            body = json.loads(body.get("Message", ""))
        except ValueError:
            return None
    return body.get("order_id") if isinstance(body, dict) else None


def parked(queue: Queue, order_id: str, timeout_s: float = 30.0) -> dict[str, Any]:
    """Wait until the order's message is in the queue's dead-letter queue; return it. Every message
    read from the DLQ is deleted: this lesson's DLQs hold nothing anyone still needs."""

    def find() -> dict | None:
        for message in queue.messages(dlq=True, delete=True):
            if _order_id_of(message["Decoded"]) == order_id:
                return message
        return None

    message = wait_until(find, f"{order_id} in {queue.name}-dlq", timeout_s)
    return {
        "queue": queue.name,
        "dead-letter queue": f"{queue.name}-dlq",
        "maxReceiveCount": queue.max_receives,
        "body": message["Body"][:120] + ("..." if len(message["Body"]) > 120 else ""),
    }


def tapped(kit: Any, placed: dict[str, Any], timeout_s: float = 30.0):
    """The same publish as the tap queue (SNS envelope) and the billing queue (raw) receive it,
    side by side (a DataFrame: one row per field)."""
    import pandas as pd

    def find() -> dict | None:
        for message in receive(kit.tap_url, delete=True):
            if _order_id_of(message["Decoded"]) == placed["order_id"]:
                return message["Decoded"]
        return None

    envelope = wait_until(find, f"{placed['order_id']} on the tap queue", timeout_s)
    rows = [
        {"field": name, "SNS envelope (RawMessageDelivery false)": str(value)[:70], "raw (RawMessageDelivery true)": ""}
        for name, value in envelope.items()
    ]
    rows.append(
        {
            "field": "(the whole body)",
            "SNS envelope (RawMessageDelivery false)": "the JSON above",
            "raw (RawMessageDelivery true)": json.dumps(placed)[:70] + "...",
        }
    )
    return pd.DataFrame(rows).set_index("field")


def publish_again(kit: Any, placed: dict[str, Any], timeout_s: float = 30.0):
    """Publish an order a second time and wait for the evidence that both consumers handled the
    copy: fulfilment's log says "shipment duplicate" for it, and billing's queue is empty again.
    Returns what the consumers recorded for the order (see :func:`consumers`)."""
    since = now_ms() - 1000
    publish(kit.topic_arn, [placed])

    def duplicate_logged() -> bool:
        return any(
            '"shipment duplicate"' in line and placed["order_id"] in line
            for invocation in invocations(kit.name("fulfilment"), since)
            for line in invocation.output
        )

    wait_until(duplicate_logged, f"fulfilment to see {placed['order_id']} again", timeout_s)
    wait_until(lambda: kit.billing.depth() == 0, "billing's queue to drain", timeout_s)
    return consumers(kit, [placed], timeout_s)
