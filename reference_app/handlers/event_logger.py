"""Log every event exactly as its trigger delivered it, then answer in the shape that trigger expects.

What it demonstrates
    - The event as the function receives it: one JSON line per invocation on stdout,
      ``{"message": "event received", "request_id": ..., "event": {...}}``, so a notebook
      reads each trigger's real event shape back from the function's own CloudWatch log
      instead of from a sample file.
    - The answer each trigger expects. API Gateway (REST payload 1.0, HTTP API payload 2.0)
      and function URLs need a proxy response (``statusCode``, ``headers``, ``body``);
      batches from an event source mapping (SQS, Kinesis, DynamoDB Streams) take
      ``{"batchItemFailures": [...]}``, which Lambda honours only when the mapping sets
      ``FunctionResponseTypes=["ReportBatchItemFailures"]``; every other trigger (S3, SNS,
      EventBridge, a direct invoke) gets a short summary, which nobody reads for an
      asynchronous invocation.
    - Partial batch failure on demand: a record whose payload contains the text in
      ``FAIL_WHEN_CONTAINS`` is reported as failed by its own id (SQS ``messageId``, Kinesis
      and DynamoDB ``SequenceNumber``), so the source hands back that record and only that one.

Trigger
    Any: S3 notifications, DynamoDB Streams, SQS, SNS, API Gateway REST and HTTP APIs,
    function URLs, EventBridge rules (pattern and schedule), Kinesis, a direct invoke.

Environment
    ``FAIL_WHEN_CONTAINS``   optional: batch records whose payload contains this text are reported failed

Notebooks
    01_architecture (the poll-based invocation model), 04_triggers (every trigger's event shape,
    partial batch failures).
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

REQUIREMENTS = ()

BATCH_SOURCES = ("aws:sqs", "aws:kinesis", "aws:dynamodb")


def is_http(event: Any) -> bool:
    """API Gateway REST (``httpMethod``), HTTP API or function URL (``requestContext.http``)."""
    if not isinstance(event, dict):
        return False
    return "httpMethod" in event or "http" in (event.get("requestContext") or {})


def batch_records(event: Any) -> list[dict]:
    """The records of an event source mapping's batch, or ``[]`` for any other event."""
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list) or not records or not isinstance(records[0], dict):
        return []
    return records if records[0].get("eventSource") in BATCH_SOURCES else []


def record_id(record: dict) -> str:
    """The id a batch response names a failed record by."""
    if "messageId" in record:
        return record["messageId"]
    if "kinesis" in record:
        return record["kinesis"]["sequenceNumber"]
    return record["dynamodb"]["SequenceNumber"]


def record_payload(record: dict) -> str:
    """The producer's data in a batch record, as text (Kinesis data arrives base64-encoded)."""
    if "body" in record:
        return str(record["body"])
    if "kinesis" in record:
        return base64.b64decode(record["kinesis"]["data"]).decode("utf-8", errors="replace")
    image = record.get("dynamodb", {})
    return json.dumps(image.get("NewImage") or image.get("OldImage") or image.get("Keys") or {}, sort_keys=True)


def failed_records(records: list[dict], marker: str | None) -> list[dict]:
    """``batchItemFailures`` entries for the records whose payload contains ``marker``."""
    if not marker:
        return []
    return [{"itemIdentifier": record_id(r)} for r in records if marker in record_payload(r)]


def http_response(event: dict) -> dict:
    """A proxy response that says what arrived (payload format, method, path)."""
    if "httpMethod" in event:
        summary = {"payload_format": "1.0", "method": event["httpMethod"], "path": event.get("path")}
    else:
        summary = {
            "payload_format": event.get("version", "2.0"),
            "method": event["requestContext"]["http"]["method"],
            "path": event.get("rawPath"),
        }
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(summary)}


def lambda_handler(event: Any, context: Any) -> dict:
    # print() reaches CloudWatch Logs on every backend; default=str keeps odd values printable.
    print(
        json.dumps(
            {"level": "INFO", "message": "event received", "request_id": context.aws_request_id, "event": event},
            default=str,
        )
    )
    if is_http(event):
        return http_response(event)
    records = batch_records(event)
    if records:
        return {"batchItemFailures": failed_records(records, os.environ.get("FAIL_WHEN_CONTAINS"))}
    return {"received": len(event.get("Records", [])) if isinstance(event, dict) else 0}
