"""Reading what happened inside a function from its CloudWatch log group.

Lambda writes one ``START RequestId: …`` line, the function's own output, then
``END`` and ``REPORT`` (duration, billed duration, memory, and ``Init Duration``
on a cold start) for every invocation, in the log stream of the execution
environment that served it; with ``LoggingConfig`` ``LogFormat=JSON`` the same
records are ``platform.start`` and ``platform.report`` JSON lines. :func:`invocations`
groups a log group's events into those blocks, so a notebook can show one
invocation, or every attempt of a retried asynchronous event, from the emulator's
own logs.

How it reads, so that a chatty function cannot hide an invocation: it searches the
group for the invocation's start records only (by request id, or every start since
a time), then reads each stream that holds one with ``GetLogEvents``, page by page.
(``FilterLogEvents`` over the whole group stops at 10,000 events on the embedded
emulator, without a continuation token.)

Logging reaches these logs as AWS documents it: ``print`` lines, and
``logging`` through the handler AWS's Python runtime puts on the root logger
(the embedded emulator does the same, see :mod:`reference_app.lab.emulator_patch`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from . import emulator_patch
from .clients import client
from .config import Backend, resolve_backend
from .errors import aws_code
from .net import emulator_name, health
from .poll import attempts

_START = re.compile(r"^START RequestId: (\S+)")
_END = re.compile(r"^END RequestId: (\S+)")
_REPORT = re.compile(r"^REPORT RequestId: (\S+)")
_FIELD = re.compile(r"(Init Duration|Billed Duration|Duration|Memory Size|Max Memory Used): ([\d.]+)")
# platform.report metrics (JSON log format), by the names of the text REPORT line's fields
_METRICS = {
    "durationMs": "Duration",
    "billedDurationMs": "Billed Duration",
    "memorySizeMB": "Memory Size",
    "maxMemoryUsedMB": "Max Memory Used",
    "initDurationMs": "Init Duration",
}
# What a start record contains, for FilterLogEvents: the text START line, or the JSON platform.start.
START_PATTERNS = ('"START RequestId"', '"platform.start"')


@dataclass
class LoggedInvocation:
    request_id: str
    started_ms: int
    lines: list[str] = field(default_factory=list)
    report: dict[str, float] = field(default_factory=dict)
    stream: str = ""

    @property
    def complete(self) -> bool:
        return bool(self.report)

    @property
    def cold(self) -> bool:
        return "Init Duration" in self.report

    @property
    def output(self) -> list[str]:
        """The function's own lines, without Lambda's START/END/REPORT (text or JSON)."""
        return [line for line in self.lines if platform_record(line) is None]


def log_group(function: str) -> str:
    return f"/aws/lambda/{function}"


def platform_record(message: str) -> tuple[str, str, dict[str, float]] | None:
    """``(kind, request id, report fields)`` of one of Lambda's own records, None for the function's output.

    ``kind`` is ``start``, ``end`` or ``report``, from the text lines or their JSON forms.
    """
    for kind, pattern in (("start", _START), ("end", _END), ("report", _REPORT)):
        found = pattern.match(message)
        if found:
            fields = {k: float(v) for k, v in _FIELD.findall(message)} if kind == "report" else {}
            return kind, found.group(1), fields
    if not message.startswith('{"time"'):
        return None
    try:
        doc = json.loads(message)
    except ValueError:
        return None
    if not isinstance(doc, dict):
        return None
    json_kind = {"platform.start": "start", "platform.report": "report"}.get(str(doc.get("type")))
    record = doc.get("record") if json_kind else None
    if json_kind is None or not isinstance(record, dict):
        return None
    metrics = record.get("metrics") or {}
    fields = {_METRICS[k]: float(v) for k, v in metrics.items() if k in _METRICS}
    return json_kind, str(record.get("requestId", "")), fields


def group_blocks(events: list[dict]) -> list[LoggedInvocation]:
    """Events (each with ``timestamp``, ``message`` and ``logStreamName``) grouped into invocation blocks."""
    by_stream: dict[str, LoggedInvocation] = {}
    found: list[LoggedInvocation] = []
    for event in sorted(events, key=lambda e: (e["timestamp"], e.get("ingestionTime", 0))):
        message = event["message"].rstrip("\n")
        stream = event.get("logStreamName", "")
        record = platform_record(message)
        if record and record[0] == "start":
            started = LoggedInvocation(record[1], event["timestamp"], stream=stream)
            by_stream[stream] = started
            found.append(started)
        current = by_stream.get(stream)
        if current is None:
            continue
        current.lines.append(message)
        if record and record[0] == "report" and record[1] == current.request_id:
            current.report = record[2]
            del by_stream[stream]
    return found


def _filter(logs, group: str, since_ms: int, pattern: str) -> list[dict]:
    """Every event of ``group`` since ``since_ms`` that matches ``pattern``, across pages."""
    events: list[dict] = []
    for page in logs.get_paginator("filter_log_events").paginate(
        logGroupName=group, startTime=since_ms, filterPattern=pattern
    ):
        events += page["events"]
    return events


def read_stream(logs, group: str, stream: str, start_ms: int, end_ms: int | None = None) -> list[dict]:
    """A stream's events from ``start_ms`` (to ``end_ms``, exclusive), page by page with GetLogEvents."""
    events: list[dict] = []
    kwargs = {"logGroupName": group, "logStreamName": stream, "startTime": start_ms, "startFromHead": True}
    if end_ms is not None:
        kwargs["endTime"] = end_ms
    token = None
    while True:
        page = logs.get_log_events(**kwargs, **({"nextToken": token} if token else {}))
        events += [{**e, "logStreamName": stream} for e in page["events"]]
        if not page["events"] or page.get("nextForwardToken") in (None, token):
            return events
        token = page["nextForwardToken"]


def invocations(function: str, since_ms: int = 0, backend: Backend | None = None) -> list[LoggedInvocation]:
    """Every invocation logged for ``function`` that started since ``since_ms``, oldest first."""
    logs = client("logs", backend)
    group = log_group(function)
    try:
        starts = [e for pattern in START_PATTERNS for e in _filter(logs, group, since_ms, pattern)]
        first_start: dict[str, int] = {}
        for event in starts:
            if platform_record(event["message"].rstrip("\n")):
                stream = event["logStreamName"]
                first_start[stream] = min(first_start.get(stream, event["timestamp"]), event["timestamp"])
        events = [e for stream, start in first_start.items() for e in read_stream(logs, group, stream, start)]
    except ClientError as err:
        if aws_code(err) == "ResourceNotFoundException":
            return []
        raise
    return [block for block in group_blocks(events) if block.started_ms >= since_ms]


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


def _by_request_id(logs, group: str, request_id: str, since_ms: int) -> LoggedInvocation | None:
    """The complete block of ``request_id``: its start and report found by id, then its stream read between them."""
    start = report = None
    for event in _filter(logs, group, since_ms, f'"{request_id}"'):
        record = platform_record(event["message"].rstrip("\n"))
        if record and record[1] == request_id:
            if record[0] == "start" and start is None:
                start = event
            elif record[0] == "report":
                report = event
    if start is None or report is None:
        return None
    events = read_stream(logs, group, start["logStreamName"], start["timestamp"], report["timestamp"] + 1)
    return next((b for b in group_blocks(events) if b.request_id == request_id and b.complete), None)


def _ids_differ(backend: Backend) -> bool:
    """True for a ministack that runs functions its own way: its Invoke responses carry another request id."""
    doc = health(backend.endpoint)
    return doc is not None and emulator_name(doc) == "ministack" and not emulator_patch.active(doc)


def invocation_log(
    function: str,
    request_id: str | None = None,
    since_ms: int = 0,
    timeout_s: float = 10.0,
    backend: Backend | None = None,
    near_ms: int | None = None,
) -> LoggedInvocation | None:
    """The log block of one invocation, found by its request id.

    A raw ministack (``LAMBDA_LAB_RAW_EMULATOR=1``, or one the kit did not start)
    gives the caller a different request id than the function sees; there the block
    logged since ``since_ms`` whose start is nearest ``near_ms`` (when the invoke
    returned) is taken instead.
    """
    backend = backend or resolve_backend()
    logs = client("logs", backend)
    group = log_group(function)
    by_time = _ids_differ(backend)
    for _ in attempts(timeout_s, first=0.1, cap=0.5):
        try:
            if by_time:
                done = [i for i in invocations(function, since_ms, backend) if i.complete]
                if done:
                    target = near_ms if near_ms is not None else since_ms
                    return min(done, key=lambda i: abs(i.started_ms - target))
            elif request_id:
                found = _by_request_id(logs, group, request_id, since_ms)
                if found is not None:
                    return found
        except ClientError as err:
            if aws_code(err) != "ResourceNotFoundException":
                raise
    return None
