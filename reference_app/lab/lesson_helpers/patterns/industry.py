"""The seed's "industry" bullets as three small pipelines: thumbnails, clickstream counts, a CSV import."""

from __future__ import annotations

import base64
import io
import json
import random
from datetime import UTC, datetime
from typing import Any

from ...clients import client, resource
from ...deploy import invoke
from ...events import load_event
from .infra import item, wait_until

PAGES = ("/", "/pricing", "/docs")


# --- image processing -------------------------------------------------------------------------
def png(width: int, height: int) -> bytes:
    """A PNG of the given size (a gradient, so it is a real picture)."""
    from PIL import Image

    image = Image.new("RGB", (width, height))
    image.putdata([(x * 255 // width, y * 255 // height, 128) for y in range(height) for x in range(width)])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def upload_image(bucket: str, key: str, width: int, height: int) -> int:
    """Upload a PNG; return its size in bytes."""
    data = png(width, height)
    client("s3").put_object(Bucket=bucket, Key=key, Body=data, ContentType="image/png")
    return len(data)


def thumbnail(bucket: str, key: str, results_table: str, timeout_s: float = 30.0) -> dict[str, Any]:
    """Wait for the processor's outcome for ``key``; return it with the thumbnail's real size."""
    from PIL import Image

    outcome = wait_until(
        lambda: item(results_table, {"bucket": bucket, "object_key": key}), f"the outcome of {key}", timeout_s
    )
    details = outcome.get("details", {})
    body = client("s3").get_object(Bucket=bucket, Key=details["thumbnail_key"])["Body"].read()
    with Image.open(io.BytesIO(body)) as image:
        size = image.size
    return {
        "status": outcome["status"],
        "original": f"{details['width']} x {details['height']}",
        "thumbnail_key": details["thumbnail_key"],
        "thumbnail": f"{size[0]} x {size[1]}",
        "png": body,
    }


# --- real-time analytics ---------------------------------------------------------------------
def clicks(count: int, seed: int = 9) -> list[dict[str, Any]]:
    """``count`` page views by a few users, all in the current minute (event time ``at``)."""
    rng = random.Random(seed)
    at = datetime.now(UTC).replace(second=0, microsecond=0).isoformat()
    return [{"user_id": f"u-{rng.randint(1, 5)}", "page": rng.choice(PAGES), "at": at} for _ in range(count)]


def minute_of(click: dict[str, Any]) -> str:
    return click["at"][:16]


def put_clicks(stream: str, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Put the clicks on the stream (partition key: the user); return each record's shard and sequence number."""
    answer = client("kinesis").put_records(
        StreamName=stream, Records=[{"Data": json.dumps(c).encode(), "PartitionKey": c["user_id"]} for c in batch]
    )
    if answer.get("FailedRecordCount"):
        raise RuntimeError(f"{answer['FailedRecordCount']} records were refused")
    return answer["Records"]


def page_views(table: str, minute: str) -> dict[str, int]:
    """Views per page for one minute, as the counter has stored them."""
    found = {p: item(table, {"page": p, "minute": minute}) for p in PAGES}
    return {p: int(v["views"]) if v else 0 for p, v in found.items()}


def wait_for_views(table: str, minute: str, expected: dict[str, int], timeout_s: float = 30.0) -> dict[str, int]:
    return wait_until(
        lambda: got if (got := page_views(table, minute)) == expected else None,
        f"the page views of {minute}",
        timeout_s,
    )


def kinesis_batch(stream_arn: str, batch: list[dict[str, Any]], put: list[dict[str, Any]]) -> dict[str, Any]:
    """The clicks as the Kinesis batch Lambda delivered (same shard and sequence numbers): a retry."""
    records = []
    for click, stored in zip(batch, put, strict=True):
        records.append(
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": click["user_id"],
                    "sequenceNumber": stored["SequenceNumber"],
                    "data": base64.b64encode(json.dumps(click).encode()).decode(),
                    "approximateArrivalTimestamp": datetime.now(UTC).timestamp(),
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventName": "aws:kinesis:record",
                "eventID": f"{stored['ShardId']}:{stored['SequenceNumber']}",
                "eventSourceARN": stream_arn,
                "awsRegion": "us-east-1",
            }
        )
    return {"Records": records}


# --- ETL ----------------------------------------------------------------------------------------
def users_csv(run: str) -> str:
    """A small export as a spreadsheet writes it: three good rows (spaces, a capitalised domain),
    one bad e-mail, one repeated user id."""
    return (
        "\n".join(
            [
                "user_id,name,email",
                f"etl-{run}-1,Ada Lovelace,ada@Example.COM",
                f" etl-{run}-2 , Grace Hopper ,grace@example.com",
                f"etl-{run}-3,Alan Turing,alan@example.org",
                f"etl-{run}-4,No Mail,not-an-address",
                f"etl-{run}-1,Ada again,ada2@example.com",
            ]
        )
        + "\n"
    )


def upload_csv(bucket: str, key: str, text: str) -> None:
    client("s3").put_object(Bucket=bucket, Key=key, Body=("\ufeff" + text).encode("utf-8"), ContentType="text/csv")


def rejects(bucket: str, key: str, timeout_s: float = 30.0) -> dict[str, Any]:
    """The import's report (``rejects/<name>.json``), once the import function has written it."""
    target = "rejects/" + key.removeprefix("imports/").rsplit(".", 1)[0] + ".json"

    def read() -> dict | None:
        try:
            return json.loads(client("s3").get_object(Bucket=bucket, Key=target)["Body"].read())
        except client("s3").exceptions.NoSuchKey:
            return None

    return wait_until(read, f"s3://{bucket}/{target}", timeout_s)


def loaded(users_table: str, run: str) -> list[dict[str, Any]]:
    """The users this run's file loaded (a scan: fine for a lesson's table)."""
    found = resource("dynamodb").Table(users_table).scan()["Items"]
    return sorted((u for u in found if str(u["user_id"]).startswith(f"etl-{run}-")), key=lambda u: u["user_id"])


def run_report(function: str, when: str) -> dict[str, Any]:
    """Invoke the report function with the event its schedule sends (``time`` = ``when``); its answer."""
    event = load_event("eventbridge_scheduled")
    event["time"] = when
    answer = invoke(function, event)
    if not answer.ok:
        raise RuntimeError(f"{function} failed: {answer.payload}")
    return answer.payload


def report(bucket: str, key: str) -> dict[str, Any]:
    return json.loads(client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())


def stream_clicks(kit: Any, batch: list[dict[str, Any]], timeout_s: float = 30.0):
    """Put the clicks on the stream and wait until the counter has added them all: one row per page
    with the count before, the clicks sent and the count after. ``attrs["put"]`` keeps each record's
    shard and sequence number (to hand the same batch to the function again)."""
    from collections import Counter

    import pandas as pd

    minute = minute_of(batch[0])
    before = page_views(kit.tables["page_views"], minute)
    sent = Counter(c["page"] for c in batch)
    put = put_clicks(kit.click_stream_arn.rsplit("/", 1)[-1], batch)
    after = wait_for_views(kit.tables["page_views"], minute, {p: before[p] + sent[p] for p in PAGES}, timeout_s)
    frame = pd.DataFrame([{"page": p, "before": before[p], "clicks": sent[p], "after": after[p]} for p in PAGES])
    frame = frame.set_index("page")
    frame.attrs.update(put=put, minute=minute)
    return frame
