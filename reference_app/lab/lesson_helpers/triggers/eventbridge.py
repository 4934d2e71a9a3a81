"""EventBridge: the event a schedule sends its target, an asynchronous invoke as EventBridge makes it, the report
the scheduled function writes, and a rule with its targets.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from ...clients import client
from ...errors import LabError, aws_code
from ...events import load_event
from ...poll import attempts
from ..common import new_run_id


def scheduled_event(rule_arn: str, when: datetime | None = None) -> dict:
    """The event an EventBridge schedule sends its target, for ``rule_arn`` at ``when`` (now)."""
    event = load_event("eventbridge_scheduled")
    when = (when or datetime.now(UTC)).replace(microsecond=0)
    region, account = rule_arn.split(":")[3], rule_arn.split(":")[4]
    event.update(
        time=when.isoformat().replace("+00:00", "Z"),
        resources=[rule_arn],
        region=region,
        account=account,
        id=new_run_id() + "-scheduled",
    )
    return event


def invoke_async(function: str, event: dict) -> int:
    """Invoke as EventBridge, S3 or SNS do: ``InvocationType=Event``; the status code (202)."""
    return client("lambda").invoke(FunctionName=function, InvocationType="Event", Payload=json.dumps(event).encode())[
        "StatusCode"
    ]


def report_key(scheduled: dict) -> str:
    """Where ``scheduled_report`` writes the report for a scheduled event (derived from its ``time``)."""
    from reference_app.handlers import scheduled_report

    return scheduled_report.report_key(scheduled_report.scheduled_time(scheduled))


def wait_for_object(bucket: str, key: str, timeout_s: float = 20.0) -> dict:
    """The JSON object at ``bucket``/``key`` once it exists."""
    s3 = client("s3")
    for _ in attempts(timeout_s, first=0.2, cap=0.5):
        try:
            return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        except ClientError as err:
            if aws_code(err) not in ("NoSuchKey", "404"):
                raise
    raise LabError(f"s3://{bucket}/{key} did not appear within {timeout_s:.0f} s; look at the function's log.")


def rule_and_targets(rule: str, bus: str = "default") -> dict[str, Any]:
    """An EventBridge rule as ``DescribeRule`` reports it, with the ARNs of its targets."""
    events = client("events")
    described = events.describe_rule(Name=rule, EventBusName=bus)
    keep = {k: described[k] for k in ("Name", "Arn", "ScheduleExpression", "EventPattern", "State") if k in described}
    keep["Targets"] = [t["Arn"] for t in events.list_targets_by_rule(Rule=rule, EventBusName=bus)["Targets"]]
    return keep
