"""Lesson 05's helpers: queues to read failures from, attempts counted from the logs, the seed's
handler as the seed wrote it, and AWS's stream bisection replayed against a deployed function.

Names start with ``lab-05-``; everything is idempotent, so the notebook runs twice in a row.
"""

from __future__ import annotations

import base64
import json
import os
import textwrap
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..charts import altair, readable
from ..clients import client
from ..config import lab_home, writing
from ..deploy import Deployment, deploy_function, invoke, wait_ready
from ..events import load_event
from ..iac import template_path
from ..logs import LoggedInvocation
from ..poll import attempts
from ..reference_deploys import deploy_handler
from .parallel import deploy_all

PREFIX = "lab-05-"
# Lambda's documented spacing of the retries of a failed asynchronous event: about 1 minute, then 2.
AWS_RETRY_DELAYS_S = (60, 120)


# --- queues -----------------------------------------------------------------------------------------------------
def sdk_retry_defaults() -> dict[str, Any]:
    """What the installed botocore does when nothing configures retries: its built-in retry mode, the
    attempts that mode makes, and its read and connect timeouts; beside them, what this environment's
    ``AWS_RETRY_MODE`` says and what the kit's own Lambda client resolved.

    Read from botocore itself (its session defaults, its retry data, ``Config``'s option defaults), so
    the lesson never states a default that a botocore release has changed. Nothing here reads a profile
    or sends a request.
    """
    import botocore
    from botocore.config import Config
    from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES as DEFAULTS
    from botocore.loaders import Loader
    from botocore.retries import standard

    mode = DEFAULTS["retry_mode"][2]
    attempts = {
        "legacy": Loader().load_data("_retry")["retry"]["__default__"]["max_attempts"],
        "standard": standard.DEFAULT_MAX_ATTEMPTS,
        "adaptive": standard.DEFAULT_MAX_ATTEMPTS,
    }
    kit = client("lambda").meta.config
    return {
        "botocore": botocore.__version__,
        "default retry mode": mode,
        "attempts in that mode": attempts[mode],
        "read timeout (s)": Config.OPTION_DEFAULTS["read_timeout"],
        "connect timeout (s)": Config.OPTION_DEFAULTS["connect_timeout"],
        "AWS_RETRY_MODE in this environment": os.environ.get("AWS_RETRY_MODE", "(not set)"),
        "the kit's Lambda client": f"retries {kit.retries}, read timeout {kit.read_timeout} s",
    }


def queue(name: str, **attributes: str) -> tuple[str, str]:
    """(URL, ARN) of SQS queue ``name``, created if missing, its attributes set, and emptied."""
    sqs = client("sqs")
    try:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        if attributes:
            sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    except sqs.exceptions.QueueDoesNotExist:
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    sqs.purge_queue(QueueUrl=url)
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def wait_for_messages(url: str, count: int = 1, deadline_s: float = 10.0) -> list[dict]:
    """Receive (and delete) messages until ``count`` arrived or the deadline passed; bodies parsed when JSON."""
    sqs = client("sqs")
    found: list[dict] = []
    for _ in attempts(deadline_s, first=0.2, cap=0.5):
        answer = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], AttributeNames=["All"]
        )
        for message in answer.get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            try:
                message["Body"] = json.loads(message["Body"])
            except ValueError:
                pass
            found.append(message)
        if len(found) >= count:
            break
    return found


def depth(url: str) -> dict[str, int]:
    """Messages waiting, and in flight (received, not yet deleted)."""
    got = client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return {
        "waiting": int(got["ApproximateNumberOfMessages"]),
        "in flight": int(got["ApproximateNumberOfMessagesNotVisible"]),
    }


def messages_left(url: str) -> int:
    """Messages still on the queue, waiting or in flight."""
    return sum(depth(url).values())


# --- asynchronous invocation --------------------------------------------------------------------------------------
def configure_async(
    function: str, retries: int, on_failure: str | None = None, dlq: str | None = None, max_age_s: int = 21600
) -> dict:
    """The function's asynchronous settings: retries, event age, on-failure destination, and its DLQ."""
    lam = client("lambda")
    if dlq is not None:
        current = lam.get_function_configuration(FunctionName=function).get("DeadLetterConfig", {})
        if current.get("TargetArn") != dlq:
            lam.update_function_configuration(FunctionName=function, DeadLetterConfig={"TargetArn": dlq})
            wait_ready(function)
    destinations = {"OnFailure": {"Destination": on_failure}} if on_failure else {}
    answer = lam.put_function_event_invoke_config(
        FunctionName=function,
        MaximumRetryAttempts=retries,
        MaximumEventAgeInSeconds=max_age_s,
        DestinationConfig=destinations,
    )
    return {
        k: v
        for k, v in answer.items()
        if k in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig")
    }


def invoke_async(function: str, event: Any) -> tuple[str, int]:
    """Invoke with ``InvocationType=Event``: (the request id Lambda answered 202 with, the time in ms)."""
    since = int(time.time() * 1000)
    answer = client("lambda").invoke(FunctionName=function, InvocationType="Event", Payload=json.dumps(event))
    assert answer["StatusCode"] == 202, answer
    return answer["ResponseMetadata"]["RequestId"], since


def attempts_table(runs: list[LoggedInvocation], since_ms: int):
    """One row per attempt: its request id, when it started after the invoke, the gap to the one before."""
    import pandas as pd

    rows, previous = [], None
    for n, run in enumerate(runs, 1):
        error = next((line.split("\n")[0] for line in run.lines if line.startswith("[ERROR]")), "")
        rows.append(
            {
                "attempt": n,
                "request id": run.request_id,
                "started (s after the invoke)": round((run.started_ms - since_ms) / 1000, 2),
                "gap (s)": None if previous is None else round((run.started_ms - previous) / 1000, 2),
                "error": error[:70],
            }
        )
        previous = run.started_ms
    return pd.DataFrame(rows).set_index("attempt")


def plot_retry_timeline(runs: list[LoggedInvocation], since_ms: int):
    """The attempts of one event on the emulator next to AWS's documented spacing (1 minute, then 2), as an
    Altair chart: one row each, a tick per attempt, named with its time."""
    alt = altair()
    emulator = [(r.started_ms - since_ms) / 1000 for r in runs]
    aws = [0.0, AWS_RETRY_DELAYS_S[0], sum(AWS_RETRY_DELAYS_S)][: len(runs)]
    rows = []
    for label, times in (("AWS (documented)", aws), ("this emulator", emulator)):
        attempts = [{"attempt": n, "at": t, "label": f"attempt {n}\n{t:.1f} s"} for n, t in enumerate(times, 1)]
        base = alt.Chart(alt.Data(values=attempts), width=640, height=70).encode(
            x=alt.X(
                "at:Q",
                title="seconds after the event was accepted (202)",
                scale=alt.Scale(domain=[-0.05 * max(times[-1], 1), max(times[-1], 1) * 1.15], nice=False),
            ),
            tooltip=["attempt:Q", alt.Tooltip("at:Q", title="seconds")],
        )
        ticks = base.mark_tick(color="#d62728", thickness=3, size=40)
        names = base.mark_text(align="left", dx=6, dy=-8, baseline="middle", lineBreak="\n").encode(text="label:N")
        rows.append((ticks + names).properties(title=alt.TitleParams(label, anchor="start")))
    return readable(
        alt.vconcat(*rows, title="One failing asynchronous event, three attempts").resolve_scale(x="independent")
    )


# --- the seed's handler, as the seed wrote it ----------------------------------------------------------------------
def seed_handler_source() -> str:
    """The Python inside the seed template's ``ZipFile``, byte for byte (reference_app/iac/seed/)."""

    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    text = template_path("seed/lambda-function.yaml").read_text(encoding="utf-8")
    # The seed repeats its top-level Parameters key; PyYAML keeps the last, which is fine for Resources.
    doc = yaml.load(text, Loader=_Loader)  # a SafeLoader that ignores !Ref and friends
    return doc["Resources"]["LambdaFunction"]["Properties"]["Code"]["ZipFile"]


def write_module(name: str, source: str) -> Path:
    """A handler module under the kit's home (``lessons/05/<name>.py``) for the lesson to deploy."""
    folder = lab_home() / "lessons" / "05"
    with writing(folder):
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.py"
        text = textwrap.dedent(source)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return path


def seed_handler_module() -> Path:
    """The seed's users handler as a module the kit can deploy (``seed_users.py``)."""
    return write_module("seed_users", seed_handler_source() + "\nREQUIREMENTS = ()\n")


# --- SQS batches --------------------------------------------------------------------------------------------------
def order(order_id: str, amount_cents: int = 1200) -> str:
    return json.dumps({"order_id": order_id, "customer_id": "c-1", "amount_cents": amount_cents, "currency": "EUR"})


def send_batch(url: str, bodies: list[str]) -> list[str]:
    """Send the bodies in one SendMessageBatch; their message ids, in order."""
    entries = [{"Id": str(n), "MessageBody": body} for n, body in enumerate(bodies)]
    answer = client("sqs").send_message_batch(QueueUrl=url, Entries=entries)
    by_id = {entry["Id"]: entry["MessageId"] for entry in answer["Successful"]}
    return [by_id[str(n)] for n in range(len(bodies))]


def sqs_event(bodies: list[str]) -> dict:
    """An SQS event as the mapping delivers it, one record per body (for a direct invoke)."""
    template = load_event("sqs_batch_one_bad")["Records"][0]
    return {
        "Records": [
            {**template, "messageId": f"m-{n}-{uuid.uuid4().hex[:6]}", "body": body} for n, body in enumerate(bodies)
        ]
    }


def orders(table: str, order_ids: list[str]) -> dict[str, int]:
    """charge_count of each order in the orders table (0 when it is not there)."""
    dynamodb = client("dynamodb")
    found = {}
    for order_id in order_ids:
        item = dynamodb.get_item(TableName=table, Key={"order_id": {"S": order_id}}).get("Item")
        found[order_id] = int(item["charge_count"]["N"]) if item else 0
    return found


# --- streams: BisectBatchOnFunctionError, replayed -------------------------------------------------------------------
STREAM_ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/lab-05-settlements"
SHARD = "shardId-000000000000"


def settlement_records(count: int, poison_at: int) -> list[dict]:
    """``count`` Kinesis records in the event's shape; the one at ``poison_at`` is not a settlement."""
    records = []
    base = 49650000000000000000000000000000000000000000000000000000
    for n in range(count):
        data = b"\x00not json" if n == poison_at else json.dumps({"payment_id": f"p-{n}"}).encode()
        sequence = str(base + n)
        records.append(
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": f"p-{n}",
                    "sequenceNumber": sequence,
                    "data": base64.b64encode(data).decode(),
                    "approximateArrivalTimestamp": 1764300000.0 + n,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"{SHARD}:{sequence}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": "arn:aws:iam::000000000000:role/lambda-lab",
                "awsRegion": "us-east-1",
                "eventSourceARN": STREAM_ARN,
            }
        )
    return records


@dataclass
class BisectRun:
    calls: list[dict] = field(default_factory=list)  # one per invocation: batch, outcome, request id
    parked: list[dict] = field(default_factory=list)  # the on-failure records sent

    def table(self):
        import pandas as pd

        return pd.DataFrame(self.calls).set_index("call")


def _failure_record(function_arn: str, request_id: str, batch: list[dict], invokes: int) -> dict:
    """The on-failure destination's record for a Kinesis batch (kinesis-on-failure-destination.html):
    the batch's position in the shard, not its records."""
    iso = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    arrival = [
        time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(r["kinesis"]["approximateArrivalTimestamp"]))
        for r in (batch[0], batch[-1])
    ]
    return {
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": invokes,
        },
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "version": "1.0",
        "timestamp": iso,
        "KinesisBatchInfo": {
            "shardId": SHARD,
            "startSequenceNumber": batch[0]["kinesis"]["sequenceNumber"],
            "endSequenceNumber": batch[-1]["kinesis"]["sequenceNumber"],
            "approximateArrivalOfFirstRecord": arrival[0],
            "approximateArrivalOfLastRecord": arrival[1],
            "batchSize": len(batch),
            "streamArn": STREAM_ARN,
        },
    }


def bisect_batch(function: str, records: list[dict], retries: int, destination_url: str) -> BisectRun:
    """Play Lambda's stream poller with ``BisectBatchOnFunctionError``: invoke the deployed function with
    the batch; on an error split it in two and process each half; a single record that still fails
    after ``retries`` retries is given up, and its batch's description goes to the destination.

    The emulator's own poller ignores BisectBatchOnFunctionError (``stream-error-handling`` in
    ``lab.fidelity("event sources")``), so this replays the documented behaviour with synchronous
    invokes of the real function; AWS's exact order and retry accounting may differ.
    """
    run = BisectRun()
    sqs = client("sqs")

    def attempt(batch: list[dict], tries: int) -> None:
        answer = invoke(function, {"Records": batch})
        short = [r["kinesis"]["sequenceNumber"][-3:] for r in batch]
        run.calls.append(
            {
                "call": len(run.calls) + 1,
                "batch (sequence numbers, last 3 digits)": " ".join(short),
                "size": len(batch),
                "outcome": "ok" if answer.ok else answer.payload.get("errorType"),
                "request id": answer.request_id,
            }
        )
        if answer.ok:
            return
        if len(batch) > 1:
            half = len(batch) // 2
            attempt(batch[:half], 1)
            attempt(batch[half:], 1)
        elif tries <= retries:
            attempt(batch, tries + 1)
        else:
            function_arn = client("lambda").get_function_configuration(FunctionName=function)["FunctionArn"]
            record = _failure_record(function_arn, answer.request_id, batch, tries)
            sqs.send_message(QueueUrl=destination_url, MessageBody=json.dumps(record))
            run.parked.append(record)

    attempt(records, 1)
    return run


def show(handler: str, function: str):
    """The source of one function of a reference handler, highlighted."""
    import importlib
    import inspect

    from IPython.display import Code

    module = importlib.import_module(f"reference_app.handlers.{handler}")
    return Code(inspect.getsource(getattr(module, function)), language="python")


def record_table(record: dict):
    """An invocation record, flattened to one row per field (``requestContext.condition`` ...)."""
    import pandas as pd

    rows = []
    for key, value in record.items():
        if isinstance(value, dict) and key != "requestPayload":
            rows += [{"field": f"{key}.{k}", "value": json.dumps(v)[:100]} for k, v in value.items()]
        else:
            rows.append({"field": key, "value": json.dumps(value)[:100]})
    return pd.DataFrame(rows).set_index("field")


def wait_until(predicate, timeout_s: float = 20.0) -> bool:
    """Poll ``predicate()`` briskly until it is true or ``timeout_s`` passed; its last answer."""
    for _ in attempts(timeout_s, first=0.2, cap=0.5):
        if predicate():
            return True
    return bool(predicate())


def deploy_lesson_functions() -> dict[str, Deployment]:
    """Deploy every function the lesson uses, several at a time (see :mod:`.parallel`), with the
    settings its cells pass (a cell deploys its function again, unchanged, where it is used)."""
    payments = "reference_app.handlers.payments"
    return deploy_all(
        {
            "payments": lambda: deploy_function("lab-05-payments", payments, timeout=1),
            "settle": lambda: deploy_function("lab-05-settle", payments, function="settle_batch"),
            "seed": lambda: deploy_function(
                "lab-05-seed-users", seed_handler_module(), environment={"TABLE_NAME": "nope"}
            ),
            "queue_worker": lambda: _warm(deploy_handler("queue_worker", "lab-05-orders-worker", timeout=2)),
        }
    )


def _warm(deployment: Deployment) -> Deployment:
    """Invoke a batch consumer once with an empty batch, so its cold start (Powertools and pydantic
    to import, lesson 07) happens while the other functions deploy."""
    invoke(deployment.name, {"Records": []})
    return deployment
