"""Helpers the exercise checks share: events in AWS's shapes, and tables read back."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3

from ...events import FakeLambdaContext, load_event
from ..framework import CheckFailed, shown


def context(name: str = "lab-exercise") -> FakeLambdaContext:
    return FakeLambdaContext(function_name=name)


def rest_post(body: Any, path: str = "/users") -> dict:
    """An API Gateway REST (payload 1.0) POST event carrying ``body`` (a str is sent as is)."""
    event = load_event("apigw_rest_post_user")
    event["path"] = path
    event["body"] = body if isinstance(body, str) else json.dumps(body)
    event["isBase64Encoded"] = False
    return event


def json_body(response: Any, what: str) -> dict:
    """The decoded JSON body of a proxy response, or CheckFailed saying what is wrong with it."""
    if not isinstance(response, dict) or "statusCode" not in response:
        raise CheckFailed(f"{what}: the handler must return a dict with statusCode and body, not {shown(response)}.")
    try:
        body = json.loads(response.get("body") or "null")
    except ValueError:
        raise CheckFailed(f"{what}: the body must be JSON, not {shown(response.get('body'))}.") from None
    return body if isinstance(body, dict) else {"_": body}


def expect_status(response: Any, status: int, what: str) -> dict:
    body = json_body(response, what)
    got = response["statusCode"]
    if got != status:
        raise CheckFailed(f"{what}: expected status {status}, got {got} with body {shown(body)}.")
    return body


def table_items(table: str) -> list[dict]:
    """Every item of a moto table (inside the check's mock)."""
    return boto3.resource("dynamodb", region_name="us-east-1").Table(table).scan()["Items"]


def sqs_record(body: str, message_id: str | None = None) -> dict:
    """One record in the shape Lambda's SQS event source mapping delivers."""
    record = load_event("sqs_batch_one_bad")["Records"][0]
    record = {**record, "messageId": message_id or str(uuid.uuid4()), "body": body}
    return record
