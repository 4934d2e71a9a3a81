"""The pure parts of 09_patterns' helpers: the exercise's state machine, the write side's rules,
the stream batches handed to the projection, the fixtures of the three pipelines, saga histories."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from boto3.dynamodb.types import TypeDeserializer

from reference_app.handlers import order_projection
from reference_app.lab import reference_deploys, resources
from reference_app.lab.lesson_helpers.patterns import events, fanout, industry, pipelines, saga


def machine() -> dict:
    return json.loads(saga.with_voucher_step(reference_deploys.order_saga_definition("arn:saga"), "arn:voucher"))


def test_the_voucher_step_follows_the_reservation_and_its_compensation_precedes_the_release():
    states = machine()["States"]
    assert states["ReserveInventory"]["Next"] == "RedeemVoucher"
    assert states["RedeemVoucher"]["Next"] == "ChargePayment"
    assert states["RedeemVoucher"]["Parameters"]["action"] == "redeem"
    assert states["ReinstateVoucher"]["Next"] == "ReleaseInventory"
    assert states["RefundPayment"]["Next"] == "ReinstateVoucher"
    charge = {tuple(c["ErrorEquals"]): c["Next"] for c in states["ChargePayment"]["Catch"]}
    assert charge[("PaymentDeclined",)] == "ReinstateVoucher"


def test_failures_before_the_voucher_was_redeemed_do_not_reinstate_it():
    states = machine()["States"]
    reserve = {tuple(c["ErrorEquals"]): c["Next"] for c in states["ReserveInventory"]["Catch"]}
    assert reserve[("States.ALL",)] == "ReleaseInventory"
    redeem = {tuple(c["ErrorEquals"]): c["Next"] for c in states["RedeemVoucher"]["Catch"]}
    assert redeem == {("VoucherRejected",): "ReleaseInventory", ("States.ALL",): "ReinstateVoucher"}


def test_every_transition_of_the_voucher_machine_names_a_state():
    states = machine()["States"]
    catches = {c["Next"] for s in states.values() for c in s.get("Catch", [])}
    targets = {s.get("Next") for s in states.values()} | catches
    assert targets - {None} <= set(states)


def test_the_voucher_step_is_added_once():
    with pytest.raises(ValueError, match="already"):
        saga.with_voucher_step(saga.with_voucher_step(reference_deploys.order_saga_definition("a"), "b"), "b")


@pytest.mark.parametrize(
    ("status", "command", "allowed"),
    [
        (None, "place", True),
        ("PLACED", "place", False),
        (None, "pay", False),
        ("PLACED", "pay", True),
        ("PLACED", "ship", False),
        ("PAID", "ship", True),
        ("PAID", "cancel", True),
        ("SHIPPED", "cancel", False),
        ("PLACED", "add_item", True),
        ("PAID", "add_item", False),
    ],
)
def test_commands_are_decided_from_the_replayed_state(status, command, allowed):
    state = None if status is None else {"order_id": "o-1", "status": status}
    if allowed:
        assert events.decide(state, command) == events.RULES[command][0]
    else:
        with pytest.raises(events.CommandRejected):
            events.decide(state, command)


def test_an_unknown_command_is_rejected():
    with pytest.raises(events.CommandRejected, match="unknown"):
        events.decide(None, "refund")


def test_a_stream_batch_carries_the_events_as_typed_new_images_in_order():
    drafts = events.draft_events("o-9")
    batch = events.stream_batch(drafts)
    deserialize = TypeDeserializer().deserialize
    images = [{k: deserialize(v) for k, v in r["dynamodb"]["NewImage"].items()} for r in batch["Records"]]
    assert [order_projection.plain(i) for i in images] == drafts
    sequences = [r["dynamodb"]["SequenceNumber"] for r in batch["Records"]]
    assert sequences == sorted(sequences) and {r["eventName"] for r in batch["Records"]} == {"INSERT"}


def test_the_drafted_events_replay_into_a_paid_order():
    assert order_projection.replay(events.draft_events("o-9"))["status"] == "PAID"


def test_an_order_without_a_country_leaves_the_field_out():
    assert "country" not in fanout.order("o-1", country=None) and fanout.order("o-1")["country"] == "DE"


@pytest.mark.parametrize(
    ("body", "order_id"),
    [
        ({"Type": "Notification", "Message": json.dumps({"order_id": "o-1"})}, "o-1"),
        ({"order_id": "o-2"}, "o-2"),
        ({"Type": "Notification", "Message": "not json"}, None),
        ("not an order", None),
    ],
)
def test_the_order_id_is_found_in_either_body_shape(body, order_id):
    assert fanout._order_id_of(body) == order_id


def test_the_csv_has_three_good_rows_a_bad_email_and_a_repeated_id():
    lines = industry.users_csv("r1").splitlines()
    assert lines[0] == "user_id,name,email" and len(lines) == 6
    assert lines[5].startswith("etl-r1-1,")  # the repeat of row 2


def test_clicks_fall_in_one_minute_on_known_pages():
    batch = industry.clicks(40)
    assert len({industry.minute_of(c) for c in batch}) == 1 and {c["page"] for c in batch} <= set(industry.PAGES)


def test_a_kinesis_batch_keeps_the_stored_shard_and_sequence_numbers():
    batch = industry.clicks(2)
    put = [{"ShardId": "shardId-000000000000", "SequenceNumber": str(n)} for n in (7, 8)]
    records = industry.kinesis_batch("arn:stream", batch, put)["Records"]
    assert [r["eventID"] for r in records] == ["shardId-000000000000:7", "shardId-000000000000:8"]
    assert json.loads(base64.b64decode(records[0]["kinesis"]["data"])) == batch[0]


def _event(kind: str, at: datetime, **details) -> dict:
    return {"type": kind, "timestamp": at, **details}


def test_a_saga_history_becomes_steps_with_compensations_marked():
    t0 = datetime(2026, 11, 28, tzinfo=UTC)
    ms = lambda n: t0 + timedelta(milliseconds=n)  # noqa: E731
    run = saga.SagaRun(
        "declined",
        {},
        "arn",
        {"status": "FAILED"},
        [
            _event("ExecutionStarted", ms(0)),
            _event("TaskStateEntered", ms(10), stateEnteredEventDetails={"name": "ChargePayment"}),
            _event("TaskFailed", ms(30), taskFailedEventDetails={"error": "PaymentDeclined"}),
            _event("TaskStateExited", ms(30), stateExitedEventDetails={"name": "ChargePayment"}),
            _event("TaskStateEntered", ms(31), stateEnteredEventDetails={"name": "ReleaseInventory"}),
            _event("TaskStateExited", ms(40), stateExitedEventDetails={"name": "ReleaseInventory"}),
            _event("FailStateEntered", ms(41), stateEnteredEventDetails={"name": "OrderFailed"}),
            _event("ExecutionFailed", ms(41), executionFailedEventDetails={"error": "OrderFailed"}),
        ],
    )
    assert run.entered == ["ChargePayment", "ReleaseInventory", "OrderFailed"]
    assert run.compensations == ["ReleaseInventory"]
    steps = run.steps().set_index("state")
    assert steps.loc["ReleaseInventory", "kind"] == "compensation" and steps.loc["OrderFailed", "kind"] == "end"
    assert (steps.loc["ChargePayment", "start_ms"], steps.loc["ChargePayment", "end_ms"]) == (10, 30)
    assert run.history()["type"].tolist()[0] == "ExecutionStarted"


def test_the_lesson_deploys_reference_handlers_with_known_resources():
    for module, name, timeout in pipelines.FUNCTIONS.values():
        assert module in resources.HANDLER_ENVIRONMENT and name.startswith("lab-09-") and timeout > 0
    assert pipelines.FULFILMENT_QUEUE[1] >= pipelines.FUNCTIONS["fulfilment"][2]  # visibility >= timeout
    assert pipelines.BILLING_QUEUE[1] >= 6 * pipelines.FUNCTIONS["billing"][2]
