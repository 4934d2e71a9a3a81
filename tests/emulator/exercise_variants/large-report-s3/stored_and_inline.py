"""Exercise large-report-s3 (07_performance_and_cost): answer a synchronous call whose result may pass 6 MB.

The function builds a report of ``rows`` lines (``build_report`` is given). A synchronous invoke
can answer at most 6 MB: a larger response fails the invocation with
``Function.ResponseSizeTooLarge``, after all the work was done and billed.

Write ``respond``: a report whose JSON is at most ``INLINE_LIMIT`` bytes comes back inline,
``{"location": "inline", "report": [...]}``; a larger one is written to S3, in the bucket the
``REPORTS_BUCKET`` variable names, under ``reports/<request id>.json``, and the caller gets
``{"location": "s3", "bucket": ..., "key": ..., "bytes": <size of the JSON>, "url": <a presigned
GET URL, valid 15 minutes>}``. Check your work with ``lab.check("large-report-s3")``.
"""

from __future__ import annotations

import functools
import json
import os
from typing import Any

import boto3

REQUIREMENTS = ()
INLINE_LIMIT = 5 * 1024 * 1024  # well under 6 MB, with room for the envelope


@functools.cache
def s3() -> Any:
    return boto3.client("s3")


def build_report(rows: int) -> list[dict]:
    """``rows`` lines of about 100 bytes each (given)."""
    return [
        {"line": n, "customer": f"customer-{n:07d}", "amount_cents": (n * 7919) % 100_000, "note": "paid " * 12}
        for n in range(rows)
    ]


def respond(report: list[dict], request_id: str) -> dict:
    """The report inline when it is small, otherwise where to fetch it from S3."""
    body = json.dumps(report).encode()
    if len(body) <= INLINE_LIMIT:
        return {"location": "inline", "report": report}
    bucket, key = os.environ["REPORTS_BUCKET"], f"reports/{request_id}.json"
    s3().put_object(Bucket=bucket, Key=key, Body=body)
    url = s3().generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=900)
    # wrong: the report is stored, and sent back inline as well
    return {"location": "s3", "bucket": bucket, "key": key, "bytes": len(body), "url": url, "report": report}


def lambda_handler(event: dict, context) -> dict:
    report = build_report(int(event.get("rows", 10)))
    return respond(report, context.aws_request_id)
