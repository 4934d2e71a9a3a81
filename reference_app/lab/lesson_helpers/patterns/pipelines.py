"""Everything 09_patterns runs, deployed in one idempotent call.

Eight functions (all of them the kit's reference handlers), their tables, one SNS topic, four
queues, a Kinesis stream, a DynamoDB stream, four event source mappings, two S3
notifications, a schedule and a state machine. The mappings are created first thing in the
lesson because a new mapping's first poll takes a moment (on the emulator about five seconds
when no other mapping exists; ``lab.fidelity()`` row ``mapping-first-poll``), so no later cell
waits for it.

The zips are built and import-checked in parallel first (each check is a Python process of its
own). The functions are then created four at a time: a new function is Pending for a moment
before it is Active (half a second on the emulator), and most of a deploy is that wait. boto3 clients are
thread-safe, creating them from one session is not, so one client per service is created first:
after that, creating more only reads what the session has loaded.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ... import packaging, resources
from ...clients import client, resource
from ...deploy import Deployment
from ...reference_deploys import deploy_handler, ensure_topic, order_saga_state_machine
from ...triggers import event_source_mapping, eventbridge_rule, s3_notification
from ...triggers.s3 import ensure_bucket
from .infra import PREFIX, Queue, plain_queue, queue_with_dlq, subscribe_queue

#: role -> (reference handler, function name, timeout in seconds)
FUNCTIONS: dict[str, tuple[str, str, int]] = {
    "billing": ("queue_worker", "lab-09-billing", 10),
    "fulfilment": ("fulfilment", "lab-09-fulfilment", 3),
    "saga": ("order_saga", "lab-09-order-saga", 10),
    "projection": ("order_projection", "lab-09-projection", 10),
    "clicks": ("click_counter", "lab-09-click-counter", 10),
    "thumbnails": ("s3_processor", "lab-09-thumbnails", 30),
    "etl": ("csv_import", "lab-09-csv-import", 30),
    "report": ("scheduled_report", "lab-09-report", 30),
}
TOPIC = "lab-09-orders"
# Billing: visibility six times the function's timeout and five receives before the DLQ, as AWS
# recommends. Fulfilment: one receive and a 3 s visibility, so that the lesson sees a message
# parked in seconds rather than minutes (not what to do in production: one slow invocation, and a
# good message is parked too).
BILLING_QUEUE = ("lab-09-billing", 60, 5)
FULFILMENT_QUEUE = ("lab-09-fulfilment", 3, 1)
TAP_QUEUE = "lab-09-tap"
PROJECTION_FAILURES = "lab-09-projection-failures"
EVENT_STORE = "lab-09-order-events"
CLICK_STREAM = "lab-09-clicks"
IMAGES_BUCKET = "lab-09-images"
ETL_BUCKET = "lab-09-etl"
MACHINE = "lab-09-order-saga"
REPORT_RULE = "lab-09-nightly-report"


@dataclass
class Pipelines:
    """What :func:`deploy` made: names and ARNs for the cells that drive each pattern."""

    functions: dict[str, Deployment]
    topic_arn: str
    billing: Queue
    fulfilment: Queue
    tap_url: str
    machine_arn: str
    click_stream_arn: str
    tables: dict[str, str]
    buckets: dict[str, str]
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def name(self, role: str) -> str:
        return self.functions[role].name

    def frame(self):
        import pandas as pd

        return pd.DataFrame(self.rows, columns=["pattern", "what", "name", "how"]).set_index("pattern")

    def _repr_html_(self) -> str:
        actions = sorted({d.action for d in self.functions.values()})
        return (
            f"<p><b>{len(self.functions)} functions ({', '.join(actions)}), deployed and wired in "
            f"{self.seconds:.1f} s</b></p>" + self.frame().to_html()
        )

    def __repr__(self) -> str:
        return self.frame().to_string()


def prebuild(modules: list[str], workers: int = 4) -> None:
    """Build and import-check the handlers' zips in parallel (cached by content: a re-run is instant)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda m: packaging.build_checked(f"reference_app.handlers.{m}"), sorted(set(modules))))


def _warm_session() -> None:
    """Load everything the session loads lazily, before any thread creates a client from it."""
    for service in ("lambda", "iam", "dynamodb", "s3", "sns", "sqs", "sts"):
        client(service)
    resource("dynamodb")


def _deploy_functions(workers: int = 4) -> dict[str, Deployment]:
    prebuild([module for module, _, _ in FUNCTIONS.values()])
    _warm_session()

    def one(role: str) -> Deployment:
        module, name, timeout = FUNCTIONS[role]
        return deploy_handler(
            module, name, prefix=PREFIX, timeout=timeout, description=f"lambda-lab 09_patterns: {role}"
        )

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(FUNCTIONS, pool.map(one, FUNCTIONS), strict=True))


def _kinesis_stream(name: str) -> str:
    kinesis = client("kinesis")
    if name not in kinesis.list_streams().get("StreamNames", []):
        kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def deploy() -> Pipelines:
    """Deploy and wire every pipeline of the lesson; running it again changes nothing."""
    started = time.perf_counter()
    fns = _deploy_functions()
    env: dict[str, dict[str, Any]] = {role: d.configuration["Environment"]["Variables"] for role, d in fns.items()}
    ddb = client("dynamodb")
    tables = {
        "orders": env["billing"]["ORDERS_TABLE"],
        "shipments": env["fulfilment"]["SHIPMENTS_TABLE"],
        "saga": env["saga"]["SAGA_TABLE"],
        "events": resources.ensure_table(ddb, "order_events", EVENT_STORE),
        "views": env["projection"]["VIEWS_TABLE"],
        "page_views": env["clicks"]["COUNTS_TABLE"],
        "results": env["thumbnails"]["RESULTS_TABLE"],
        "users": env["etl"]["USERS_TABLE"],
    }
    buckets = {
        "images": ensure_bucket(IMAGES_BUCKET),
        "etl": ensure_bucket(ETL_BUCKET),
        "reports": env["report"]["REPORT_BUCKET"],
    }

    # Fan-out: one topic, a queue (and a DLQ) per consumer, and a tap queue nobody consumes.
    topic = ensure_topic(TOPIC)
    billing = queue_with_dlq(BILLING_QUEUE[0], visibility_s=BILLING_QUEUE[1], max_receives=BILLING_QUEUE[2])
    fulfilment = queue_with_dlq(FULFILMENT_QUEUE[0], visibility_s=FULFILMENT_QUEUE[1], max_receives=FULFILMENT_QUEUE[2])
    tap_url, tap_arn = plain_queue(TAP_QUEUE, MessageRetentionPeriod="600")
    subscribe_queue(topic, billing.url, billing.arn, raw=True)
    subscribe_queue(topic, fulfilment.url, fulfilment.arn, raw=False)
    subscribe_queue(topic, tap_url, tap_arn, raw=False)
    event_source_mapping(fns["billing"].name, billing.arn, batch_size=10)
    event_source_mapping(fns["fulfilment"].name, fulfilment.arn, batch_size=10)

    # Event sourcing and CQRS: the event store's stream feeds the projection, from the start of
    # the stream; a record that keeps failing goes to a queue instead of holding up its shard.
    _, failures_arn = plain_queue(PROJECTION_FAILURES)
    events_arn = ddb.describe_table(TableName=EVENT_STORE)["Table"]["TableArn"]
    event_source_mapping(
        fns["projection"].name,
        events_arn,
        batch_size=100,
        starting_position="TRIM_HORIZON",
        MaximumRetryAttempts=10,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}},
    )

    # Real-time analytics: a Kinesis clickstream into per-minute counts.
    stream_arn = _kinesis_stream(CLICK_STREAM)
    event_source_mapping(
        fns["clicks"].name,
        stream_arn,
        batch_size=100,
        starting_position="TRIM_HORIZON",
        report_batch_item_failures=False,
    )

    # Saga, image processing, ETL and its nightly report.
    machine = order_saga_state_machine(fns["saga"].arn, name=MACHINE)
    s3_notification(IMAGES_BUCKET, fns["thumbnails"].arn, prefix="uploads/")
    s3_notification(ETL_BUCKET, fns["etl"].arn, prefix="imports/", suffix=".csv")
    eventbridge_rule(REPORT_RULE, fns["report"].arn, schedule="cron(0 2 * * ? *)")

    def fn(role: str) -> str:
        return f"{fns[role].name} ({FUNCTIONS[role][0]}, {fns[role].action})"

    rows = [
        ("fan-out", "SNS topic", TOPIC, "three queue subscriptions"),
        (
            "fan-out",
            "SQS -> Lambda",
            f"{billing.name} -> {fn('billing')}",
            f"raw delivery; DLQ after {billing.max_receives} receives",
        ),
        (
            "fan-out",
            "SQS -> Lambda",
            f"{fulfilment.name} -> {fn('fulfilment')}",
            f"SNS envelope; DLQ after {fulfilment.max_receives} receive",
        ),
        ("fan-out", "SQS (no consumer)", TAP_QUEUE, "a tap: shows what a subscription receives"),
        ("saga", "Step Functions", MACHINE, f"every Task runs {fn('saga')}"),
        (
            "event sourcing, CQRS",
            "DynamoDB stream -> Lambda",
            f"{EVENT_STORE} -> {fn('projection')}",
            f"TRIM_HORIZON; read model {tables['views']}; failures to {PROJECTION_FAILURES}",
        ),
        (
            "real-time analytics",
            "Kinesis -> Lambda",
            f"{CLICK_STREAM} -> {fn('clicks')}",
            f"TRIM_HORIZON; counts in {tables['page_views']}",
        ),
        ("image processing", "S3 -> Lambda", f"{IMAGES_BUCKET}/uploads/ -> {fn('thumbnails')}", "thumbnails/"),
        ("ETL", "S3 -> Lambda", f"{ETL_BUCKET}/imports/*.csv -> {fn('etl')}", f"users into {tables['users']}"),
        ("ETL", "EventBridge schedule", f"{REPORT_RULE} -> {fn('report')}", "cron(0 2 * * ? *)"),
    ]
    return Pipelines(
        fns,
        topic,
        billing,
        fulfilment,
        tap_url,
        machine,
        stream_arn,
        tables,
        buckets,
        rows,
        time.perf_counter() - started,
    )
