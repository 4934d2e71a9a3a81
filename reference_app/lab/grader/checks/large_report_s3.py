"""Checks for large-report-s3 (07_performance_and_cost): a response that could pass 6 MB goes through S3."""

from __future__ import annotations

import json

import boto3

from ... import clients
from ...deploy import invoke
from ..framework import CheckFailed, Context, Exercise
from ._common import context

EXERCISE = Exercise("large-report-s3", resources={"REPORTS_BUCKET": ("bucket", "reports")}, timeout=20)
SMALL, BIG = 100, 46_000  # about 14 KB and 6.5 MB of JSON


def _shape(answer: object, what: str) -> dict:
    if not isinstance(answer, dict) or answer.get("location") not in ("inline", "s3"):
        raise CheckFailed(f"{what}: answer {{'location': 'inline' | 's3', ...}}, not {answer!r:.100}.")
    return answer


@EXERCISE.unit("a small report comes back inline")
def small_inline(ctx: Context) -> None:
    module = ctx.load()
    answer = _shape(module.lambda_handler({"rows": SMALL}, context()), f"a report of {SMALL} rows")
    if answer["location"] != "inline" or answer.get("report") != module.build_report(SMALL):
        raise CheckFailed(f"a report of {SMALL} rows (14 KB) should come back inline, as 'report'.")


@EXERCISE.unit("a 6.5 MB report goes to S3: the answer says where, and is small")
def big_to_s3(ctx: Context) -> None:
    module = ctx.load()
    answer = _shape(module.lambda_handler({"rows": BIG}, context("big")), f"a report of {BIG} rows")
    size = len(json.dumps(answer).encode())
    if answer["location"] != "s3":
        raise CheckFailed(f"a report of {BIG} rows came back inline ({size:,} bytes): on Lambda a response over "
                          "6 MB fails with Function.ResponseSizeTooLarge. Write it to S3 and answer where it is.")
    if size > 64 * 1024:
        raise CheckFailed(f"the answer that points to S3 is {size:,} bytes; it should carry the location only.")
    missing = [k for k in ("bucket", "key", "bytes", "url") if not answer.get(k)]
    if missing:
        raise CheckFailed(f"the S3 answer lacks {missing}.")
    stored = boto3.client("s3", region_name="us-east-1").get_object(Bucket=answer["bucket"], Key=answer["key"])
    if json.loads(stored["Body"].read()) != module.build_report(BIG) or answer["bytes"] != stored["ContentLength"]:
        raise CheckFailed("the object in S3 should be the whole report as JSON, and 'bytes' its size.")


@EXERCISE.live("on the emulator: a 6.5 MB report through S3 and a small one inline, both synchronous")
def live(ctx: Context) -> None:
    dep = ctx.deploy()
    big = invoke(dep.name, {"rows": BIG})
    if not big.ok:
        error = big.payload if isinstance(big.payload, dict) else {}
        raise CheckFailed(f"the 6.5 MB report failed: {error.get('errorType')}: {error.get('errorMessage')}")
    answer = _shape(big.payload, "the 6.5 MB report")
    if answer["location"] != "s3":
        raise CheckFailed("the 6.5 MB report should come back as an S3 location.")
    head = clients.client("s3").head_object(Bucket=answer["bucket"], Key=answer["key"])
    if head["ContentLength"] != answer["bytes"] or answer["bytes"] <= 6 * 1024 * 1024:
        raise CheckFailed(f"the object holds {head['ContentLength']:,} bytes, the answer says {answer['bytes']:,}.")
    small = invoke(dep.name, {"rows": SMALL})
    if not small.ok or _shape(small.payload, "the small report")["location"] != "inline":
        raise CheckFailed("the small report should come back inline.")
