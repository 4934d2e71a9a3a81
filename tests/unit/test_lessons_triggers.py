"""04_triggers' helpers that need no emulator: event tables, key decoding, scheduled events."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote_plus

from reference_app.lab.events import load_event
from reference_app.lab.lesson_helpers import triggers
from reference_app.lab.lesson_helpers.common import Logged
from reference_app.lab.lesson_helpers.triggers import arrivals


def test_shape_flattens_an_event_into_paths():
    table = triggers.shape({"Records": [{"s3": {"object": {"key": "a+b"}}}], "empty": {}, "long": "x" * 100})
    assert table.loc["Records[0].s3.object.key", "value"] == '"a+b"'
    assert table.loc["empty", "value"] == "{}"
    assert table.loc["long", "value"] == '"' + "x" * 100 + '"'  # a teaching table shows values whole
    capped = triggers.shape({"long": "x" * 100}, max_value=60).loc["long", "value"]
    assert capped.endswith("…") and len(capped) == 60
    assert list(triggers.shape({"body": "x", "_invocation": "id"}).index) == ["body"]


def test_s3_keys_show_what_each_decoding_gives_back():
    uploaded = ["uploads/my report (final).csv", "uploads/a+b=c.csv"]
    event = {"Records": [{"s3": {"object": {"key": quote_plus(k, safe="/")}}} for k in uploaded]}
    table = triggers.s3_keys([*uploaded, "uploads/never.csv"], [event])
    assert table.loc[uploaded[0], "key in the event"] == "uploads/my+report+%28final%29.csv"
    assert table.loc[uploaded[0], "unquote_plus"] == uploaded[0]
    assert table.loc[uploaded[0], "unquote"] == "uploads/my+report+(final).csv"
    assert table.loc[uploaded[1], "unquote"] == uploaded[1]
    assert table.loc["uploads/never.csv"].isna().all()  # never delivered


def test_stream_records_say_which_images_each_change_carries():
    batch = load_event("dynamodb_stream_batch")
    table = triggers.stream_records([batch])
    assert list(table["eventName"]) == [r["eventName"] for r in batch["Records"]]
    assert table.loc[table["eventName"] == "INSERT", "OldImage"].eq("").all()
    assert table["table"].eq("lab-users").all()


def test_a_scheduled_event_looks_like_eventbridges():
    rule = "arn:aws:events:us-east-1:000000000000:rule/lab-04-nightly-report"
    event = triggers.scheduled_event(rule, datetime(2026, 11, 28, 6, 0, 0, 123, tzinfo=UTC))
    assert (event["detail-type"], event["source"], event["resources"]) == ("Scheduled Event", "aws.events", [rule])
    assert event["time"] == "2026-11-28T06:00:00Z" and event["account"] == "000000000000"
    assert triggers.report_key(event) == "reports/users/2026/11/28/users-20261128T060000Z.json"


def test_http_events_side_by_side():
    table = triggers.http_events([load_event("apigw_rest_get_user"), load_event("apigw_http_v2_get_user")])
    assert list(table["payload format"]) == ["1.0", "2.0"] and list(table["method"]) == ["GET", "GET"]


def test_event_table_and_sqs_deliveries():
    batch = load_event("sqs_batch_one_bad")
    table = triggers.event_table([batch], {"id": lambda r: r["messageId"]})
    assert list(table["id"]) == [r["messageId"] for r in batch["Records"]]
    delivered = [{**r, "_invocation": "inv-1"} for r in batch["Records"]]
    deliveries = triggers.sqs_deliveries(delivered)
    assert set(deliveries["invocation"]) == {"inv-1"} and len(deliveries) == len(batch["Records"])


def test_kinesis_data_is_decoded():
    table = triggers.kinesis_records([load_event("kinesis_batch")])
    assert table["data (decoded)"].str.startswith("{").all()


def test_envelopes_and_predicates():
    assert triggers.sns_message('{"Type": "Notification", "Message": "hi"}') == "hi"
    assert triggers.mentions("r-1")({"a": ["x r-1 y"]}) and not triggers.mentions("r-2")({"a": 1})
    assert triggers.base64_text("aGk=") == "hi"


def test_received_filters_only_the_lines_that_carry_an_event(monkeypatch):
    # GIVEN an "event received" line without its event beside one with it
    lines = [{"message": "event received"}, {"message": "event received", "event": {"n": 1}}]

    def fake_wait(function, count, since_ms, message=None, where=None, **_):
        return [Logged(data, "req-1", 0) for data in lines if where is None or where(data)]

    monkeypatch.setattr(arrivals, "wait_for_logged", fake_wait)  # where received() looks it up
    # WHEN a cell filters by its events THEN its filter only sees events (it was called with None)
    assert triggers.received("lab-fn", 0, where=lambda event: event["n"] == 1) == [{"n": 1}]
