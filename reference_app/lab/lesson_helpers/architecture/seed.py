"""The seed's architecture deployed for real, driven, and followed event by event."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

from ...clients import client
from ...config import Backend, resolve_backend
from ...deploy import Deployment
from ...http import http_call
from ...logs import invocations
from ...poll import attempts as polling
from ...reference_deploys import deploy_handler
from ...triggers import event_source_mapping, rest_api, s3_notification, sns_subscription
from ..common import Mermaid, new_run_id, now_ms

PREFIX = "lab-01-"
HANDLERS = {  # role in the diagram -> reference handler
    "api": "users_api",
    "stream": "stream_processor",
    "notify": "notifier",
    "files": "s3_processor",
}


def _name(prefix: str, handler: str) -> str:
    return f"{prefix}{handler.replace('_', '-')}"


# --- the architecture ----------------------------------------------------------------------------


@dataclass
class Architecture:
    prefix: str
    api_url: str
    bucket: str
    topic_arn: str
    queue_url: str
    functions: dict[str, str]  # role -> function name

    def table(self, logical: str) -> str:
        return f"{self.prefix}{logical}"

    def wiring(self):
        """Who invokes whom, how, and with which permission (a pandas DataFrame)."""
        import pandas as pd

        f = self.functions
        rows = [
            (
                "API Gateway REST API",
                "synchronous (push)",
                f["api"],
                "resource-based policy: apigateway.amazonaws.com",
                f"DynamoDB {self.table('users')}",
            ),
            (
                f"DynamoDB stream of {self.table('users')}",
                "event source mapping (poll)",
                f["stream"],
                "execution role: AWSLambdaDynamoDBExecutionRole",
                f"DynamoDB {self.table('audit')}, SNS {self.prefix}changes",
            ),
            (
                f"SNS topic {self.prefix}changes",
                "asynchronous (push)",
                f["notify"],
                "resource-based policy: sns.amazonaws.com",
                f"SQS {self.prefix}notifications, DynamoDB {self.table('notifications')}",
            ),
            (
                f"S3 bucket {self.bucket} (uploads/)",
                "asynchronous (push)",
                f["files"],
                "resource-based policy: s3.amazonaws.com",
                f"DynamoDB {self.table('results')}, S3 thumbnails/",
            ),
        ]
        columns = ["event source", "invocation model", "function", "who may invoke / read", "writes to"]
        return pd.DataFrame(rows, columns=columns)

    def send_traffic(self) -> Traffic:
        """Two sign-ups and one deletion over HTTP, then an image and a CSV uploaded to S3."""
        run = new_run_id()
        traffic = Traffic(run=run, started_ms=now_ms())
        users = self.api_url + "users"
        for user, name in ((f"ada-{run}", "Ada Lovelace"), (f"grace-{run}", "Grace Hopper")):
            reply = http_call(users, "POST", {"user_id": user, "name": name, "email": f"{user}@example.com"})
            traffic.requests.append((f"POST /users {user}", reply.status))
            traffic.created.append(user)
        gone = f"grace-{run}"
        reply = http_call(f"{users}/{gone}", "DELETE")
        traffic.requests.append((f"DELETE /users/{gone}", reply.status))
        traffic.deleted.append(gone)
        s3 = client("s3")
        photo, report = f"uploads/{run}-photo.png", f"uploads/{run} sales.csv"
        s3.put_object(Bucket=self.bucket, Key=photo, Body=_png(), ContentType="image/png")
        s3.put_object(
            Bucket=self.bucket, Key=report, Body=b"region,total\nnorth,12\nsouth,30\n", ContentType="text/csv"
        )
        traffic.uploads += [photo, report]
        return traffic


@dataclass
class Traffic:
    run: str
    started_ms: int
    requests: list[tuple[str, int]] = field(default_factory=list)  # (request, HTTP status)
    created: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    uploads: list[str] = field(default_factory=list)

    @property
    def changes(self) -> int:
        """Stream records the traffic causes: one per created user, one per deletion."""
        return len(self.created) + len(self.deleted)


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (0, 128, 128)).save(buffer, format="PNG")
    return buffer.getvalue()


def build(prefix: str = PREFIX, backend: Backend | None = None) -> Architecture:
    """Deploy the four functions with their tables, topic and queue, and wire every trigger
    (idempotent: a second run changes nothing)."""
    backend = backend or resolve_backend()
    deps: dict[str, Deployment] = {}
    # The stream consumer and its mapping first: a new mapping takes a few seconds to start
    # polling, and that happens while the other functions deploy.
    deps["stream"] = deploy_handler(
        HANDLERS["stream"], _name(prefix, HANDLERS["stream"]), prefix=prefix, backend=backend
    )
    deps["api"] = deploy_handler(HANDLERS["api"], _name(prefix, HANDLERS["api"]), prefix=prefix, backend=backend)
    users_arn = client("dynamodb", backend).describe_table(TableName=f"{prefix}users")["Table"]["TableArn"]
    # TRIM_HORIZON: read every record still in the stream, so nothing written right after
    # wiring is missed while the mapping starts (LATEST begins wherever the stream is then).
    event_source_mapping(
        deps["stream"].name, users_arn, batch_size=10, starting_position="TRIM_HORIZON", backend=backend
    )
    for role in ("notify", "files"):
        deps[role] = deploy_handler(HANDLERS[role], _name(prefix, HANDLERS[role]), prefix=prefix, backend=backend)
    api_url = rest_api(f"{prefix}users", deps["api"].arn, backend=backend)
    topic_arn = deps["stream"].configuration["Environment"]["Variables"]["TOPIC_ARN"]
    sns_subscription(topic_arn, deps["notify"].arn, backend=backend)
    bucket = f"{prefix}uploads"
    s3_notification(bucket, deps["files"].arn, prefix="uploads/", backend=backend)
    queue_url = deps["notify"].configuration["Environment"]["Variables"]["FORWARD_QUEUE_URL"]
    functions = {role: deps[role].name for role in HANDLERS}
    return Architecture(prefix, api_url, bucket, topic_arn, queue_url, functions)


# --- following the traffic ------------------------------------------------------------------------


@dataclass
class Flow:
    """Which event went where: one row per hop, with the evidence that it happened."""

    arch: Architecture
    traffic: Traffic
    audit: list[dict] = field(default_factory=list)
    messages: list[dict] = field(default_factory=list)
    results: list[dict] = field(default_factory=list)
    thumbnails: list[str] = field(default_factory=list)
    invocations: dict[str, int] = field(default_factory=dict)  # role -> invocations since the traffic

    @property
    def complete(self) -> bool:
        t = self.traffic
        return (
            len(self.audit) >= t.changes
            and len(self.messages) >= t.changes
            and len(self.results) >= len(t.uploads)
            and len(self.thumbnails) >= 1
        )

    def rows(self) -> list[dict]:
        t, f = self.traffic, self.arch.functions
        statuses = ", ".join(str(status) for _, status in t.requests)
        events = sorted(f"{item['event_name']} {item['user']}" for item in self.audit)
        return [
            {
                "event": f"{len(t.requests)} HTTP requests",
                "source": "API Gateway",
                "model": "synchronous",
                "function": f["api"],
                "invocations": self.invocations.get("api", 0),
                "effect": f"answered {statuses}; wrote {len(t.created)} users, deleted {len(t.deleted)}",
            },
            {
                "event": f"{t.changes} stream records",
                "source": "DynamoDB Streams",
                "model": "event source mapping",
                "function": f["stream"],
                "invocations": self.invocations.get("stream", 0),
                "effect": f"{len(self.audit)} audit items ({'; '.join(events)}), {t.changes} SNS messages",
            },
            {
                "event": f"{t.changes} SNS messages",
                "source": "SNS",
                "model": "asynchronous",
                "function": f["notify"],
                "invocations": self.invocations.get("notify", 0),
                "effect": f"{len(self.messages)} SQS messages: " + "; ".join(sorted(m["text"] for m in self.messages)),
            },
            {
                "event": f"{len(t.uploads)} uploads",
                "source": "S3",
                "model": "asynchronous",
                "function": f["files"],
                "invocations": self.invocations.get("files", 0),
                "effect": "; ".join(f"{r['object_key']}: {r['status']}" for r in self.results)
                + f"; thumbnail {', '.join(self.thumbnails)}",
            },
        ]

    @property
    def table(self):
        import pandas as pd

        return pd.DataFrame(self.rows()).set_index("event")

    def mermaid(self) -> Mermaid:
        t, f, p = self.traffic, self.arch.functions, self.arch.prefix
        inv = self.invocations
        return Mermaid(f"""
flowchart TB
  client([HTTP client]) -- "{len(t.requests)} requests" --> apigw[API Gateway REST]
  apigw -- "sync: {inv.get("api", 0)} invocations" --> api["λ {f["api"]}"]
  api -- "{len(t.created)} puts, {len(t.deleted)} delete" --> users[("DynamoDB {p}users")]
  users -- "stream: {t.changes} records,<br/>polled in {inv.get("stream", 0)} batches" --> stream["λ {f["stream"]}"]
  stream -- "{len(self.audit)} items" --> audit[("DynamoDB {p}audit")]
  stream -- "{t.changes} messages" --> topic{{{{"SNS {p}changes"}}}}
  topic -- "async: {inv.get("notify", 0)} invocations" --> notify["λ {f["notify"]}"]
  notify -- "{len(self.messages)} messages" --> queue[["SQS {p}notifications"]]
  uploader([uploader]) -- "{len(t.uploads)} objects<br/>under uploads/" --> bucket[("S3 {self.arch.bucket}")]
  bucket -- "async: {inv.get("files", 0)} invocations" --> files["λ {f["files"]}"]
  files -- "{len(self.results)} rows" --> results[("DynamoDB {p}results")]
  files -- "{len(self.thumbnails)} thumbnail under thumbnails/<br/>(not uploads/: no loop)" --> bucket
""")


def follow(arch: Architecture, traffic: Traffic, timeout_s: float = 30.0) -> Flow:
    """Wait until every effect of ``traffic`` is visible (audit items, queue messages, results,
    the thumbnail), then count each function's invocations since the traffic began."""
    flow = Flow(arch, traffic)
    run = traffic.run
    dynamodb, s3, sqs = client("dynamodb"), client("s3"), client("sqs")
    for _ in polling(timeout_s, first=0.2, cap=0.5):
        flow.audit = [
            {"user": item["keys"]["M"]["user_id"]["S"], "event_name": item["event_name"]["S"]}
            for item in _scan(dynamodb, arch.table("audit"))
            if run in item["entity_id"]["S"]
        ]
        for message in sqs.receive_message(QueueUrl=arch.queue_url, MaxNumberOfMessages=10).get("Messages", []):
            body = json.loads(message["Body"])
            if run in body.get("text", ""):
                flow.messages.append(body)
            sqs.delete_message(QueueUrl=arch.queue_url, ReceiptHandle=message["ReceiptHandle"])
        flow.results = [
            {"object_key": item["object_key"]["S"], "status": item["status"]["S"]}
            for item in _scan(dynamodb, arch.table("results"))
            if item["object_key"]["S"] in traffic.uploads
        ]
        listing = s3.list_objects_v2(Bucket=arch.bucket, Prefix=f"thumbnails/uploads/{run}")
        flow.thumbnails = [o["Key"] for o in listing.get("Contents", [])]
        if flow.complete:
            break
    # A function's effects can be visible a moment before its log block is complete (the REPORT
    # line is written after the handler returns), so wait for the invocations each hop implies.
    expected = {"api": len(traffic.requests), "stream": 1, "notify": traffic.changes, "files": len(traffic.uploads)}
    for _ in polling(10.0, first=0.1, cap=0.5):
        flow.invocations = {
            role: len([i for i in invocations(name, traffic.started_ms) if i.complete])
            for role, name in arch.functions.items()
        }
        if all(flow.invocations.get(role, 0) >= n for role, n in expected.items()):
            break
    return flow


def _scan(dynamodb: Any, table: str) -> list[dict]:
    pages = dynamodb.get_paginator("scan").paginate(TableName=table)
    return [item for page in pages for item in page.get("Items", [])]
