"""CloudWatch Logs in the emulator keep what a log group's retention and a size cap allow.

ministack 1.5.33 keeps every log event forever and saves them all with its state: a handler
that printed 100 MB left 150 MB in ``cloudwatch_logs.json`` (JSON-escaped), loaded and saved
again at every start and stop. AWS drops events older than the group's ``retentionInDays`` and
stores events of at most 256 KB each (``PutLogEvents``: "Each log event can be no larger than
256 KB"). :func:`install` makes the emulator do the same, and caps what one log group keeps
(``LAMBDA_LAB_LOG_GROUP_MAX_MB``, 16 MB by default) by dropping its oldest events first, which
AWS does not do (it bills storage instead): ``log-size-cap`` in the known differences.

Trimming runs after each write to a group (cheaply: a running count of the group's bytes,
recounted only when it passes the cap, and retention looked at once a minute), when the
emulator saves its state, and when it loads it.
"""

from __future__ import annotations

import heapq
import os
import time

MAX_EVENT_BYTES = 262_144
DEFAULT_GROUP_MAX_MB = 16.0
GROUP_MAX_ENV = "LAMBDA_LAB_LOG_GROUP_MAX_MB"
_COUNT = "lambda_lab_bytes"  # kept in the group's record: its events' bytes, as last counted plus added since
_LOOKED = "lambda_lab_retention_looked_ms"
RETENTION_LOOK_EVERY_MS = 60_000
DAY_MS = 86_400_000


def group_cap_bytes() -> int:
    try:
        mb = float(os.environ.get(GROUP_MAX_ENV, DEFAULT_GROUP_MAX_MB))
    except ValueError:
        mb = DEFAULT_GROUP_MAX_MB
    return int(max(mb, 0.1) * 2**20)


def truncate(message: str) -> str:
    """A message cut to 256 KB (UTF-8), as CloudWatch Logs stores an event no larger."""
    if len(message) * 4 <= MAX_EVENT_BYTES:  # cheap: no character takes more than 4 bytes
        return message
    data = message.encode()
    if len(data) <= MAX_EVENT_BYTES:
        return message
    return data[:MAX_EVENT_BYTES].decode(errors="ignore")


def _bytes(events: list[dict]) -> int:
    return sum(len(e.get("message") or "") for e in events)


def _reset_bounds(stream: dict) -> None:
    events = stream["events"]
    stream["firstEventTimestamp"] = events[0]["timestamp"] if events else None
    stream["lastEventTimestamp"] = events[-1]["timestamp"] if events else None


def trim(group: dict, now_ms: int | None = None, cap: int | None = None, dropped: set | None = None) -> int:
    """Drop a group's events past its retention, then its oldest beyond ``cap`` bytes; the bytes it holds.

    ``dropped`` collects the ids of the events dropped (the emulator indexes ``PutLogEvents``'s by id)."""
    dropped = set() if dropped is None else dropped
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    cap = group_cap_bytes() if cap is None else cap
    streams = group.get("streams") or {}
    days = group.get("retentionInDays")
    if days:
        cutoff = now_ms - int(days) * DAY_MS
        for stream in streams.values():
            events = stream.get("events") or []
            if events and events[0]["timestamp"] < cutoff:
                dropped.update(e["eventId"] for e in events if e["timestamp"] < cutoff and e.get("eventId"))
                stream["events"] = [e for e in events if e["timestamp"] >= cutoff]
                _reset_bounds(stream)
        group[_LOOKED] = now_ms
    total = sum(_bytes(s.get("events") or []) for s in streams.values())
    if total > cap:
        # the oldest event of the group goes first, whichever stream it is in
        heads = [(s["events"][0]["timestamp"], name) for name, s in streams.items() if s.get("events")]
        heapq.heapify(heads)
        cut = {name: 0 for name in streams}
        while total > cap and heads:
            _, name = heapq.heappop(heads)
            events = streams[name]["events"]
            total -= len(events[cut[name]].get("message") or "")
            cut[name] += 1
            if cut[name] < len(events):
                heapq.heappush(heads, (events[cut[name]]["timestamp"], name))
        for name, n in cut.items():
            if n:
                dropped.update(e["eventId"] for e in streams[name]["events"][:n] if e.get("eventId"))
                del streams[name]["events"][:n]
                _reset_bounds(streams[name])
    group[_COUNT] = total
    return total


def after_write(group: dict | None, added_bytes: int, dropped: set | None = None) -> None:
    """What a write to ``group`` needs: a trim when it passes the cap or its retention is due."""
    if group is None:
        return
    now_ms = int(time.time() * 1000)
    count = group.get(_COUNT)
    group[_COUNT] = count = (count if isinstance(count, int) else trim(group, now_ms, dropped=dropped)) + added_bytes
    due = group.get("retentionInDays") and now_ms - int(group.get(_LOOKED) or 0) > RETENTION_LOOK_EVERY_MS
    if count > group_cap_bytes() or due:
        trim(group, now_ms, dropped=dropped)


def forget(records, dropped: set) -> None:
    """Remove the dropped events' entries from the emulator's index of events by id (``_log_records``)."""
    if dropped:
        for key in [k for k in list(records._data) if k[-1] in dropped]:
            records._data.pop(key, None)


def install(cwl) -> None:
    """Patch ``ministack.services.cloudwatch_logs``: events truncated, groups trimmed on write, save and load."""
    append = cwl._append_log_events
    put = cwl._put_log_events
    get_state = cwl.get_state
    load = cwl.load_persisted_state

    def _append_log_events(stream, events):
        for event in events or ():
            message = event.get("message")
            if isinstance(message, str):
                event["message"] = truncate(message)
        return append(stream, events)

    def _put_log_events(data):
        answer = put(data)
        group = cwl._log_groups.get((data or {}).get("logGroupName"))
        added = sum(len(e.get("message") or "") for e in (data or {}).get("logEvents") or ())
        dropped: set = set()
        with cwl._log_events_lock:
            after_write(group, added, dropped)
        forget(cwl._log_records, dropped)
        return answer

    def trim_all() -> None:
        dropped: set = set()
        with cwl._log_events_lock:
            for group in list(cwl._log_groups._data.values()):
                trim(group, dropped=dropped)
        forget(cwl._log_records, dropped)

    def get_state_trimmed():
        trim_all()
        return get_state()

    def load_persisted_state(data):
        answer = load(data)
        trim_all()
        return answer

    cwl._append_log_events = _append_log_events
    cwl._put_log_events = _put_log_events
    cwl.get_state = get_state_trimmed
    cwl.load_persisted_state = load_persisted_state
