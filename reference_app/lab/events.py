"""Sample events and a fake Lambda context, shared by tests and notebooks.

The events are JSON files in ``reference_app/events/`` (shipped as package data), in the
shapes AWS sends them. ``load_event("s3_put")`` returns a fresh copy each call, so a test
or a notebook cell can change it freely.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from .errors import UnknownName

_EVENT_NAME = re.compile(r"[A-Za-z0-9_-]+")


def list_events() -> list[str]:
    """Names of the bundled events (without ``.json``), sorted."""
    folder = resources.files("reference_app").joinpath("events")
    return sorted(entry.name[: -len(".json")] for entry in folder.iterdir() if entry.name.endswith(".json"))


def load_event(name: str) -> dict[str, Any]:
    """Load a bundled event by name (``"s3_put"`` or ``"s3_put.json"``); a fresh object every call."""
    return json.loads(_event_text(name.removesuffix(".json")))


@functools.cache
def _event_text(name: str) -> str:
    valid = _EVENT_NAME.fullmatch(name) is not None
    if not valid or not (path := resources.files("reference_app").joinpath("events", f"{name}.json")).is_file():
        raise UnknownName("bundled event", name, list_events(), "`lambda-lab events` or `lab.list_events()`")
    return path.read_text(encoding="utf-8")


@dataclass
class FakeLambdaContext:
    """Enough of the Lambda context object for handlers and Powertools (Logger, idempotency)."""

    function_name: str = "lab-function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 128
    region: str = "us-east-1"
    account_id: str = "123456789012"
    remaining_time_in_millis: int = 30_000
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "2024/01/01/[$LATEST]00000000000000000000000000000000"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_time_in_millis
