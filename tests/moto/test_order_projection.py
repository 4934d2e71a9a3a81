"""order_projection: the fold, and the projection of an event store's stream into views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer

from reference_app.handlers import order_projection as projection
from reference_app.lab.events import load_event

AT = "2026-11-28T10:00:00+00:00"
PLACED = {
    "order_id": "o-1",
    "version": 1,
    "type": "OrderPlaced",
    "at": AT,
    "data": {"customer_id": "c-1", "currency": "EUR", "items": [{"sku": "A", "quantity": 2, "price_cents": 100}]},
}
ADDED = {
    "order_id": "o-1",
    "version": 2,
    "type": "ItemAdded",
    "at": AT,
    "data": {"sku": "A", "quantity": 1, "price_cents": 100},
}
PAID = {"order_id": "o-1", "version": 3, "type": "OrderPaid", "at": AT, "data": {"payment_id": "p-1"}}


@pytest.fixture
def views(make_table: Callable[..., Any]) -> Any:
    return make_table("order_views", env="VIEWS_TABLE")


def batch(*events: dict, name: str = "INSERT") -> dict:
    """A DynamoDB Streams batch in AWS's shape (the bundled sample record), one event store item per record."""
    serializer = TypeSerializer()
    sample = load_event("dynamodb_stream_insert")["Records"][0]
    records = []
    for n, event in enumerate(events, start=1):
        image = {k: serializer.serialize(v) for k, v in event.items()}
        keys = {k: image[k] for k in ("order_id", "version") if k in image}
        records.append(
            {
                **sample,
                "eventID": f"e-{n}",
                "eventName": name,
                "dynamodb": {
                    **sample["dynamodb"],
                    "Keys": keys,
                    "NewImage": image,
                    "SequenceNumber": str(100 + n),
                    "StreamViewType": "NEW_IMAGE",
                },
            }
        )
    return {"Records": records}


def test_the_fold_replays_events_in_version_order():
    state = projection.replay([PAID, PLACED, ADDED])
    assert (state["status"], state["item_count"], state["total_cents"], state["version"]) == ("PAID", 3, 300, 3)
    assert projection.replay([]) is None


@pytest.mark.parametrize(
    ("events", "error"),
    [
        ([ADDED], projection.OutOfOrder),  # version 2 first
        ([{**PLACED, "type": "Nonsense"}], projection.InvalidEvent),
        ([{**PLACED, "version": 1}, {**PLACED, "version": 2}], projection.InvalidEvent),  # placed twice
        ([{**ADDED, "version": 1}], projection.InvalidEvent),  # nothing placed yet
    ],
)
def test_the_fold_refuses_what_it_cannot_apply(events, error):
    with pytest.raises(error):
        projection.replay(events)


def test_the_fold_never_mutates_its_input():
    before = projection.apply_event(None, PLACED)
    snapshot = {**before, "lines": {k: dict(v) for k, v in before["lines"].items()}}
    projection.apply_event(before, ADDED)
    assert before == snapshot


def test_events_are_projected_and_a_redelivery_changes_nothing(views, lambda_context):
    assert projection.lambda_handler(batch(PLACED, ADDED), lambda_context) == {"batchItemFailures": []}
    assert projection.lambda_handler(batch(PLACED, ADDED, PAID), lambda_context) == {"batchItemFailures": []}
    view = projection.plain(views.get_item(Key={"order_id": "o-1"})["Item"])
    assert (view["version"], view["status"], view["total_cents"]) == (3, "PAID", 300)
    assert "projected_at" in view


def test_a_gap_fails_that_record_and_every_later_one(views, lambda_context):
    projection.lambda_handler(batch(PLACED), lambda_context)
    answer = projection.lambda_handler(batch(PAID, ADDED), lambda_context)  # v3 before v2
    assert answer == {"batchItemFailures": [{"itemIdentifier": "101"}, {"itemIdentifier": "102"}]}
    assert views.get_item(Key={"order_id": "o-1"})["Item"]["version"] == 1  # v2 was not applied after the gap


def test_a_change_that_is_not_an_insert_is_skipped(views, lambda_context, capsys):
    assert projection.lambda_handler(batch(PLACED, name="MODIFY"), lambda_context) == {"batchItemFailures": []}
    assert "Item" not in views.get_item(Key={"order_id": "o-1"})
    assert "events are immutable" in capsys.readouterr().out


def test_a_record_without_a_new_image_is_reported(views, lambda_context):
    event = batch(PLACED)
    del event["Records"][0]["dynamodb"]["NewImage"]
    assert projection.lambda_handler(event, lambda_context) == {"batchItemFailures": [{"itemIdentifier": "101"}]}


@pytest.mark.parametrize(
    ("stored", "reason"),
    [
        ({k: v for k, v in PLACED.items() if k != "order_id"}, "no order_id"),
        ({**PLACED, "version": "one"}, "version"),
        ({**PLACED, "version": 0}, "version"),
        ({**PLACED, "type": "OrderTeleported"}, "unknown event type"),
        ({**ADDED, "version": 1}, "before OrderPlaced"),
    ],
)
def test_an_item_that_is_not_a_valid_event_is_refused_and_nothing_is_written(
    views, lambda_context, scan, capsys, stored, reason
):
    # GIVEN an INSERT into the event store that the fold cannot apply, followed by a valid event
    answer = projection.lambda_handler(batch(stored, PLACED), lambda_context)
    # THEN both are reported (order is kept: nothing after a failure is applied) and no view is written
    assert answer == {"batchItemFailures": [{"itemIdentifier": "101"}, {"itemIdentifier": "102"}]}
    assert scan(views) == []
    assert reason in capsys.readouterr().out
