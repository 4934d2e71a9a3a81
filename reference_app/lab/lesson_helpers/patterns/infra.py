"""Queues with their own dead-letter queue, SNS subscriptions of queues, waiting on evidence.

What the other modules of :mod:`reference_app.lab.lesson_helpers.patterns` build on. Every helper is
idempotent: a lesson cell that calls it twice creates nothing the second time.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ...clients import client, resource
from ...config import Backend
from ...errors import LabError
from ...poll import attempts

PREFIX = "lab-09-"
T = TypeVar("T")


def run_id() -> str:
    """A short id that tells this run's records from an earlier run's (lessons are re-run)."""
    return uuid.uuid4().hex[:6]


PROGRESS_S = 5.0


def wait_until(probe: Callable[[], T | None], what: str, timeout_s: float = 30.0) -> T:
    """Poll ``probe`` until it returns something truthy and return that; LabError naming ``what``
    when it never does. The kit's one polling loop (:func:`reference_app.lab.poll.attempts`)."""
    started = said = time.monotonic()
    for _ in attempts(timeout_s, first=0.1, cap=0.5):
        value = probe()
        if value:
            return value
        if time.monotonic() - said >= PROGRESS_S:  # a wait over ~5 s is never silent
            said = time.monotonic()
            print(f"  still waiting for {what} ({said - started:.0f} s of {timeout_s:.0f})", flush=True)
    raise LabError(f"Still waiting for {what} after {timeout_s:.0f} s; look at the functions' logs.")


@dataclass(frozen=True)
class Queue:
    """An SQS queue and the dead-letter queue its redrive policy names."""

    name: str
    url: str
    arn: str
    dlq_url: str
    dlq_arn: str
    max_receives: int

    def messages(self, dlq: bool = False, delete: bool = False) -> list[dict]:
        """Up to ten messages on the queue (or its DLQ), see :func:`receive`."""
        return receive(self.dlq_url if dlq else self.url, delete=delete)

    def depth(self, dlq: bool = False) -> int:
        """Messages on the queue (or its DLQ), visible or in flight."""
        attributes = client("sqs").get_queue_attributes(
            QueueUrl=self.dlq_url if dlq else self.url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def receive(url: str, *, delete: bool = False) -> list[dict]:
    """Up to ten messages on a queue now: deleted when ``delete``, otherwise visible again at once
    (a peek, which counts as a receive). ``Decoded`` holds each body parsed as JSON when it is JSON."""
    sqs = client("sqs")
    got = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=10,
        VisibilityTimeout=30 if delete else 0,
        AttributeNames=["ApproximateReceiveCount"],
    ).get("Messages", [])
    for message in got:
        if delete:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        try:
            message["Decoded"] = json.loads(message["Body"])
        except ValueError:
            message["Decoded"] = message["Body"]
    return got


def _queue(sqs: Any, name: str, attributes: dict[str, str]) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]  # idempotent for the same name
    current = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    changed = {k: v for k, v in attributes.items() if current.get(k) != v}
    if changed:
        sqs.set_queue_attributes(QueueUrl=url, Attributes=changed)
    return url, current["QueueArn"]


def queue_with_dlq(name: str, *, visibility_s: int, max_receives: int, backend: Backend | None = None) -> Queue:
    """Queue ``name`` whose redrive policy moves a message to ``name-dlq`` after ``max_receives``
    receives; both created if missing, and their settings brought back when they drifted."""
    sqs = client("sqs", backend)
    dlq_url, dlq_arn = _queue(sqs, f"{name}-dlq", {"MessageRetentionPeriod": str(4 * 24 * 3600)})
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receives})
    url, arn = _queue(sqs, name, {"VisibilityTimeout": str(visibility_s), "RedrivePolicy": redrive})
    return Queue(name, url, arn, dlq_url, dlq_arn, max_receives)


def plain_queue(name: str, backend: Backend | None = None, **attributes: str) -> tuple[str, str]:
    """(url, arn) of a queue without a dead-letter queue (a tap, an on-failure destination)."""
    return _queue(client("sqs", backend), name, attributes)


def allow_topic(queue_url: str, queue_arn: str, topic_arn: str, backend: Backend | None = None) -> dict:
    """The queue policy that lets SNS deliver ``topic_arn``'s messages, and only those (AWS checks
    it on every delivery; the emulator does not). Set only when it differs."""
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "lambda-lab-sns-delivery",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
            }
        ],
    }
    sqs = client("sqs", backend)
    current = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["Policy"]).get("Attributes", {})
    if json.loads(current.get("Policy") or "{}") != policy:
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})
    return policy


def subscribe_queue(
    topic_arn: str, queue_url: str, queue_arn: str, *, raw: bool, backend: Backend | None = None
) -> str:
    """Subscribe the queue to the topic (with the queue policy SNS needs); return the subscription
    ARN. ``raw`` sets ``RawMessageDelivery``: the body is the message itself, not SNS's envelope."""
    allow_topic(queue_url, queue_arn, topic_arn, backend)
    sns = client("sns", backend)
    wanted = "true" if raw else "false"
    for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn):
        for sub in page["Subscriptions"]:
            if sub["Protocol"] == "sqs" and sub["Endpoint"] == queue_arn:
                attributes = sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])["Attributes"]
                if attributes.get("RawMessageDelivery", "false") != wanted:
                    sns.set_subscription_attributes(
                        SubscriptionArn=sub["SubscriptionArn"],
                        AttributeName="RawMessageDelivery",
                        AttributeValue=wanted,
                    )
                return sub["SubscriptionArn"]
    return sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        ReturnSubscriptionArn=True,
        Attributes={"RawMessageDelivery": wanted},
    )["SubscriptionArn"]


def item(table: str, key: dict[str, Any]) -> dict | None:
    """One item, read with strong consistency, or None."""
    return resource("dynamodb").Table(table).get_item(Key=key, ConsistentRead=True).get("Item")


def now_ms() -> int:
    return int(time.time() * 1000)


def show_function(handler: str, name: str):
    """One function of a reference handler, highlighted (the whole module is ``lab.show_source``)."""
    import importlib
    import inspect

    from IPython.display import Code

    module = importlib.import_module(f"reference_app.handlers.{handler}")
    return Code(inspect.getsource(getattr(module, name)), language="python")


def attempt(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """What ``call`` returns, or the exception it raises (for a cell that shows a refusal)."""
    try:
        return call(*args, **kwargs)
    except Exception as exc:  # shown to the learner, and asserted on by the cell
        return exc
