"""notifier: SNS -> formatted notification -> SQS queue and/or table."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from reference_app.handlers import notifier


@pytest.fixture
def forward_queue(sqs: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    url = sqs.create_queue(QueueName="lab-notifications")["QueueUrl"]
    monkeypatch.setenv("FORWARD_QUEUE_URL", url)
    return url


@pytest.fixture
def notifications_table(make_table: Callable[..., Any]) -> Any:
    return make_table("notifications", env="NOTIFICATIONS_TABLE")


def test_change_notification_is_formatted_and_queued(forward_queue, drain, event, lambda_context):
    # GIVEN the bundled SNS notification of a MODIFY published by stream_processor
    # WHEN it is handled with a forward queue configured
    result = notifier.lambda_handler(event("sns_notification"), lambda_context)
    # THEN one readable message lands on the queue, tagged with the SNS message id
    assert result == {"forwarded": [{"message_id": "95df01b4-ee98-5cb9-9903-4c221d41eb5e", "targets": ["queue"]}]}
    (message,) = drain(forward_queue)
    body = json.loads(message["Body"])
    assert body["text"] == "lab-users u-1001 modified: email"
    assert body["subject"] == "lab-users MODIFY" and body["attributes"] == {"event": "MODIFY"}
    assert message["MessageAttributes"]["sns_message_id"]["StringValue"] == body["message_id"]


def test_table_target_is_idempotent_on_redelivery(notifications_table, event, lambda_context, scan):
    notifier.lambda_handler(event("sns_notification"), lambda_context)
    notifier.lambda_handler(event("sns_notification"), lambda_context)  # SNS retried the delivery
    (item,) = scan(notifications_table)
    assert item["text"] == "lab-users u-1001 modified: email"


def test_both_targets(forward_queue, notifications_table, drain, event, lambda_context, scan):
    result = notifier.lambda_handler(event("sns_notification"), lambda_context)
    assert result["forwarded"][0]["targets"] == ["queue", "table"]
    assert len(drain(forward_queue)) == 1 and len(scan(notifications_table)) == 1


def test_plain_message_without_subject_or_attributes(forward_queue, drain, event, lambda_context):
    sns_event = event("sns_notification")
    sns = sns_event["Records"][0]["Sns"]
    sns.update(Message="  Disk   almost\nfull  ", Subject=None)
    del sns["MessageAttributes"]
    notifier.lambda_handler(sns_event, lambda_context)
    body = json.loads(drain(forward_queue)[0]["Body"])
    assert (body["text"], body["subject"], body["attributes"]) == ("Disk almost full", "", {})


def test_aws_sample_plain_text_message_with_binary_attribute(forward_queue, drain, event, lambda_context):
    # GIVEN AWS's own SNS sample event: a plain-text message, a String and a Binary message attribute
    notifier.lambda_handler(event("sns_plain_text"), lambda_context)
    body = json.loads(drain(forward_queue)[0]["Body"])
    assert (body["text"], body["subject"]) == ("Hello from SNS!", "TestInvoke")
    assert body["attributes"] == {"Test": "TestString", "TestBinary": "TestBinary"}


def test_unconfigured_notifier_raises_so_async_retry_applies(aws, event, lambda_context):
    with pytest.raises(notifier.NotifierNotConfigured):
        notifier.lambda_handler(event("sns_notification"), lambda_context)


def test_queue_failure_propagates(aws, monkeypatch, event, lambda_context):
    monkeypatch.setenv("FORWARD_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/missing")
    with pytest.raises(ClientError, match=r"NonExistentQueue|QueueDoesNotExist"):
        notifier.lambda_handler(event("sns_notification"), lambda_context)


@pytest.mark.parametrize(
    ("message", "text"),
    [
        (json.dumps({"event": "INSERT", "table": "lab-users", "keys": {"user_id": "u-1"}}), "lab-users u-1 created"),
        (json.dumps({"event": "REMOVE", "table": "t", "keys": {"b": "2", "a": "1"}}), "t 1, 2 removed"),
        (json.dumps({"event": "MODIFY", "table": "t", "keys": {"k": 1}, "changed_fields": []}), "t 1 modified"),
        # stream_processor's "unknown" (a stream view type without both images)
        (json.dumps({"event": "MODIFY", "table": "t", "keys": {"k": 1}, "changed_fields": None}), "t 1 modified"),
        (json.dumps({"event": "UNKNOWN"}), '{"event": "UNKNOWN"}'),
        ("[1, 2]", "[1, 2]"),
        ("x" * 600, "x" * 497 + "..."),
    ],
)
def test_format_text(message, text):
    assert notifier.format_text(message) == text
