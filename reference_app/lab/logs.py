"""Reading what happened inside a function from its CloudWatch log group.

Lambda writes one ``START RequestId: …`` line, the function's own output, then
``END`` and ``REPORT`` (duration, billed duration, memory, and ``Init Duration``
on a cold start) for every invocation. :func:`invocations` groups a log group's
events into those blocks, so a notebook can show one invocation, or every
attempt of a retried asynchronous event, from the emulator's own logs.

Logging that reaches these logs on every backend: the AWS Python runtime gives
the root logger a handler, but the embedded emulator does not, so
``logging.getLogger(__name__).info(...)`` is dropped there (Python's last-resort
handler only prints warnings). The kit's handlers log through Powertools'
``Logger``, which writes JSON to stdout with a handler of its own, or print; both
land in CloudWatch everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from .clients import client
from .config import Backend
from .errors import aws_code
from .poll import attempts

_START = re.compile(r"^START RequestId: (\S+)")
_REPORT = re.compile(r"^REPORT RequestId: (\S+)")
_FIELD = re.compile(r"(Init Duration|Billed Duration|Duration|Memory Size|Max Memory Used): ([\d.]+)")


@dataclass
class LoggedInvocation:
    request_id: str
    started_ms: int
    lines: list[str] = field(default_factory=list)
    report: dict[str, float] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return bool(self.report)

    @property
    def cold(self) -> bool:
        return "Init Duration" in self.report

    @property
    def output(self) -> list[str]:
        """The function's own lines, without START/END/REPORT."""
        markers = ("START RequestId", "END RequestId", "REPORT RequestId")
        return [line for line in self.lines if not line.startswith(markers)]


def log_group(function: str) -> str:
    return f"/aws/lambda/{function}"


def invocations(function: str, since_ms: int = 0, backend: Backend | None = None) -> list[LoggedInvocation]:
    """Every invocation logged for ``function`` since ``since_ms``, oldest first."""
    logs = client("logs", backend)
    events: list[dict] = []
    try:
        for page in logs.get_paginator("filter_log_events").paginate(
            logGroupName=log_group(function), startTime=since_ms
        ):
            events += page["events"]
    except ClientError as err:
        if aws_code(err) == "ResourceNotFoundException":
            return []
        raise
    events.sort(key=lambda e: (e["timestamp"], e.get("ingestionTime", 0)))
    by_stream: dict[str, LoggedInvocation] = {}
    found: list[LoggedInvocation] = []
    for event in events:
        message = event["message"].rstrip("\n")
        stream = event.get("logStreamName", "")
        start = _START.match(message)
        if start:
            current = LoggedInvocation(start.group(1), event["timestamp"])
            by_stream[stream] = current
            found.append(current)
        current = by_stream.get(stream)
        if current is None:
            continue
        current.lines.append(message)
        if _REPORT.match(message):
            current.report = {k: float(v) for k, v in _FIELD.findall(message)}
            del by_stream[stream]
    return found


def wait_for_invocations(
    function: str,
    count: int = 1,
    since_ms: int = 0,
    timeout_s: float = 30.0,
    backend: Backend | None = None,
) -> list[LoggedInvocation]:
    """Poll until at least ``count`` complete invocations are logged; return what is there."""
    done: list[LoggedInvocation] = []
    for _ in attempts(timeout_s, first=0.2, cap=0.5):
        done = [i for i in invocations(function, since_ms, backend) if i.complete]
        if len(done) >= count:
            break
    return done


def invocation_log(
    function: str,
    request_id: str | None = None,
    since_ms: int = 0,
    timeout_s: float = 10.0,
    backend: Backend | None = None,
    near_ms: int | None = None,
) -> LoggedInvocation | None:
    """The log block of one invocation.

    By request id where the emulator's ids match the Invoke response (AWS,
    LocalStack). The embedded emulator gives the caller a different id than the
    function sees, so there the block logged since ``since_ms`` whose timestamp is
    nearest ``near_ms`` (when the invoke returned) is taken instead.
    """
    for _ in attempts(timeout_s, first=0.2, cap=0.5):
        done = [i for i in invocations(function, since_ms, backend) if i.complete]
        match = next((i for i in done if i.request_id == request_id), None)
        if match is None and done:
            target = near_ms if near_ms is not None else since_ms
            match = min(done, key=lambda i: abs(i.started_ms - target))
        if match is not None:
            return match
    return None
