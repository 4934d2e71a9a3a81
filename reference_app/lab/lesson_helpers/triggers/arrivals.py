"""Reading back what a function received: ``event_logger`` deployed under a lesson's name, the events or batch
records it logged, and an event flattened into a table.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from ...deploy import Deployment
from ...poll import attempts
from ...reference_deploys import deploy_handler
from ..common import Logged, logged, wait_for_logged


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
