"""Checks for which-trigger (01_architecture): the event's shape names its source and invocation model."""

from __future__ import annotations

import json
import time
from typing import Any

from ... import clients
from ...events import load_event
from ...http import http_call
from ...lesson_helpers.common import logged
from ...poll import attempts
from ...reference_deploys import ensure_queue
from ...triggers import event_source_mapping, rest_api, s3_notification
from ..framework import CheckFailed, Context, Exercise, shown

EXERCISE = Exercise("which-trigger", timeout=5)  # short, so a redelivered queue message comes back soon
BUCKET = "lab-ex-which-trigger"
QUEUE = "lab-ex-which-trigger-queue"

MODELS = {
    "apigateway-rest": "synchronous",
    "apigateway-http": "synchronous",
    "s3": "asynchronous",
    "sns": "asynchronous",
    "eventbridge": "asynchronous",
    "sqs": "event source mapping",
    "dynamodb": "event source mapping",
    "kinesis": "event source mapping",
    "unknown": "unknown",
}
SAMPLES = {  # sample event (reference_app/events) -> the source it comes from
    "apigw_rest_post_user": "apigateway-rest",
    "apigw_rest_get_user": "apigateway-rest",
    "apigw_http_v2_get_user": "apigateway-http",
    "function_url_get": "apigateway-http",
    "s3_put": "s3",
    "s3_delete": "s3",
    "sns_notification": "sns",
    "eventbridge_scheduled": "eventbridge",
    "sqs_batch_one_bad": "sqs",
    "dynamodb_stream_insert": "dynamodb",
    "dynamodb_stream_batch": "dynamodb",
    "kinesis_batch": "kinesis",
}
OTHERS: list[Any] = [{"name": "Ada"}, {}, {"Records": []}, [1, 2], "hello", None]


def _decoys(ctx: Context) -> list[tuple[str, Any, str]]:
    """Events drawn per run whose payloads carry another source's words: an S3 notification inside an SQS
    message (S3 -> SQS), an API request inside an SNS message, a direct invoke that talks about triggers.
    An answer that looks for strings in the whole event, instead of reading its keys, names them wrong."""
    rng = ctx.rng
    inner = {name: load_event(name) for name in ("s3_put", "apigw_rest_post_user", "sqs_batch_one_bad")}
    sqs = load_event("sqs_batch_one_bad")
    sqs["Records"] = [
        {**r, "body": json.dumps(inner[rng.choice(("s3_put", "apigw_rest_post_user"))])}
        for r in sqs["Records"][: rng.randint(1, len(sqs["Records"]))]
    ]
    sns = load_event("sns_notification")
    sns["Records"][0]["Sns"]["Message"] = json.dumps(inner[rng.choice(list(inner))])
    bridge = load_event("eventbridge_scheduled")
    bridge["detail"] = {"eventSource": "aws:s3", "Records": inner["s3_put"]["Records"], "note": rng.name()}
    talk = {
        "comment": rng.choice(("eventSource aws:sqs", "httpMethod POST", "EventSource aws:sns")),
        "Records": "not a list",
        "detail-type": None,
        "customer": rng.name(),
    }
    found = [
        ("an SQS message whose body is another event", sqs, "sqs"),
        ("an SNS notification whose message is another event", sns, "sns"),
        ("an EventBridge event about S3", bridge, "eventbridge"),
        (f"a direct invoke {shown(talk)}", talk, "unknown"),
        ("a direct invoke with an empty Records list", {"Records": [], "httpMethods": ["GET"]}, "unknown"),
        (
            "a direct invoke that says version 2.0",
            {"version": "2.0", "routeKey": "$default", "customer": rng.name()},
            "unknown",
        ),
        (
            "a direct invoke with requestContext.http but version 1.0",
            {"version": "1.0", "requestContext": {"http": {"method": "GET"}}},
            "unknown",
        ),
    ]
    rng.shuffle(found)
    return found


def _answer(module: Any, event: Any, what: str) -> tuple[str, str]:
    try:
        answer = module.identify(event)
    except NotImplementedError:
        raise
    except Exception as exc:
        raise CheckFailed(
            f"identify() raised {type(exc).__name__} on {what}; an event without a key you look for must not crash "
            "the function (use .get())."
        ) from None
    if not (isinstance(answer, tuple) and len(answer) == 2):
        raise CheckFailed(f"identify() must return a (source, model) tuple, not {shown(answer)} (for {what}).")
    return answer


@EXERCISE.unit("every sample event is named after its source (REST, HTTP API, URL, S3, SNS, EventBridge, queues...)")
def sources(ctx: Context) -> None:
    module = ctx.load()
    for name, expected in SAMPLES.items():
        source, _ = _answer(module, load_event(name), f"the {name} event")
        if source != expected:
            raise CheckFailed(f"the {name} event comes from {expected!r}, identify() said {source!r}.")
    for other in OTHERS:
        source, _ = _answer(module, other, shown(other))
        if source != "unknown":
            raise CheckFailed(
                f"{shown(other)} comes from no AWS trigger; identify() should say 'unknown', not {source!r}."
            )
    for what, event, expected in _decoys(ctx):
        source, _ = _answer(module, event, what)
        if source != expected:
            raise CheckFailed(
                f"{what} comes from {expected!r}; identify() said {source!r}. Read the event's own "
                "keys (top level, then Records[0]'s eventSource), not words found anywhere in it."
            )


@EXERCISE.unit("each source gets the invocation model its service uses")
def models(ctx: Context) -> None:
    module = ctx.load()
    for name, expected_source in SAMPLES.items():
        _, model = _answer(module, load_event(name), f"the {name} event")
        if model != MODELS[expected_source]:
            raise CheckFailed(
                f"{expected_source} invokes a function with the {MODELS[expected_source]!r} model; "
                f"identify() said {model!r} for the {name} event."
            )
    _, model = _answer(module, {"name": "Ada"}, "a direct invoke")
    if model != "unknown":
        raise CheckFailed(f"a direct invoke with your own payload could be either model; say 'unknown', not {model!r}.")


@EXERCISE.live("deployed behind API Gateway, an S3 bucket and an SQS queue: each real trigger is named with its model")
def live(ctx: Context) -> None:
    dep = ctx.deploy()
    since = int(time.time() * 1000)
    # The visibility timeout AWS accepts at the least (the function's timeout): a message whose
    # first delivery failed for a reason of the emulator's own is back within seconds.
    url = ensure_queue(QUEUE, VisibilityTimeout=str(EXERCISE.timeout))
    sqs = clients.client("sqs")
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    event_source_mapping(dep.name, queue_arn, batch_size=10)
    # a queue message that carries an S3 notification: its source is still SQS
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({**load_event("s3_put"), "job": ctx.run_id}))
    s3_notification(BUCKET, dep.arn, prefix="in/")
    clients.client("s3").put_object(Bucket=BUCKET, Key=f"in/{ctx.run_id}.txt", Body=b"hello")
    api = rest_api("lab-ex-which-trigger", dep.arn)
    reply = http_call(api + "whoami")
    try:
        body = json.loads(reply.body)
    except ValueError:
        body = {}
    if reply.status != 200 or body != {"source": "apigateway-rest", "model": "synchronous"}:
        raise CheckFailed(
            f"GET through API Gateway answered {reply.status} {shown(reply.body)}; expected the body "
            '{"source": "apigateway-rest", "model": "synchronous"}.'
        )
    wanted = {("s3", "asynchronous"), ("sqs", "event source mapping")}
    seen: set[tuple[str, str]] = set()
    for _ in attempts(deadline_s=15, first=0.2, cap=0.5):
        seen = {(line["source"], line["model"]) for line in logged(dep.name, since, message="identified")}
        if wanted <= seen:
            return
    raise CheckFailed(
        f"after an upload and a queue message the function logged {sorted(seen)}; expected {sorted(wanted)} among them."
    )
