"""04_triggers: wire each trigger to ``event_logger`` and read back what arrived.

Every section of the lesson deploys ``event_logger`` under a name of its own (``lab-04-s3``,
``lab-04-stream`` ...), wires one trigger with the kit's idempotent helpers
(:mod:`reference_app.lab.triggers`), fires it, and reads the event the function logged.
This module holds the small pieces that keep those cells short: waiting for the events a
function received (:func:`received`), flattening an event into a table (:func:`shape`), the
function's resource-based policy as a table (:func:`policy`), tables with a DynamoDB stream
of a chosen view type, SNS-to-SQS fan-out with the queue policy SNS needs, and the scheduled
event EventBridge would send.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, unquote_plus

from botocore.exceptions import ClientError

from ..clients import client
from ..deploy import EXECUTION_ROLE, Deployment
from ..errors import LabError, aws_code
from ..events import load_event
from ..poll import attempts
from ..reference_deploys import deploy_handler, ensure_queue, ensure_topic
from .common import Logged, logged, new_run_id, wait_for_logged
from .common import now_ms as now_ms  # re-exported: lessons mark the start of a step with it
from .common import queue_depth as queue_depth  # re-exported for the lesson

PREFIX = "lab-04-"


def deploy_logger(name: str, *, timeout: int = 30, environment: dict[str, str] | None = None) -> Deployment:
    """``event_logger`` deployed as ``name`` (idempotent)."""
    return deploy_handler("event_logger", name, timeout=timeout, environment=environment)


def received(
    function: str,
    since_ms: int,
    count: int = 1,
    where: Callable[[dict], bool] | None = None,
    timeout_s: float = 20.0,
    settle_s: float = 0.0,
) -> list[dict]:
    """The events ``function`` logged since ``since_ms`` (oldest first) for which ``where(event)``
    is true, once ``count`` have arrived; ``settle_s`` keeps watching a moment longer, for a
    cell that also shows what did *not* arrive."""
    lines: list[Logged] = wait_for_logged(
        function,
        count,
        since_ms,
        message="event received",
        where=(lambda line: isinstance(line.get("event"), dict) and where(line["event"])) if where else None,
        timeout_s=timeout_s,
        settle_s=settle_s,
    )
    return [line["event"] for line in lines]


def records(events: list[dict]) -> list[dict]:
    """Every record of every event, in the order they arrived."""
    return [r for event in events for r in (event.get("Records") or [])]


def mentions(text: str) -> Callable[[Any], bool]:
    """A ``where`` for :func:`received`: the event mentions ``text`` anywhere."""
    return lambda event: text in json.dumps(event, default=str)


def shape(event: Any, max_value: int | None = None):
    """An event as a table, one row per leaf (``Records[0].s3.object.key`` -> value), each value whole
    unless ``max_value`` caps it; keys the kit added to a record (``_invocation``) are left out."""
    import pandas as pd

    rows = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict) and value:
            for key, inner in value.items():
                walk(inner, f"{path}.{key}" if path else key)
        elif isinstance(value, list) and value:
            for index, inner in enumerate(value):
                walk(inner, f"{path}[{index}]")
        else:
            text = json.dumps(value, default=str)
            if max_value is not None and len(text) > max_value:
                text = text[: max_value - 1] + "…"
            rows.append({"path": path, "value": text})

    if isinstance(event, dict):  # keys the kit added (``_invocation``) are not part of the event
        event = {k: v for k, v in event.items() if not str(k).startswith("_")}
    walk(event, "")
    return pd.DataFrame(rows).set_index("path")


def event_table(events: list[dict], columns: dict[str, Callable[[dict], Any]]):
    """One row per record (or per event when it has no ``Records``), with ``columns`` computed from it."""
    import pandas as pd

    items = [r for e in events for r in (e.get("Records") or [e])]
    return pd.DataFrame([{name: get(item) for name, get in columns.items()} for item in items])


# --- permissions ---------------------------------------------------------------------------


def policy(function: str, principal: str | None = None):
    """The function's resource-based policy as a table (optionally only one principal's statements)."""
    import pandas as pd

    try:
        document = json.loads(client("lambda").get_policy(FunctionName=function)["Policy"])
    except ClientError as err:
        if aws_code(err) != "ResourceNotFoundException":
            raise
        document = {"Statement": []}
    rows = []
    for statement in document["Statement"]:
        who = statement.get("Principal")
        who = who.get("Service", who.get("AWS")) if isinstance(who, dict) else who
        if principal is not None and who != principal:
            continue
        condition = statement.get("Condition", {})
        flat = {f"{op}:{key}": value for op, pairs in condition.items() for key, value in pairs.items()}
        rows.append(
            {
                "Sid": statement.get("Sid"),
                "Principal": who,
                "Action": statement.get("Action"),
                "SourceArn": flat.pop("ArnLike:AWS:SourceArn", None) or flat.pop("ArnEquals:AWS:SourceArn", None),
                "SourceAccount": flat.pop("StringEquals:AWS:SourceAccount", None),
                "other conditions": json.dumps(flat) if flat else "",
            }
        )
    return pd.DataFrame(rows, columns=["Sid", "Principal", "Action", "SourceArn", "SourceAccount", "other conditions"])


def attached_policies(role: str = EXECUTION_ROLE) -> list[str]:
    """The managed policies attached to the execution role (what lets a mapping read its source)."""
    pages = client("iam").get_paginator("list_attached_role_policies").paginate(RoleName=role)
    return sorted(p["PolicyName"] for page in pages for p in page["AttachedPolicies"])


def mapping_settings(function: str, source_arn: str) -> dict[str, Any]:
    """The event source mapping's settings that decide batching and retries."""
    mappings = client("lambda").list_event_source_mappings(FunctionName=function, EventSourceArn=source_arn)
    mapping = mappings["EventSourceMappings"][0]
    keys = (
        "BatchSize",
        "MaximumBatchingWindowInSeconds",
        "StartingPosition",
        "MaximumRetryAttempts",
        "MaximumRecordAgeInSeconds",
        "BisectBatchOnFunctionError",
        "FunctionResponseTypes",
        "FilterCriteria",
        "State",
    )
    return {k: mapping[k] for k in keys if k in mapping}


# --- S3 ------------------------------------------------------------------------------------


def s3_keys(uploaded: list[str], events: list[dict]):
    """Each uploaded key next to the key its event carried, and what decoding gives back."""
    import pandas as pd

    in_events = [r["s3"]["object"]["key"] for r in records(events)]
    rows = []
    for key in uploaded:
        match = next((k for k in in_events if unquote_plus(k) == key), None)
        rows.append(
            {
                "uploaded": key,
                "key in the event": match,
                "unquote_plus": unquote_plus(match) if match is not None else None,
                "unquote": unquote(match) if match is not None else None,
            }
        )
    return pd.DataFrame(rows).set_index("uploaded")


# --- DynamoDB Streams ------------------------------------------------------------------------


def ensure_stream_table(name: str, view_type: str) -> str:
    """A table keyed by ``pk`` whose stream carries ``view_type`` records; its ARN."""
    dynamodb = client("dynamodb")
    try:
        dynamodb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": view_type},
        )
    except ClientError as err:
        if aws_code(err) != "ResourceInUseException":
            raise
    dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    return dynamodb.describe_table(TableName=name)["Table"]["TableArn"]


def insert_modify_remove(table: str, key: str) -> None:
    """Create an item, change it, delete it: one INSERT, one MODIFY, one REMOVE on the stream."""
    dynamodb = client("dynamodb")
    dynamodb.put_item(TableName=table, Item={"pk": {"S": key}, "status": {"S": "new"}})
    dynamodb.update_item(
        TableName=table,
        Key={"pk": {"S": key}},
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "paid"}},
    )
    dynamodb.delete_item(TableName=table, Key={"pk": {"S": key}})


def stream_records(events: list[dict]):
    """The stream records that arrived: change, order, and which images each one carries."""
    import pandas as pd

    rows = []
    for r in records(events):
        stream = r["dynamodb"]
        rows.append(
            {
                "table": r["eventSourceARN"].split(":table/")[1].split("/")[0],
                "eventName": r["eventName"],
                "SequenceNumber": stream["SequenceNumber"],
                "StreamViewType": stream.get("StreamViewType"),
                "Keys": json.dumps(stream["Keys"]),
                "NewImage": json.dumps(stream["NewImage"]) if "NewImage" in stream else "",
                "OldImage": json.dumps(stream["OldImage"]) if "OldImage" in stream else "",
            }
        )
    return pd.DataFrame(rows)


# --- SQS and SNS -----------------------------------------------------------------------------


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


# --- EventBridge and Kinesis ------------------------------------------------------------------


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


def ensure_stream(name: str, shards: int = 1) -> str:
    """A Kinesis data stream (created if missing, waited for until ACTIVE); its ARN."""
    kinesis = client("kinesis")
    try:
        kinesis.create_stream(StreamName=name, ShardCount=shards)
    except ClientError as err:
        if aws_code(err) != "ResourceInUseException":
            raise
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.5, "MaxAttempts": 60})
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def kinesis_records(events: list[dict]):
    """Kinesis records as the function got them, with ``data`` decoded from base64."""
    import pandas as pd

    rows = [
        {
            "partitionKey": r["kinesis"]["partitionKey"],
            "sequenceNumber": r["kinesis"]["sequenceNumber"],
            "data (base64, as received)": r["kinesis"]["data"],
            "data (decoded)": base64.b64decode(r["kinesis"]["data"]).decode("utf-8", errors="replace"),
        }
        for r in records(events)
    ]
    return pd.DataFrame(rows)


def received_records(
    function: str,
    since_ms: int,
    count: int,
    where: Callable[[dict], bool] | None = None,
    timeout_s: float = 30.0,
    settle_s: float = 0.0,
) -> list[dict]:
    """The batch records ``function`` received since ``since_ms`` for which ``where(record)`` is
    true, once ``count`` have arrived (however the source split them into batches). Each record
    gains ``_invocation``: the request id of the invocation that delivered it."""
    found: list[dict] = []
    reached: float | None = None
    for _ in attempts(timeout_s, first=0.1, cap=0.5):
        found = [
            {**r, "_invocation": line.request_id}
            for line in logged(function, since_ms, message="event received")
            for r in (line["event"].get("Records") or [])
            if where is None or where(r)
        ]
        if len(found) >= count:
            reached = reached or time.monotonic()
            if time.monotonic() - reached >= settle_s:
                break
    return found


def base64_text(data: str) -> str:
    return base64.b64decode(data).decode("utf-8", errors="replace")


def sns_message(body: str) -> str:
    """The message inside an SNS envelope (what a queue gets without raw message delivery)."""
    return json.loads(body)["Message"]


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


def http_events(events: list[dict]):
    """API Gateway REST (1.0) and HTTP API / function URL (2.0) events side by side."""
    import pandas as pd

    rows = []
    for e in events:
        v2 = e.get("version") == "2.0"
        rows.append(
            {
                "payload format": "2.0" if v2 else "1.0",
                "method": e["requestContext"]["http"]["method"] if v2 else e["httpMethod"],
                "path": e["rawPath"] if v2 else e["path"],
                "route": e.get("routeKey") if v2 else e.get("resource"),
                "query": json.dumps(e.get("queryStringParameters")),
                "top-level keys": ", ".join(sorted(e)),
            }
        )
    return pd.DataFrame(rows)


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


def rule_and_targets(rule: str, bus: str = "default") -> dict[str, Any]:
    """An EventBridge rule as ``DescribeRule`` reports it, with the ARNs of its targets."""
    events = client("events")
    described = events.describe_rule(Name=rule, EventBusName=bus)
    keep = {k: described[k] for k in ("Name", "Arn", "ScheduleExpression", "EventPattern", "State") if k in described}
    keep["Targets"] = [t["Arn"] for t in events.list_targets_by_rule(Rule=rule, EventBusName=bus)["Targets"]]
    return keep
