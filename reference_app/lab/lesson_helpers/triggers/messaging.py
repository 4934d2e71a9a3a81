"""SQS and SNS: a queue with its dead-letter queue, draining a queue, SNS-to-SQS fan-out with the queue policy
SNS needs, and what each queue and subscription holds.
"""

from __future__ import annotations

import json
from typing import Any

from ...clients import client
from ...poll import attempts
from ...reference_deploys import ensure_queue, ensure_topic


def queue_arn(url: str) -> str:
    return client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def queue_settings(url: str) -> dict[str, Any]:
    attributes = client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    keep = (
        "VisibilityTimeout",
        "RedrivePolicy",
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
    )
    return {k: attributes[k] for k in keep if k in attributes}


def queue_with_dlq(name: str, visibility_s: int, max_receive_count: int) -> tuple[str, str]:
    """A queue whose messages move to ``<name>-dlq`` after ``max_receive_count`` receives; both URLs."""
    dlq = ensure_queue(f"{name}-dlq")
    redrive = json.dumps({"deadLetterTargetArn": queue_arn(dlq), "maxReceiveCount": str(max_receive_count)})
    url = ensure_queue(name, VisibilityTimeout=str(visibility_s), RedrivePolicy=redrive)
    return url, dlq


def drain(url: str, wait_s: float = 0.0) -> list[str]:
    """Receive and delete every message on the queue now; their bodies."""
    sqs = client("sqs")
    bodies: list[str] = []
    for _ in attempts(max(wait_s, 0.0), first=0.2, cap=0.5):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        for m in messages:
            bodies.append(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        if messages:
            continue
        if bodies or wait_s <= 0:
            break
    return bodies


def fan_out(topic: str, queues: dict[str, bool]) -> tuple[str, dict[str, str]]:
    """Topic ``topic`` delivering to each queue in ``queues`` (name -> raw message delivery); the
    topic ARN and the queue URLs. Each queue's policy lets this topic, and only it, send to it."""
    sns, sqs = client("sns"), client("sqs")
    topic_arn = ensure_topic(topic)
    urls = {}
    subscribed = {
        s["Endpoint"]
        for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn)
        for s in page["Subscriptions"]
        if s["Protocol"] == "sqs"
    }
    for name, raw in queues.items():
        url = ensure_queue(name)
        arn = queue_arn(url)
        allow_topic = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
                }
            ],
        }
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(allow_topic)})
        if arn not in subscribed:
            sns.subscribe(
                TopicArn=topic_arn,
                Protocol="sqs",
                Endpoint=arn,
                Attributes={"RawMessageDelivery": "true" if raw else "false"},
            )
        urls[name] = url
    return topic_arn, urls


def subscriptions(topic_arn: str):
    import pandas as pd

    sns = client("sns")
    rows = []
    for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn):
        for s in page["Subscriptions"]:
            pending = "(pending)" if s["SubscriptionArn"].lower().startswith("pending") else ""
            attributes = (
                {} if pending else sns.get_subscription_attributes(SubscriptionArn=s["SubscriptionArn"])["Attributes"]
            )
            rows.append(
                {
                    "Protocol": s["Protocol"],
                    "Endpoint": s["Endpoint"].rsplit(":", 1)[-1],
                    "PendingConfirmation": attributes.get("PendingConfirmation", "true"),
                    "RawMessageDelivery": attributes.get("RawMessageDelivery", "false"),
                }
            )
    return pd.DataFrame(rows)


def sns_message(body: str) -> str:
    """The message inside an SNS envelope (what a queue gets without raw message delivery)."""
    return json.loads(body)["Message"]


def sqs_deliveries(delivered: list[dict]):
    """Each SQS record the function received: which invocation (batch) carried it, and how often
    the queue had handed it out by then."""
    import pandas as pd

    rows = [
        {
            "invocation": r["_invocation"],
            "body": r["body"],
            "ApproximateReceiveCount": r["attributes"]["ApproximateReceiveCount"],
        }
        for r in delivered
    ]
    return pd.DataFrame(rows)
