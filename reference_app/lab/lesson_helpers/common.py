"""What a function logged, as data: the JSON lines it printed, with the invocation they belong to.

The kit's handlers print one JSON object per line (``print(json.dumps(...))`` or Powertools'
``Logger``), which reaches CloudWatch Logs on every backend. :func:`logged` reads them back
from the function's log group; :func:`wait_for_logged` polls until enough have arrived, so a
lesson waits on evidence instead of sleeping.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..clients import client
from ..config import Backend
from ..logs import invocations
from ..poll import attempts


@dataclass
class Logged:
    """One JSON line a function printed, and the invocation (log block) it came from."""

    data: dict
    request_id: str
    started_ms: int
    report: dict[str, float] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def __getitem__(self, key: str) -> Any:
        return self.data[key]


def new_run_id() -> str:
    """A short id that tells this run's records from an earlier run's (lessons re-run)."""
    return uuid.uuid4().hex[:6]


def now_ms() -> int:
    return int(time.time() * 1000)


def parse_line(line: str) -> dict | None:
    """A log line as a JSON object, or None when it is not one."""
    text = line.strip()
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def logged(
    function: str,
    since_ms: int = 0,
    message: str | None = None,
    where: Callable[[dict], bool] | None = None,
    backend: Backend | None = None,
) -> list[Logged]:
    """The JSON lines ``function`` printed since ``since_ms`` (oldest first), optionally only
    those whose ``message`` is ``message`` and for which ``where(line)`` is true."""
    found = []
    for invocation in invocations(function, since_ms, backend):
        for line in invocation.output:
            data = parse_line(line)
            if data is None or (message is not None and data.get("message") != message):
                continue
            if where is not None and not where(data):
                continue
            found.append(Logged(data, invocation.request_id, invocation.started_ms, invocation.report))
    return found


def wait_for_logged(
    function: str,
    count: int = 1,
    since_ms: int = 0,
    message: str | None = None,
    where: Callable[[dict], bool] | None = None,
    timeout_s: float = 20.0,
    settle_s: float = 0.0,
    backend: Backend | None = None,
) -> list[Logged]:
    """Poll until at least ``count`` matching lines are logged; return what is there.

    ``settle_s`` keeps looking that much longer once ``count`` is reached, for a cell that
    also wants to show that nothing *else* arrived (a filtered record, a skipped key)."""
    found: list[Logged] = []
    reached: float | None = None
    for _ in attempts(timeout_s, first=0.1, cap=0.5):
        found = logged(function, since_ms, message, where, backend)
        if len(found) >= count:
            reached = reached or time.monotonic()
            if time.monotonic() - reached >= settle_s:
                break
    return found


class Mermaid:
    """A Mermaid diagram built by code: JupyterLab 4 renders it in the cell's output (its
    ``text/vnd.mermaid`` renderer, or a ```` ```mermaid ```` block in Markdown); elsewhere
    the diagram's source is shown as text."""

    def __init__(self, source: str):
        self.source = source.strip() + "\n"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {
            "text/vnd.mermaid": self.source,
            "text/markdown": f"```mermaid\n{self.source}```\n",
            "text/plain": self.source,
        }

    def __repr__(self) -> str:
        return self.source

    def __contains__(self, text: str) -> bool:
        return text in self.source


def mermaid_id(name: str) -> str:
    """A node id Mermaid accepts, from any resource name (``lab-01-users`` -> ``lab_01_users``)."""
    return "".join(c if c.isalnum() else "_" for c in name)


def queue_depth(queue_url: str) -> int:
    """Messages still on the queue, visible or in flight."""
    counts = client("sqs").get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(counts["ApproximateNumberOfMessages"]) + int(counts["ApproximateNumberOfMessagesNotVisible"])
