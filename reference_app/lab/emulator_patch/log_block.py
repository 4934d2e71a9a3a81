"""The log block Lambda writes for one invocation, built from a worker's answer and written to CloudWatch.

START, the function's events, END and REPORT (``Init Duration`` on a cold start, the
worker's peak memory), or their JSON forms (``platform.start``, ``platform.report``)
with ``LoggingConfig`` ``LogFormat=JSON``, its ``ApplicationLogLevel`` and
``SystemLogLevel`` applied; written to the worker's own log stream, as Lambda writes
one stream per execution environment.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import log_store
from .bootstrap import END_OF_OUTPUT, FRAME, NEWLINE_ESCAPE

_LEVELS = {"TRACE": 5, "DEBUG": 10, "INFO": 20, "WARN": 30, "WARNING": 30, "ERROR": 40, "FATAL": 50, "CRITICAL": 50}


@dataclass
class LogBlock:
    group: str
    stream: str
    events: list[tuple[int, str]] = field(default_factory=list)  # (timestamp ms, message)

    def text(self) -> str:
        return "".join(message if message.endswith("\n") else message + "\n" for _, message in self.events)


def parse_output(raw: str) -> list[tuple[int, str]]:
    """The worker's framed lines as (timestamp, message) log events."""
    events = []
    for line in raw.split("\n"):
        if not line.startswith(FRAME) or line == END_OF_OUTPUT:
            continue
        stamp, _, text = line[1:].partition(FRAME)
        try:
            timestamp = int(stamp)
        except ValueError:
            timestamp = int(time.time() * 1000)
        events.append((timestamp, text.replace(NEWLINE_ESCAPE, "\n")))
    return events


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _level_of(message: str) -> int:
    """An application event's level, as Lambda reads it: the JSON ``level`` field, else INFO."""
    try:
        value = json.loads(message)
    except ValueError:
        return _LEVELS["INFO"]
    level = value.get("level") if isinstance(value, dict) else None
    return _LEVELS.get(str(level).upper(), _LEVELS["INFO"])


def build_log_block(
    config: dict,
    request_id: str,
    stream: str,
    output: list[tuple[int, str]],
    lab: dict,
    status: str = "success",
    error_type: str | None = None,
) -> LogBlock:
    """The events Lambda writes for one invocation, in the function's log format and levels."""
    logging_config = config.get("LoggingConfig") or {}
    json_format = str(logging_config.get("LogFormat", "Text")).upper() == "JSON"
    group = logging_config.get("LogGroup") or f"/aws/lambda/{config.get('FunctionName', 'unknown')}"
    version = config.get("Version", "$LATEST")
    memory = int(config.get("MemorySize", 128))
    now = int(time.time() * 1000)
    duration = float(lab.get("duration_ms") or 0.0)
    if status == "timeout":
        duration = float(config.get("Timeout", 3)) * 1000
    started = int(lab.get("started_ms") or now - duration)
    init = lab.get("init_ms")
    peak = memory if lab.get("oom") else min(memory, int(lab.get("peak_mb") or 0))
    billed = math.ceil(duration + (init or 0))
    ended = max([started + math.ceil(duration), *(t for t, _ in output)])
    before = [(t, m) for t, m in output if t < started]
    during = [(t, m) for t, m in output if t >= started]
    if status == "timeout" and not json_format:
        during.append((ended, f"{_iso(ended)} {request_id} Task timed out after {duration / 1000:.2f} seconds"))

    if json_format:
        threshold = _LEVELS.get(str(logging_config.get("ApplicationLogLevel") or "INFO").upper(), _LEVELS["INFO"])
        before = [(t, m) for t, m in before if _level_of(m) >= threshold]
        during = [(t, m) for t, m in during if _level_of(m) >= threshold]
        metrics = {
            "durationMs": round(duration, 2),
            "billedDurationMs": billed,
            "memorySizeMB": memory,
            "maxMemoryUsedMB": peak,
        }
        if init is not None:
            metrics["initDurationMs"] = round(init, 2)
        report = {"requestId": request_id, "metrics": metrics, "status": status}
        if error_type:
            report["errorType"] = error_type
        start_line = json.dumps(
            {"time": _iso(started), "type": "platform.start", "record": {"requestId": request_id, "version": version}}
        )
        platform = [
            (started, start_line + "\n"),
            (ended, json.dumps({"time": _iso(ended), "type": "platform.report", "record": report}) + "\n"),
        ]
        # Lambda's platform events are INFO: a SystemLogLevel of WARN keeps them out.
        if str(logging_config.get("SystemLogLevel") or "INFO").upper() == "WARN":
            platform = []
        events = before + platform[:1] + during + platform[1:]
    else:
        fields = [
            f"Duration: {duration:.2f} ms",
            f"Billed Duration: {billed} ms",
            f"Memory Size: {memory} MB",
            f"Max Memory Used: {peak} MB",
        ]
        if init is not None:
            fields.append(f"Init Duration: {init:.2f} ms")
        if status != "success" and (status == "timeout" or error_type):
            fields.append(f"Status: {status}")
            if error_type:
                fields.append(f"Error Type: {error_type}")
        events = [
            *before,
            (started, f"START RequestId: {request_id} Version: {version}\n"),
            *during,
            (ended, f"END RequestId: {request_id}\n"),
            (ended, f"REPORT RequestId: {request_id}\t" + "\t".join(fields) + "\t\n"),
        ]
    return LogBlock(group, stream, [(t, m if m.endswith("\n") else m + "\n") for t, m in events])


def write_log_block(block: LogBlock) -> None:
    """Append a block to its group and stream (created as Lambda creates them), and fan it out."""
    from ministack.services import cloudwatch_logs as cwl

    now = int(time.time() * 1000)
    if block.group not in cwl._log_groups:
        cwl._log_groups[block.group] = {
            "arn": cwl._make_group_arn(block.group),
            "creationTime": now,
            "retentionInDays": None,
            "tags": {},
            "subscriptionFilters": {},
            "streams": {},
        }
    streams = cwl._log_groups[block.group]["streams"]
    if block.stream not in streams:
        streams[block.stream] = {
            "events": [],
            "uploadSequenceToken": "1",
            "creationTime": now,
            "firstEventTimestamp": None,
            "lastEventTimestamp": None,
            "lastIngestionTime": None,
        }
    events: list[dict] = [{"timestamp": t, "message": m, "ingestionTime": now} for t, m in block.events]
    cwl._append_log_events(streams[block.stream], events)  # each event cut to 256 KB (log_store)
    with cwl._log_events_lock:
        log_store.after_write(cwl._log_groups[block.group], sum(len(e["message"]) for e in events))
    cwl._fanout_to_subscription_filters(
        block.group, block.stream, [{"timestamp": t, "message": m} for t, m in block.events]
    )
