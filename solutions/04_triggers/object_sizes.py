"""Exercise debug-s3-keys (04_triggers): break and debug an S3-triggered function.

For every object uploaded under ``uploads/``, this function looks the object up in
S3 and records its size and content type in a DynamoDB table. It works for
``uploads/report.csv``, but some uploads never get a result.

Your job: upload a file whose name has a space (the notebook does it for you),
read the function's log to find out why it fails, and fix the bug. Check your
work with ``lab.check("debug-s3-keys")``: it uploads files with awkward names and
waits for their results.
"""

from __future__ import annotations

import functools
import json
import os
from typing import Any

import boto3

# isort: split
# BEGIN SOLUTION
from urllib.parse import unquote_plus

# BROKEN
# END SOLUTION

REQUIREMENTS = ()


@functools.cache
def s3() -> Any:
    return boto3.client("s3")


@functools.cache
def results_table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["RESULTS_TABLE"])


def lambda_handler(event: dict, context: Any) -> dict:
    recorded = 0
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        # BEGIN SOLUTION
        # S3 URL-encodes object keys in event notifications (a space arrives as "+"): decode first.
        key = unquote_plus(record["s3"]["object"]["key"])
        # BROKEN
        # key = record["s3"]["object"]["key"]
        # END SOLUTION
        print(json.dumps({"level": "INFO", "message": "looking up object", "bucket": bucket, "key": key}))
        head = s3().head_object(Bucket=bucket, Key=key)
        results_table().put_item(Item={
            "bucket": bucket,
            "object_key": key,
            "size": head["ContentLength"],
            "content_type": head.get("ContentType", "unknown"),
        })
        recorded += 1
    return {"recorded": recorded}
