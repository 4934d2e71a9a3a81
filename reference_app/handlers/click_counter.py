"""Real-time analytics: count page views per page and minute from a Kinesis clickstream.

What it demonstrates
    - A Kinesis Data Streams event source mapping: each record's ``data`` arrives base64-encoded;
      records of one shard arrive in order, and the partition key (here the ``user_id``) picks
      the shard. A batch holds records of one shard.
    - Aggregate in memory, write once per (page, minute): a batch of a hundred clicks on three
      pages costs three updates (``ADD views``), not a hundred writes.
    - Exact counts although Lambda retries: a failed batch is retried (on AWS until it succeeds,
      expires or reaches ``MaximumRetryAttempts``), and a batch can be re-read (a mapping created
      again at ``TRIM_HORIZON``), so an ``ADD`` applied twice would count twice. Each aggregate
      item keeps a watermark per shard (``wm_<shardId>``): the highest sequence number (zero-padded,
      so that text order is number order) it has counted. Only records above it are added, and the
      update is conditional on the watermark read, so a replay adds nothing and two invocations
      racing on one item cannot both add. This relies on records of a shard arriving in order,
      which holds with the default ``ParallelizationFactor`` of 1 (with more, order is kept per
      partition key only, and the watermark would have to be per partition key).
    - A click that is not JSON with a ``page`` (of at most 2048 bytes, DynamoDB's limit for a
      partition key) is logged and skipped: raising would hold up the
      whole shard for a record that no retry can fix. An error that a retry can fix (a throttled
      or conflicting update) fails the invocation, and the watermarks make the retry exact.

Trigger
    Kinesis Data Streams event source mapping (``TRIM_HORIZON`` for a stream created for it).

Environment
    ``COUNTS_TABLE``         DynamoDB table (logical ``page_views``), key ``page`` + ``minute``

Notebooks
    09_patterns (real-time analytics, one of the seed's "industry" bullets as a working pipeline).
"""

from __future__ import annotations

import base64
import functools
import json
import os
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import boto3

REQUIREMENTS = ()

SEQUENCE_WIDTH = 130  # Kinesis sequence numbers have up to 129 digits
# A partition key value is at most 2048 bytes: a longer page could never be written, and raising on it
# would hold up the shard. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html#limits-partition-sort-keys
MAX_PAGE_BYTES = 2048


@functools.cache
def _counts_table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["COUNTS_TABLE"])


def log(level: str, message: str, **fields: Any) -> None:
    print(json.dumps({"level": level, "message": message, **fields}, default=str))


def click_of(record: dict[str, Any]) -> tuple[str, str] | None:
    """(page, minute) of one Kinesis record, or None for a click that cannot be counted."""
    kinesis = record.get("kinesis") or {}
    try:
        click = json.loads(base64.b64decode(kinesis.get("data", "")))
    except ValueError:
        return None
    page = click.get("page") if isinstance(click, dict) else None
    if not isinstance(page, str) or not page or len(page.encode("utf-8", "surrogatepass")) > MAX_PAGE_BYTES:
        return None
    at = click.get("at")
    try:
        when = datetime.fromisoformat(at) if isinstance(at, str) else None
    except ValueError:
        when = None
    if when is None:  # no event time: the time the stream received it
        when = datetime.fromtimestamp(float(kinesis.get("approximateArrivalTimestamp", 0)), UTC)
    when = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    return page, when.strftime("%Y-%m-%dT%H:%M")


def shard_and_sequence(record: dict[str, Any]) -> tuple[str, str]:
    shard = str(record.get("eventID", "")).split(":", 1)[0] or "unknown-shard"
    return shard, str(record["kinesis"]["sequenceNumber"]).zfill(SEQUENCE_WIDTH)


def count(table: Any, page: str, minute: str, shard: str, sequences: list[str]) -> int:
    """Add the records above this item's watermark for ``shard``; return how many were added."""
    watermark = f"wm_{shard}"
    item = table.get_item(Key={"page": page, "minute": minute}, ConsistentRead=True).get("Item") or {}
    seen = item.get(watermark)
    new = [s for s in sequences if seen is None or s > seen]
    if not new:
        return 0
    values: dict[str, Any] = {":n": len(new), ":last": max(new), ":now": datetime.now(UTC).isoformat()}
    if seen is None:
        condition = "attribute_not_exists(#wm)"
    else:
        condition, values[":seen"] = "#wm = :seen", seen
    table.update_item(
        Key={"page": page, "minute": minute},
        UpdateExpression="ADD #views :n SET #wm = :last, updated_at = :now",
        ConditionExpression=condition,
        ExpressionAttributeNames={"#views": "views", "#wm": watermark},
        ExpressionAttributeValues=values,
    )
    return len(new)


def handle(event: dict[str, Any], table: Any) -> dict[str, int]:
    records = event.get("Records", [])
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    skipped = 0
    for record in records:
        where = click_of(record)
        if where is None:
            skipped += 1
            log("WARNING", "click skipped: not JSON with a page of 1-2048 bytes", event_id=record.get("eventID"))
            continue
        shard, sequence = shard_and_sequence(record)
        groups[(*where, shard)].append(sequence)
    counted = sum(count(table, page, minute, shard, seqs) for (page, minute, shard), seqs in groups.items())
    summary = {
        "records": len(records),
        "counted": counted,
        "already_counted": len(records) - skipped - counted,
        "skipped": skipped,
    }
    log("INFO", "batch counted", **summary)
    return summary


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return handle(event, _counts_table())
