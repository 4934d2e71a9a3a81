"""Scheduled report: scan the users table and write a JSON summary to S3.

What it demonstrates
    - An EventBridge schedule as a trigger (``rate(1 day)`` / ``cron(...)``); the event's
      ``time`` is the scheduled time, so the report key derived from it is deterministic:
      a retried or duplicated invocation overwrites the same object instead of adding one.
    - A *paginated* ``Scan`` (a single call returns at most 1 MB; the seed-style
      ``table.scan()["Items"]`` silently reports only the first page), projecting only the
      attributes the report needs.
    - A pure aggregation function (``summarise``) that a notebook can call on a list of dicts.
    The report: ``user_count``, ``by_email_domain`` (lower-cased, most common first),
    ``newest_created_at``, and the scheduled time it is for.

Trigger
    EventBridge scheduled rule (or EventBridge Scheduler with the same payload shape).

Environment
    ``USERS_TABLE``          DynamoDB table (logical ``users``)
    ``REPORT_BUCKET``        S3 bucket for reports; key ``reports/users/YYYY/MM/DD/users-<time>.json``
    ``POWERTOOLS_LOG_LEVEL`` optional

Notebooks
    04_triggers (schedules), 07_performance_and_cost (scan cost, pagination),
    09_patterns (scheduled jobs, idempotent outputs).
"""

from __future__ import annotations

import functools
import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

REQUIREMENTS = ("aws-lambda-powertools",)

SCAN_PAGE_SIZE = 500

logger = Logger(service="scheduled-report")


class InvalidScheduleEvent(ValueError):
    """The event has no usable ``time``."""


@functools.cache
def _dynamodb() -> Any:
    return boto3.client("dynamodb")


@functools.cache
def _s3() -> Any:
    return boto3.client("s3")


def scheduled_time(event: dict[str, Any]) -> datetime:
    raw = event.get("time")
    try:
        when = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        when = None
    if when is None:
        raise InvalidScheduleEvent("event has no ISO-8601 'time'")
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def report_key(when: datetime) -> str:
    return f"reports/users/{when:%Y/%m/%d}/users-{when:%Y%m%dT%H%M%SZ}.json"


def scan_users(dynamodb: Any, table_name: str) -> Iterator[dict[str, str]]:
    """Every user's ``email`` and ``created_at``, page by page (the paginator follows LastEvaluatedKey)."""
    paginator = dynamodb.get_paginator("scan")
    pages = paginator.paginate(
        TableName=table_name,
        ProjectionExpression="email, created_at",
        PaginationConfig={"PageSize": SCAN_PAGE_SIZE},
    )
    for page in pages:
        for item in page.get("Items", []):
            yield {name: value["S"] for name, value in item.items() if "S" in value}


def summarise(users: Iterable[dict[str, Any]]) -> dict[str, Any]:
    count = 0
    domains: Counter[str] = Counter()
    newest: str | None = None
    for user in users:
        count += 1
        email = user.get("email")
        domain = email.rpartition("@")[2].lower() if isinstance(email, str) and "@" in email else "(none)"
        domains[domain] += 1
        created = user.get("created_at")
        if isinstance(created, str) and (newest is None or created > newest):
            newest = created  # ISO-8601 UTC strings of one format sort chronologically
    return {
        "user_count": count,
        "by_email_domain": dict(sorted(domains.items(), key=lambda pair: (-pair[1], pair[0]))),
        "newest_created_at": newest,
    }


def write_report(s3: Any, bucket: str, key: str, report: dict[str, Any]) -> None:
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=json.dumps(report, indent=2).encode("utf-8"),
        ContentType="application/json",
    )


def build_report(dynamodb: Any, s3: Any, table_name: str, bucket: str, event: dict[str, Any]) -> dict[str, Any]:
    when = scheduled_time(event)
    report = {"scheduled_for": when.isoformat().replace("+00:00", "Z"), **summarise(scan_users(dynamodb, table_name))}
    key = report_key(when)
    write_report(s3, bucket, key, report)
    return {"bucket": bucket, "key": key, "user_count": report["user_count"]}


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = build_report(_dynamodb(), _s3(), os.environ["USERS_TABLE"], os.environ["REPORT_BUCKET"], event)
    logger.info("report written", extra=result)
    return result
