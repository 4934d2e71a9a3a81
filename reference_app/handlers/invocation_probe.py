"""Say which execution environment served an invocation, when, and for how long.

What it demonstrates
    - Execution environments: ``ENVIRONMENT_ID`` is drawn once, when the module is imported
      (the INIT phase of a new environment). Invocations that report different ids ran in
      different environments; one environment serves one invocation at a time, so the ids
      seen during a burst count the concurrency Lambda scaled to.
    - Cold and warm starts from the function's side: ``cold_start`` is True only for the
      first invocation an environment serves.
    - The invocation models with the same code: invoked synchronously the caller gets the
      answer or the error; invoked asynchronously (``InvocationType=Event``) the caller gets
      202 and Lambda retries a failure on its own. Every attempt logs one JSON line carrying
      the event's ``marker``, so a notebook counts attempts from the logs.

Trigger
    Direct invoke, synchronous (``RequestResponse``) or asynchronous (``Event``). The event:
    ``{"marker": "any text", "sleep_ms": 0-5000, "fail": false}``, every field optional.

Environment
    none

Notebooks
    01_architecture (invocation models, scaling from zero, a bill from real REPORT lines).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

REQUIREMENTS = ()

MAX_SLEEP_MS = 5000
ENVIRONMENT_ID = uuid.uuid4().hex[:8]  # once per execution environment (module scope runs at INIT)
_cold = True


class ProbeFailure(RuntimeError):
    """Raised when the event asks for a failure (``{"fail": true}``)."""


def sleep_ms(event: Any) -> int:
    """How long the event asks the probe to work, clamped to 0..MAX_SLEEP_MS."""
    raw = event.get("sleep_ms", 0) if isinstance(event, dict) else 0
    try:
        return max(0, min(int(raw), MAX_SLEEP_MS))
    except (TypeError, ValueError):
        return 0


def lambda_handler(event: Any, context: Any) -> dict:
    global _cold
    cold, _cold = _cold, False
    started_ms = int(time.time() * 1000)
    time.sleep(sleep_ms(event) / 1000)
    report = {
        "level": "INFO",
        "message": "probe",
        "marker": event.get("marker") if isinstance(event, dict) else None,
        "environment": ENVIRONMENT_ID,
        "cold_start": cold,
        "request_id": context.aws_request_id,
        "started_ms": started_ms,
        "ended_ms": int(time.time() * 1000),
    }
    print(json.dumps(report))
    if isinstance(event, dict) and event.get("fail"):
        raise ProbeFailure(f"the event asked this attempt to fail (marker {report['marker']})")
    return report
