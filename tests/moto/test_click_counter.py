"""click_counter: Kinesis clicks counted per page and minute, exactly once under retries."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from reference_app.handlers import click_counter as counter
from reference_app.lab.events import load_event

AT = "2026-11-28T10:15:42+00:00"


@pytest.fixture
def counts(make_table: Callable[..., Any]) -> Any:
    return make_table("page_views", env="COUNTS_TABLE")


def record(page: Any, seq: int, shard: str = "shardId-000000000000", at: str | None = AT, raw: bytes | None = None):
    """A Kinesis record in AWS's shape (the bundled sample), carrying one click."""
    sample = load_event("kinesis_batch")["Records"][0]
    click = {"user_id": "u-1", "page": page, **({"at": at} if at else {})}
    data = raw if raw is not None else json.dumps(click).encode()
    kinesis = {
        **sample["kinesis"],
        "sequenceNumber": str(seq),
        "data": base64.b64encode(data).decode(),
        "approximateArrivalTimestamp": 1764324942.0,
    }
    return {**sample, "eventID": f"{shard}:{seq}", "kinesis": kinesis}


def views(table: Any, page: str, minute: str = "2026-11-28T10:15") -> int:
    item = table.get_item(Key={"page": page, "minute": minute}).get("Item")
    return int(item["views"]) if item else 0


def test_a_batch_is_counted_per_page_and_minute(counts, lambda_context):
    batch = {"Records": [record("/", 1), record("/", 2), record("/docs", 3)]}
    assert counter.lambda_handler(batch, lambda_context) == {
        "records": 3,
        "counted": 3,
        "already_counted": 0,
        "skipped": 0,
    }
    assert (views(counts, "/"), views(counts, "/docs")) == (2, 1)


def test_a_retried_or_rebatched_stream_counts_each_record_once(counts, lambda_context):
    records = [record("/", n) for n in range(1, 11)]
    counter.lambda_handler({"Records": records}, lambda_context)
    counter.lambda_handler({"Records": records}, lambda_context)  # the same batch again
    counter.lambda_handler({"Records": records[:5]}, lambda_context)  # bisected
    answer = counter.lambda_handler({"Records": [*records[5:], record("/", 11)]}, lambda_context)
    assert answer["counted"] == 1 and views(counts, "/") == 11


def test_sequence_numbers_compare_as_numbers(counts, lambda_context):
    counter.lambda_handler({"Records": [record("/", 9)]}, lambda_context)
    counter.lambda_handler({"Records": [record("/", 10)]}, lambda_context)  # "10" < "9" as text
    assert views(counts, "/") == 2


def test_watermarks_are_per_shard(counts, lambda_context):
    counter.lambda_handler({"Records": [record("/", 50, shard="shardId-1")]}, lambda_context)
    counter.lambda_handler({"Records": [record("/", 5, shard="shardId-2")]}, lambda_context)
    assert views(counts, "/") == 2


def test_a_click_that_cannot_be_counted_is_skipped(counts, lambda_context):
    batch = {"Records": [record("/", 1), record(None, 2), record("/", 3, raw=b"not json")]}
    assert counter.lambda_handler(batch, lambda_context)["skipped"] == 2
    assert views(counts, "/") == 1


def test_a_click_without_a_time_is_counted_in_its_arrival_minute(counts, lambda_context):
    counter.lambda_handler({"Records": [record("/", 1, at=None)]}, lambda_context)
    assert views(counts, "/", "2025-11-28T10:15") == 1  # approximateArrivalTimestamp 1764324942


def test_a_batch_of_clicks_that_cannot_be_counted_writes_nothing(counts, lambda_context, scan):
    bad = [
        record(None, 1),
        record("", 2),
        record(["/"], 3),
        record("/", 4, raw=b"not json"),
        record("/", 5, raw=b"\xff\xfe"),
        record("/", 6, raw=b"[1, 2]"),
        record("/" + "x" * 2048, 7),
    ]
    bad.append({**record("/", 8), "kinesis": {**record("/", 8)["kinesis"], "data": "not base64!"}})
    assert counter.lambda_handler({"Records": bad}, lambda_context) == {
        "records": 8,
        "counted": 0,
        "already_counted": 0,
        "skipped": 8,
    }
    assert scan(counts) == []


def test_a_page_is_counted_up_to_the_partition_key_limit(counts, lambda_context):
    # DynamoDB's partition key holds at most 2048 bytes (Constraints, "Partition key length"); moto enforces it
    longest, too_long = "/" + "é" * 1023 + "x", "/" + "é" * 1024  # 2048 and 2049 bytes in UTF-8
    answer = counter.lambda_handler({"Records": [record(longest, 1), record(too_long, 2)]}, lambda_context)
    assert (answer["counted"], answer["skipped"]) == (1, 1) and views(counts, longest) == 1
