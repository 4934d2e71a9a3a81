"""09_patterns' wiring helpers on the emulator: queues with their DLQ, SNS subscriptions of queues."""

from __future__ import annotations

import json

from reference_app.lab import clients
from reference_app.lab.lesson_helpers.patterns import infra
from reference_app.lab.reference_deploys import ensure_topic


def test_a_queue_gets_its_dlq_and_a_drifted_setting_is_put_back(backend):
    queue = infra.queue_with_dlq("e2e-09-q", visibility_s=4, max_receives=3)
    sqs = clients.client("sqs")
    sqs.set_queue_attributes(QueueUrl=queue.url, Attributes={"VisibilityTimeout": "99"})
    again = infra.queue_with_dlq("e2e-09-q", visibility_s=4, max_receives=3)
    attributes = sqs.get_queue_attributes(QueueUrl=again.url, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "4" and again == queue
    assert json.loads(attributes["RedrivePolicy"]) == {"deadLetterTargetArn": queue.dlq_arn, "maxReceiveCount": 3}


def test_a_subscription_is_made_once_and_its_delivery_shape_follows_raw(backend):
    topic = ensure_topic("e2e-09-topic")
    queue = infra.queue_with_dlq("e2e-09-sub", visibility_s=2, max_receives=1)
    first = infra.subscribe_queue(topic, queue.url, queue.arn, raw=False)
    assert infra.subscribe_queue(topic, queue.url, queue.arn, raw=True) == first
    sns = clients.client("sns")
    assert sns.get_subscription_attributes(SubscriptionArn=first)["Attributes"]["RawMessageDelivery"] == "true"
    policy = json.loads(
        clients.client("sqs").get_queue_attributes(QueueUrl=queue.url, AttributeNames=["Policy"])["Attributes"][
            "Policy"
        ]
    )
    assert policy["Statement"][0]["Condition"] == {"ArnEquals": {"aws:SourceArn": topic}}
    sns.publish(TopicArn=topic, Message='{"order_id": "o-raw"}')
    got = infra.wait_until(lambda: infra.receive(queue.url, delete=True), "the raw message", 10)
    assert got[0]["Decoded"] == {"order_id": "o-raw"}
