"""SNS subscriptions that invoke a function."""

from __future__ import annotations

from ..clients import client
from ..config import Backend, resolve_backend
from .permissions import allow_invoke, resolve_function_arn


def sns_subscription(topic_arn: str, function_arn: str, backend: Backend | None = None) -> str:
    """Subscribe the function to ``topic_arn`` unless it is subscribed; return the
    subscription ARN. Lambda subscriptions need no confirmation."""
    backend = backend or resolve_backend()
    target = resolve_function_arn(function_arn, backend)
    allow_invoke(target, "sns.amazonaws.com", topic_arn, backend=backend)
    sns = client("sns", backend)
    for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn):
        for sub in page["Subscriptions"]:
            if sub["Protocol"] == "lambda" and sub["Endpoint"] == target:
                return sub["SubscriptionArn"]
    return sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=target, ReturnSubscriptionArn=True)[
        "SubscriptionArn"
    ]
