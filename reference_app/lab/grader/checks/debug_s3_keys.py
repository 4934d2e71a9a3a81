"""Checks for debug-s3-keys (04_triggers): object keys arrive URL-encoded in S3 events."""

from __future__ import annotations

import re
import time
from urllib.parse import quote_plus

import boto3

from ... import clients
from ...events import load_event
from ...logs import invocations, wait_for_invocations
from ...poll import attempts
from ...triggers import s3_notification
from ..framework import CheckFailed, Context, Exercise, shown
from ._common import context, table_items

EXERCISE = Exercise("debug-s3-keys", resources={"RESULTS_TABLE": ("table", "results")})
BUCKET = "lab-ex-uploads"
AWKWARD = ("uploads/report.csv", "uploads/my report (final).csv", "uploads/a+b=c.csv", "uploads/café.txt")


def _event(bucket: str, key: str, size: int | None = None) -> dict:
    """An s3:ObjectCreated:Put event, with the key URL-encoded the way S3 sends it."""
    event = load_event("s3_put")
    record = event["Records"][0]
    record["s3"]["bucket"]["name"] = bucket
    record["s3"]["bucket"]["arn"] = f"arn:aws:s3:::{bucket}"
    record["s3"]["object"]["key"] = quote_plus(key, safe="/")
    if size is not None:
        record["s3"]["object"]["size"] = size  # true to the object, as S3 sends it
    return event


@EXERCISE.unit("every upload gets a result, whatever its name (spaces, '+', accents)")
def awkward_names(ctx: Context) -> None:
    module = ctx.load()
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="unit-uploads")
    rng = ctx.rng
    drawn = rng.distinct(lambda: rng.s3_key("uploads/", rng.choice((".csv", ".txt", ".json"))), 3)
    # whatever was drawn, one name of each kind that a wrong decoding changes: a space, a '+', an accent, a '%'
    kinds = [
        f"uploads/{rng.choice(('my report', 'Q3 final', 'a b'))} {rng.token(4)}.csv",
        f"uploads/{rng.choice(('a+b', '2+2', 'c++'))}-{rng.token(4)}.csv",
        f"uploads/{rng.choice(('café', 'résumé', 'naïve', 'Ørjan'))}-{rng.token(4)}.txt",
        f"uploads/{rng.choice(('100%', '50% off', 'a%2Bb'))}-{rng.token(4)}.txt",
    ]
    keys = [f"uploads/plain-{rng.token(5)}.csv", *drawn, *kinds, rng.choice(AWKWARD[1:])]
    sizes = {}
    for key in keys:
        sizes[key] = ctx.rng.randint(1, 4096)
        s3.put_object(Bucket="unit-uploads", Key=key, Body=b"x" * sizes[key], ContentType="text/plain")
        try:
            module.lambda_handler(_event("unit-uploads", key, sizes[key]), context())
        except NotImplementedError:
            raise
        except Exception as exc:
            raise CheckFailed(
                f"the upload {key!r} arrives in the event as {quote_plus(key, safe='/')!r}, and the function "
                f"failed with {type(exc).__name__}: look at which key it asked S3 for."
            ) from None
    items = table_items(ctx.env["RESULTS_TABLE"])
    got = sorted(item["object_key"] for item in items)
    if got != sorted(keys):
        raise CheckFailed(
            f"the results should be recorded under the real object keys {shown(sorted(keys), 400)}, "
            f"got {shown(got, 400)}."
        )
    for item in items:
        size = item.get("size", item.get("size_bytes", item.get("bytes")))
        if size is not None and int(size) != sizes[item["object_key"]]:
            raise CheckFailed(
                f"the result for {item['object_key']!r} records size {size}, the object has "
                f"{sizes[item['object_key']]} bytes: read the object the event names."
            )


@EXERCISE.show
def demo(ctx: Context):
    """Deploy the function as it is, upload two files, and return each invocation's log block."""
    dep = ctx.deploy()
    s3_notification(BUCKET, dep.arn, prefix="uploads/")
    since = int(time.time() * 1000)
    keys = [f"uploads/{ctx.run_id}-plain.csv", f"uploads/{ctx.run_id} with spaces.csv"]
    for key in keys:
        clients.client("s3").put_object(Bucket=BUCKET, Key=key, Body=b"a,b\n1,2\n", ContentType="text/csv")
    found = wait_for_invocations(dep.name, count=2, since_ms=since, timeout_s=10)
    return DemoResult(keys, found)


@EXERCISE.live("on the emulator, through a real S3 notification: results for an awkward file name")
def live(ctx: Context) -> None:
    dep = ctx.deploy()
    s3_notification(BUCKET, dep.arn, prefix="uploads/")
    since = int(time.time() * 1000)
    key = ctx.rng.s3_key(f"uploads/{ctx.run_id} ")
    clients.client("s3").put_object(Bucket=BUCKET, Key=key, Body=b"a,b\n1,2\n", ContentType="text/csv")
    table = clients.resource("dynamodb").Table(ctx.env["RESULTS_TABLE"])
    for _ in attempts(deadline_s=8, first=0.2, cap=0.5):
        if "Item" in table.get_item(Key={"bucket": BUCKET, "object_key": key}):
            return
    said = shown(_last_error(dep.name, since), 400)
    raise CheckFailed(f"no result for {key!r} after 8 s; the function's log says: {said}")


def _last_error(function: str, since_ms: int) -> str:
    for invocation in reversed(invocations(function, since_ms)):
        for line in reversed(invocation.output):
            if re.search(r"error|exception|Traceback|Not Found|NoSuchKey", line, re.IGNORECASE):
                return line.strip()
    return "nothing yet (look with lab.invocations())."


class DemoResult:
    """The uploads and what the function logged for each; a notebook shows the log lines."""

    def __init__(self, keys: list[str], found: list):
        self.keys, self.invocations = keys, found

    @property
    def failed(self) -> list:
        return [i for i in self.invocations if any("error" in line.lower() for line in i.output)]

    def __str__(self) -> str:
        lines = [f"uploaded: {', '.join(repr(k) for k in self.keys)}"]
        for invocation in self.invocations:
            lines.append(f"--- invocation {invocation.request_id}")
            lines += invocation.output
        return "\n".join(lines)

    __repr__ = __str__
