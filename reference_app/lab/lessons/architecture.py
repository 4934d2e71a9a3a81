"""01_architecture: the seed's architecture deployed and followed, invocation models, scaling, cost.

* :func:`build` deploys the seed's diagram for real: API Gateway -> ``users_api`` -> a users
  table whose stream feeds ``stream_processor`` (audit table + SNS topic), the topic feeding
  ``notifier`` (an SQS queue), and an S3 bucket feeding ``s3_processor`` (results table and
  thumbnails). :meth:`Architecture.send_traffic` drives it; :func:`follow` waits until every
  effect is visible and says which event went where, as a table and a Mermaid diagram.
* :func:`attempts` counts an asynchronous event's attempts from the function's own log;
  :func:`send_and_collect` shows the batches an SQS event source mapping delivers.
* :func:`ramp` fires waves of concurrent invocations at ``invocation_probe`` and records which
  execution environment served each one (:class:`Ramp` plots it).
* :func:`bill` and :func:`monthly_cost` price invocations from their REPORT lines with the
  rates of the kit's cost calculator (:mod:`reference_app.lab.cost`, from AWS's pricing page).
"""

from __future__ import annotations

import io
import json
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .. import cost as pricing
from ..apps import deploy_handler, ensure_queue
from ..clients import client
from ..config import Backend, resolve_backend
from ..deploy import Deployment, force_cold_start
from ..errors import LabError
from ..http import http_call
from ..logs import invocations
from ..poll import attempts as polling
from ..triggers import event_source_mapping, rest_api, s3_notification, sns_subscription
from .common import Mermaid, logged, new_run_id, now_ms, queue_depth, wait_for_logged

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
            ("API Gateway REST API", "synchronous (push)", f["api"],
             "resource-based policy: apigateway.amazonaws.com", f"DynamoDB {self.table('users')}"),
            (f"DynamoDB stream of {self.table('users')}", "event source mapping (poll)", f["stream"],
             "execution role: AWSLambdaDynamoDBExecutionRole",
             f"DynamoDB {self.table('audit')}, SNS {self.prefix}changes"),
            (f"SNS topic {self.prefix}changes", "asynchronous (push)", f["notify"],
             "resource-based policy: sns.amazonaws.com", f"SQS {self.prefix}notifications, DynamoDB "
             f"{self.table('notifications')}"),
            (f"S3 bucket {self.bucket} (uploads/)", "asynchronous (push)", f["files"],
             "resource-based policy: s3.amazonaws.com", f"DynamoDB {self.table('results')}, S3 thumbnails/"),
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
        s3.put_object(Bucket=self.bucket, Key=report, Body=b"region,total\nnorth,12\nsouth,30\n",
                      ContentType="text/csv")
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
    deps["stream"] = deploy_handler(HANDLERS["stream"], _name(prefix, HANDLERS["stream"]), prefix=prefix,
                                    backend=backend)
    deps["api"] = deploy_handler(HANDLERS["api"], _name(prefix, HANDLERS["api"]), prefix=prefix, backend=backend)
    users_arn = client("dynamodb", backend).describe_table(TableName=f"{prefix}users")["Table"]["TableArn"]
    # TRIM_HORIZON: read every record still in the stream, so nothing written right after
    # wiring is missed while the mapping starts (LATEST begins wherever the stream is then).
    event_source_mapping(deps["stream"].name, users_arn, batch_size=10, starting_position="TRIM_HORIZON",
                         backend=backend)
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
            {"event": f"{len(t.requests)} HTTP requests", "source": "API Gateway", "model": "synchronous",
             "function": f["api"], "invocations": self.invocations.get("api", 0),
             "effect": f"answered {statuses}; wrote {len(t.created)} users, deleted {len(t.deleted)}"},
            {"event": f"{t.changes} stream records", "source": "DynamoDB Streams", "model": "event source mapping",
             "function": f["stream"], "invocations": self.invocations.get("stream", 0),
             "effect": f"{len(self.audit)} audit items ({'; '.join(events)}), {t.changes} SNS messages"},
            {"event": f"{t.changes} SNS messages", "source": "SNS", "model": "asynchronous",
             "function": f["notify"], "invocations": self.invocations.get("notify", 0),
             "effect": f"{len(self.messages)} SQS messages: " + "; ".join(sorted(m["text"] for m in self.messages))},
            {"event": f"{len(t.uploads)} uploads", "source": "S3", "model": "asynchronous",
             "function": f["files"], "invocations": self.invocations.get("files", 0),
             "effect": "; ".join(f"{r['object_key']}: {r['status']}" for r in self.results)
             + f"; thumbnail {', '.join(self.thumbnails)}"},
        ]

    @property
    def table(self):
        import pandas as pd

        return pd.DataFrame(self.rows()).set_index("event")

    def mermaid(self) -> Mermaid:
        t, f, p = self.traffic, self.arch.functions, self.arch.prefix
        inv = self.invocations
        return Mermaid(f"""
flowchart LR
  client([HTTP client]) -- "{len(t.requests)} requests" --> apigw[API Gateway REST]
  apigw -- "sync: {inv.get('api', 0)} invocations" --> api["λ {f['api']}"]
  api -- "{len(t.created)} puts, {len(t.deleted)} delete" --> users[("DynamoDB {p}users")]
  users -- "stream: {t.changes} records, polled in {inv.get('stream', 0)} batches" --> stream["λ {f['stream']}"]
  stream -- "{len(self.audit)} items" --> audit[("DynamoDB {p}audit")]
  stream -- "{t.changes} messages" --> topic{{{{"SNS {p}changes"}}}}
  topic -- "async: {inv.get('notify', 0)} invocations" --> notify["λ {f['notify']}"]
  notify -- "{len(self.messages)} messages" --> queue[["SQS {p}notifications"]]
  uploader([uploader]) -- "{len(t.uploads)} objects under uploads/" --> bucket[("S3 {self.arch.bucket}")]
  bucket -- "async: {inv.get('files', 0)} invocations" --> files["λ {f['files']}"]
  files -- "{len(self.results)} rows" --> results[("DynamoDB {p}results")]
  files -- "{len(self.thumbnails)} thumbnail under thumbnails/ (not uploads/: no loop)" --> bucket
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


# --- invocation models ------------------------------------------------------------------------------

PROBE = f"{PREFIX}probe"


def deploy_probe(name: str = PROBE, backend: Backend | None = None) -> Deployment:
    return deploy_handler("invocation_probe", name, timeout=10, backend=backend)


def invoke_async(function: str, event: dict, backend: Backend | None = None) -> int:
    """``Invoke`` with ``InvocationType=Event``: Lambda queues the event and answers 202 at once."""
    answer = client("lambda", backend).invoke(
        FunctionName=function, InvocationType="Event", Payload=json.dumps(event).encode()
    )
    return answer["StatusCode"]


def attempts(function: str, marker: str, since_ms: int, expected: int = 3, timeout_s: float = 20.0):
    """Every attempt the probe logged for ``marker`` (a pandas DataFrame, oldest first), once
    ``expected`` have arrived or ``timeout_s`` has passed."""
    import pandas as pd

    lines = wait_for_logged(function, expected, since_ms, message="probe",
                            where=lambda line: line.get("marker") == marker, timeout_s=timeout_s)
    rows, first, previous = [], None, None
    for number, line in enumerate(lines, start=1):
        at = line["started_ms"] / 1000
        first = at if first is None else first
        rows.append({
            "attempt": number,
            "seconds after the first": round(at - first, 1),
            "gap (s)": None if previous is None else round(at - previous, 1),
            "environment": line["environment"],
            "cold start": line["cold_start"],
            "request id": line["request_id"],
        })
        previous = at
    return pd.DataFrame(rows, columns=["attempt", "seconds after the first", "gap (s)", "environment",
                                       "cold start", "request id"]).set_index("attempt")


def queue_arn(queue_url: str) -> str:
    return client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]


def wire_queue(function: str, queue: str, batch_size: int = 10) -> str:
    """A queue (visibility timeout six times the function's, as AWS advises) polled by
    ``function`` through an event source mapping; return the queue URL."""
    timeout = client("lambda").get_function_configuration(FunctionName=function)["Timeout"]
    url = ensure_queue(queue, VisibilityTimeout=str(6 * timeout))
    event_source_mapping(function, queue_arn(url), batch_size=batch_size, maximum_batching_window_s=1)
    return url


def send_and_collect(queue_url: str, function: str, count: int = 5, timeout_s: float = 30.0):
    """Send ``count`` messages in one call, then return the batches ``function`` received
    (a pandas DataFrame: one row per invocation) once all of them have arrived."""
    import pandas as pd

    run = new_run_id()
    bodies = [f"job {n} of run {run}" for n in range(1, count + 1)]
    since = now_ms()
    client("sqs").send_message_batch(
        QueueUrl=queue_url, Entries=[{"Id": str(n), "MessageBody": body} for n, body in enumerate(bodies)]
    )

    def ours(line: dict) -> bool:
        records = (line.get("event") or {}).get("Records") or []
        return any(run in str(r.get("body", "")) for r in records)

    batches: list = []
    for _ in polling(timeout_s, first=0.2, cap=0.5):
        batches = logged(function, since, message="event received", where=ours)
        if sum(len(b["event"]["Records"]) for b in batches) >= count:
            break
    rows = [
        {"invocation": b.request_id, "records in the batch": len(b["event"]["Records"]),
         "bodies": ", ".join(r["body"].split(" of run ")[0] for r in b["event"]["Records"]),
         "eventSource": b["event"]["Records"][0]["eventSource"]}
        for b in batches
    ]
    return pd.DataFrame(rows, columns=["invocation", "records in the batch", "bodies", "eventSource"])


def wait_until_empty(queue_url: str, timeout_s: float = 10.0) -> int:
    """Poll until the queue holds nothing (Lambda deletes a batch once the function succeeds)."""
    depth = -1
    for _ in polling(timeout_s, first=0.2, cap=0.5):
        depth = queue_depth(queue_url)
        if depth == 0:
            break
    return depth


# --- scaling from zero ------------------------------------------------------------------------------


@dataclass
class Ramp:
    """Waves of concurrent invocations and the execution environment that served each one."""

    rows: list[dict]

    @property
    def started_ms(self) -> int:
        return min(r["started_ms"] for r in self.rows)

    @property
    def table(self):
        import pandas as pd

        return pd.DataFrame(self.rows)

    def reports(self, function: str = "", timeout_s: float = 15.0) -> list[dict[str, float]]:
        """The REPORT line of every invocation of the ramp, found in the log by request id."""
        function = function or self.rows[0]["function"]
        wanted = {r["request_id"] for r in self.rows}
        found: dict[str, dict[str, float]] = {}
        for _ in polling(timeout_s, first=0.2, cap=0.5):
            found = {i.request_id: i.report for i in invocations(function, self.started_ms - 10_000)
                     if i.complete and i.request_id in wanted}
            if len(found) == len(wanted):
                break
        return list(found.values())

    @property
    def environments(self) -> int:
        return len({r["environment"] for r in self.rows})

    @property
    def peak(self) -> int:
        """The most invocations that were running at the same moment."""
        return peak_overlap([(r["started_ms"], r["ended_ms"]) for r in self.rows])

    def self_overlaps(self) -> list[str]:
        """Environments that ran two invocations at once (Lambda never does that)."""
        clashes = []
        for env in {r["environment"] for r in self.rows}:
            spans = [(r["started_ms"], r["ended_ms"]) for r in self.rows if r["environment"] == env]
            if peak_overlap(spans) > 1:
                clashes.append(env)
        return clashes

    @property
    def by_wave(self):
        import pandas as pd

        seen: set[str] = set()
        rows = []
        for wave in sorted({r["wave"] for r in self.rows}):
            batch = [r for r in self.rows if r["wave"] == wave]
            envs = {r["environment"] for r in batch}
            seen |= envs
            rows.append({
                "wave": wave,
                "parallel requests": len(batch),
                "environments used": len(envs),
                "cold starts": sum(1 for r in batch if r["cold_start"]),
                "environments so far": len(seen),
                "peak concurrency": peak_overlap([(r["started_ms"], r["ended_ms"]) for r in batch]),
            })
        return pd.DataFrame(rows).set_index("wave")

    def plot(self):
        """Left: each invocation as a bar on the row of the environment that served it (cold
        starts dark). Right: invocations running at each moment, and environments created so far."""
        import matplotlib.pyplot as plt

        start = min(r["started_ms"] for r in self.rows)
        order = list(dict.fromkeys(r["environment"] for r in sorted(self.rows, key=lambda r: r["started_ms"])))
        fig, (left, right) = plt.subplots(1, 2, figsize=(12, 3.6))
        for r in self.rows:
            y = order.index(r["environment"])
            left.barh(y, (r["ended_ms"] - r["started_ms"]) / 1000, left=(r["started_ms"] - start) / 1000,
                      color="#1f4e79" if r["cold_start"] else "#7fb3d5", edgecolor="white")
        left.set_yticks(range(len(order)), [f"env {e}" for e in order])
        left.invert_yaxis()
        left.set_xlabel("seconds since the first invocation")
        left.set_title("who served what (dark = cold start)")
        times, running, created = concurrency_series(self.rows)
        right.step([(t - start) / 1000 for t in times], running, where="post", label="invocations running")
        right.step([(t - start) / 1000 for t in times], created, where="post", label="environments created")
        right.set_xlabel("seconds since the first invocation")
        right.set_title("concurrency rising from zero")
        right.legend(loc="upper left")
        fig.tight_layout()
        return fig


def peak_overlap(spans: list[tuple[int, int]]) -> int:
    """The largest number of ``(start, end)`` spans open at one moment (an end frees its slot
    before a start at the same millisecond takes one)."""
    points = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans], key=lambda p: (p[0], p[1]))
    running = peak = 0
    for _, step in points:
        running += step
        peak = max(peak, running)
    return peak


def concurrency_series(rows: list[dict]) -> tuple[list[int], list[int], list[int]]:
    """For a step plot: at each start or end, the invocations running and the environments seen so far."""
    events = sorted([(r["started_ms"], 1, r["environment"]) for r in rows]
                    + [(r["ended_ms"], -1, r["environment"]) for r in rows], key=lambda e: (e[0], e[1]))
    times, running, created = [], [], []
    now, seen = 0, set()
    for at, step, env in events:
        now += step
        seen.add(env)
        times.append(at)
        running.append(now)
        created.append(len(seen))
    return times, running, created


def ramp(function: str = PROBE, waves: tuple[int, ...] = (1, 2, 4, 8), sleep_ms: int = 500,
         backend: Backend | None = None) -> Ramp:
    """Retire the function's environments (a configuration change), then send each wave of
    ``n`` invocations in parallel, each working ``sleep_ms``; record who served what."""
    force_cold_start(function, backend)
    lam = client("lambda", backend)  # one client, shared by the threads (boto3 clients are thread-safe)
    run = new_run_id()

    def call(args: tuple[int, int]) -> dict:
        wave, n = args
        event = {"marker": f"ramp-{run}-{wave}-{n}", "sleep_ms": sleep_ms}
        answer = lam.invoke(FunctionName=function, Payload=json.dumps(event).encode())
        payload = json.loads(answer["Payload"].read())
        if answer.get("FunctionError"):
            raise LabError(f"{function} failed during the ramp: {payload}")
        return {"wave": wave, "parallel": n, "function": function, **{k: payload[k] for k in
                ("environment", "cold_start", "started_ms", "ended_ms", "request_id")}}

    rows: list[dict] = []
    with ThreadPoolExecutor(max_workers=max(waves)) as pool:
        for wave, size in enumerate(waves, start=1):
            rows += list(pool.map(call, [(wave, size)] * size))
    return Ramp(rows)


def account_concurrency(backend: Backend | None = None) -> dict[str, int]:
    """The account's concurrency quota as ``GetAccountSettings`` reports it."""
    limit = client("lambda", backend).get_account_settings()["AccountLimit"]
    return {k: int(limit[k]) for k in ("ConcurrentExecutions", "UnreservedConcurrentExecutions")}


# --- cost -----------------------------------------------------------------------------------------

# Prices, free tier and tiers are the kit's cost calculator's (reference_app.lab.cost, lesson 07's, which
# cites AWS's pricing page); this lesson keeps its own shapes: one volume's charges, a bill from REPORT lines.
ARCHITECTURES = tuple(pricing.DURATION_TIERS)


def billed_ms(report: dict[str, float]) -> int:
    """Billed time of one invocation: its duration plus, on a cold start, its INIT phase (billed
    for on-demand functions since 1 August 2025), each rounded up to the next 1 ms."""
    return math.ceil(report.get("Duration", 0.0)) + math.ceil(report.get("Init Duration", 0.0))


def cost(requests: int, gb_seconds: float, architecture: str, free_tier: bool = False) -> dict[str, float]:
    """Requests and duration charges (USD) for a volume, optionally after the monthly free tier."""
    if architecture not in ARCHITECTURES:
        raise LabError(f"architecture is 'x86_64' or 'arm64', not {architecture!r}.")
    billable_requests = max(requests - pricing.FREE_REQUESTS, 0) if free_tier else requests
    billable_gbs = max(gb_seconds - pricing.FREE_GB_SECONDS, 0) if free_tier else gb_seconds
    request_cost = billable_requests / 1_000_000 * pricing.REQUEST_PRICE_PER_MILLION
    duration_cost = pricing.duration_cost(billable_gbs, architecture)
    return {"requests": request_cost, "duration": duration_cost, "total": request_cost + duration_cost}


def bill(reports: list[dict[str, float]], memory_mb: int):
    """What the invocations behind ``reports`` (parsed REPORT lines) cost on each architecture
    (a pandas DataFrame indexed by architecture)."""
    import pandas as pd

    ms = sum(billed_ms(r) for r in reports)
    gb_seconds = memory_mb / 1024 * ms / 1000
    rows = []
    for architecture in ARCHITECTURES:
        charges = cost(len(reports), gb_seconds, architecture)
        rows.append({"architecture": architecture, "requests": len(reports), "billed ms": ms,
                     "GB-seconds": gb_seconds, "request charge ($)": charges["requests"],
                     "duration charge ($)": charges["duration"], "total ($)": charges["total"]})
    return pd.DataFrame(rows).set_index("architecture")


def monthly_cost(requests: int, average_billed_ms: float, memory_mb: int):
    """The same profile at ``requests`` a month, before and after the free tier (pandas DataFrame)."""
    import pandas as pd

    gb_seconds = requests * memory_mb / 1024 * average_billed_ms / 1000
    rows = []
    for architecture in ARCHITECTURES:
        gross, net = cost(requests, gb_seconds, architecture), cost(requests, gb_seconds, architecture, True)
        rows.append({"architecture": architecture, "requests / month": requests, "GB-seconds": round(gb_seconds),
                     "total ($)": round(gross["total"], 2), "after the free tier ($)": round(net["total"], 2)})
    return pd.DataFrame(rows).set_index("architecture")


def who_retries(sync: Any, async_status: int, tries: Any, batches: Any):
    """The three invocation models side by side, from what this lesson just observed."""
    import pandas as pd

    rows = [
        {"model": "synchronous", "how it is invoked": "RequestResponse: API Gateway, function URL, SDK call",
         "what the caller got": f"{sync.status_code} with FunctionError={sync.function_error!r}",
         "attempts seen": 1,
         "who retries": "the caller; Lambda never retries a synchronous invocation"},
        {"model": "asynchronous", "how it is invoked": "Event: S3, SNS, EventBridge, SDK with InvocationType=Event",
         "what the caller got": f"{async_status}, before the function ran",
         "attempts seen": len(tries),
         "who retries": "Lambda: two more attempts by default, then a DLQ or on-failure destination"},
        {"model": "event source mapping", "how it is invoked": "Lambda polls: SQS, Kinesis, DynamoDB Streams",
         "what the caller got": "nothing: the producer only wrote to the queue",
         "attempts seen": len(batches),
         "who retries": "the source: an SQS batch reappears after the visibility timeout (until "
                        "maxReceiveCount moves it to a DLQ); a stream batch is retried until it succeeds or "
                        "expires, blocking its shard"},
    ]
    return pd.DataFrame(rows).set_index("model")
