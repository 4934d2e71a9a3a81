"""The three invocation models: synchronous, asynchronous, event source mapping, and who retries."""

from __future__ import annotations

import json
from typing import Any

from ...clients import client
from ...config import Backend
from ...deploy import Deployment
from ...poll import attempts as polling
from ...reference_deploys import deploy_handler, ensure_queue
from ...triggers import event_source_mapping
from ..common import logged, new_run_id, now_ms, queue_depth, wait_for_logged
from .seed import PREFIX

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

    lines = wait_for_logged(
        function,
        expected,
        since_ms,
        message="probe",
        where=lambda line: line.get("marker") == marker,
        timeout_s=timeout_s,
    )
    rows, first, previous = [], None, None
    for number, line in enumerate(lines, start=1):
        at = line["started_ms"] / 1000
        first = at if first is None else first
        rows.append(
            {
                "attempt": number,
                "seconds after the first": round(at - first, 1),
                "gap (s)": None if previous is None else round(at - previous, 1),
                "environment": line["environment"],
                "cold start": line["cold_start"],
                "request id": line["request_id"],
            }
        )
        previous = at
    return pd.DataFrame(
        rows, columns=["attempt", "seconds after the first", "gap (s)", "environment", "cold start", "request id"]
    ).set_index("attempt")


def queue_arn(queue_url: str) -> str:
    return client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


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
        {
            "invocation": b.request_id,
            "records in the batch": len(b["event"]["Records"]),
            "bodies": ", ".join(r["body"].split(" of run ")[0] for r in b["event"]["Records"]),
            "eventSource": b["event"]["Records"][0]["eventSource"],
        }
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


def who_retries(sync: Any, async_status: int, tries: Any, batches: Any):
    """The three invocation models side by side, from what this lesson just observed."""
    import pandas as pd

    rows = [
        {
            "model": "synchronous",
            "how it is invoked": "RequestResponse: API Gateway, function URL, SDK call",
            "what the caller got": f"{sync.status_code} with FunctionError={sync.function_error!r}",
            "attempts seen": 1,
            "who retries": "the caller; Lambda never retries a synchronous invocation",
        },
        {
            "model": "asynchronous",
            "how it is invoked": "Event: S3, SNS, EventBridge, SDK with InvocationType=Event",
            "what the caller got": f"{async_status}, before the function ran",
            "attempts seen": len(tries),
            "who retries": "Lambda: two more attempts by default, then a DLQ or on-failure destination",
        },
        {
            "model": "event source mapping",
            "how it is invoked": "Lambda polls: SQS, Kinesis, DynamoDB Streams",
            "what the caller got": "nothing: the producer only wrote to the queue",
            "attempts seen": len(batches),
            "who retries": "the source: an SQS batch reappears after the visibility timeout (until "
            "maxReceiveCount moves it to a DLQ); a stream batch is retried until it succeeds or "
            "expires, blocking its shard",
        },
    ]
    return pd.DataFrame(rows).set_index("model")
