"""SNS subscriber: format change notifications and forward them to SQS and/or a table.

What it demonstrates
    - Reading an SNS event with Powertools' ``SNSEvent`` data class (the raw event nests the
      payload as a JSON *string* in ``Records[].Sns.Message``).
    - Formatting: a message published by ``stream_processor`` becomes a one-line summary
      ("lab-users u-1001 modified: email"); any other message is forwarded as text (trimmed).
    - Fan-out targets chosen by configuration: an SQS queue (``FORWARD_QUEUE_URL``), a
      DynamoDB table (``NOTIFICATIONS_TABLE``), or both; at least one must be set.
    - Error handling for an asynchronous trigger: SNS invokes Lambda asynchronously, so a
      failure is raised (not swallowed) and Lambda's async retries, then the on-failure
      destination / DLQ, take over. The table write is keyed by the SNS ``MessageId``, so a
      retry overwrites rather than duplicates; the queue may receive a duplicate, which its
      consumer must tolerate (``queue_worker`` shows how).

Trigger
    SNS subscription (protocol ``lambda``), e.g. to the topic ``stream_processor`` publishes to.

Environment
    ``FORWARD_QUEUE_URL``    optional: SQS queue URL to forward to
    ``NOTIFICATIONS_TABLE``  optional: DynamoDB table (logical ``notifications``), key ``message_id``
    ``POWERTOOLS_LOG_LEVEL`` optional

Notebooks
    04_triggers (SNS events), 09_patterns (fan-out: stream -> SNS -> Lambda -> SQS).
"""

from __future__ import annotations

import functools
import json
import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import SNSEvent
from aws_lambda_powertools.utilities.data_classes.sns_event import SNSEventRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

REQUIREMENTS = ("aws-lambda-powertools",)

MAX_TEXT_CHARS = 500
VERBS = {"INSERT": "created", "MODIFY": "modified", "REMOVE": "removed"}

logger = Logger(service="notifier")


class NotifierNotConfigured(RuntimeError):
    """Neither FORWARD_QUEUE_URL nor NOTIFICATIONS_TABLE is set."""


@functools.cache
def _sqs() -> Any:
    return boto3.client("sqs")


@functools.cache
def _notifications_table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["NOTIFICATIONS_TABLE"])


def format_text(message: str) -> str:
    """One line for a human; understands ``stream_processor`` messages, trims anything else."""
    try:
        change = json.loads(message)
    except ValueError:
        change = None
    if isinstance(change, dict) and change.get("event") in VERBS and isinstance(change.get("keys"), dict):
        who = ", ".join(f"{value}" for _, value in sorted(change["keys"].items()))
        text = f"{change.get('table', 'item')} {who} {VERBS[change['event']]}"
        fields = change.get("changed_fields")
        if change["event"] == "MODIFY" and isinstance(fields, list) and fields:
            text += ": " + ", ".join(str(name) for name in fields)
        return text[:MAX_TEXT_CHARS]
    text = " ".join(message.split())
    return text if len(text) <= MAX_TEXT_CHARS else text[: MAX_TEXT_CHARS - 3] + "..."


def format_notification(record: SNSEventRecord) -> dict[str, Any]:
    sns = record.sns
    # Subject is null when the publisher set none, and MessageAttributes may be absent:
    # read those with .get() (the data class properties index and would raise KeyError).
    attributes = sns.get("MessageAttributes") or {}
    return {
        "message_id": sns.message_id,
        "topic_arn": sns.topic_arn,
        "subject": sns.get("Subject") or "",
        "sent_at": sns.timestamp,
        "text": format_text(sns.message),
        "attributes": {name: str(attribute.get("Value", "")) for name, attribute in attributes.items()},
    }


def forward(
    notification: dict[str, Any], *, sqs: Any = None, queue_url: str | None = None, table: Any = None
) -> list[str]:
    """Send one formatted notification to the configured targets; return their names."""
    if not queue_url and table is None:
        raise NotifierNotConfigured("set FORWARD_QUEUE_URL and/or NOTIFICATIONS_TABLE")
    targets = []
    if queue_url:
        sqs.send_message(
            QueueUrl=queue_url,
            MessageBody=json.dumps(notification),
            MessageAttributes={"sns_message_id": {"DataType": "String", "StringValue": notification["message_id"]}},
        )
        targets.append("queue")
    if table is not None:
        table.put_item(Item=notification)
        targets.append("table")
    return targets


def handle_event(event: dict[str, Any], *, sqs: Any, queue_url: str | None, table: Any) -> dict[str, Any]:
    forwarded = []
    for record in SNSEvent(event).records:
        notification = format_notification(record)
        targets = forward(notification, sqs=sqs, queue_url=queue_url, table=table)
        forwarded.append({"message_id": notification["message_id"], "targets": targets})
    return {"forwarded": forwarded}


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    queue_url = os.environ.get("FORWARD_QUEUE_URL") or None
    table = _notifications_table() if os.environ.get("NOTIFICATIONS_TABLE") else None
    result = handle_event(event, sqs=_sqs() if queue_url else None, queue_url=queue_url, table=table)
    logger.info("forwarded", extra=result)
    return result
