"""A function to measure: INIT work in or out of module scope, a fixed amount of CPU work, payload sizes.

Trigger: direct ``Invoke`` (synchronous or asynchronous).

Environment:
    ``SETUP_AT`` optional, ``module`` (default) or ``handler``: where ``expensive_setup`` runs,
    once per execution environment during INIT, or again on every invocation.
    ``SETUP_MS`` optional, default ``0``: how long the setup keeps the CPU busy, in milliseconds
    (a stand-in for importing a large library or building a lookup table).

Notebooks: 07_performance_and_cost (cold and warm starts, init scope, memory sweep, reserved
concurrency, payload limits).

The event may ask for ``work`` (rounds of SHA-256 over 1 KB, a fixed amount of CPU work whatever
the machine), ``sleep_ms`` (to hold an execution environment busy, e.g. to show throttling) and
``respond_bytes`` (an answer whose ``data`` field has that many characters). The answer says
whether this was a cold start, where the setup ran, and how many bytes the event had.
"""

from __future__ import annotations

import hashlib
import json
import os
import time

REQUIREMENTS = ()

SETUP_AT = os.environ.get("SETUP_AT", "module")
SETUP_MS = float(os.environ.get("SETUP_MS", "0"))
_cold = True


def expensive_setup(milliseconds: float) -> dict:
    """Keep the CPU busy for ``milliseconds`` and return a small lookup table."""
    table, block, until = {}, b"x" * 1024, time.perf_counter() + milliseconds / 1000
    while time.perf_counter() < until:
        block = hashlib.sha256(block).digest() * 32
        table[len(table) % 64] = block[:8].hex()
    return table


def cpu_work(rounds: int) -> str:
    """``rounds`` of SHA-256 over 1 KB: the same work on any machine, so its duration measures the CPU."""
    block = b"x" * 1024
    for _ in range(rounds):
        block = hashlib.sha256(block).digest() * 32
    return block[:8].hex()


TABLE = expensive_setup(SETUP_MS) if SETUP_AT == "module" else None


def lambda_handler(event: dict, context) -> dict:
    global _cold
    cold, _cold = _cold, False
    event = event if isinstance(event, dict) else {}
    table = TABLE if SETUP_AT == "module" else expensive_setup(SETUP_MS)
    digest = cpu_work(int(event.get("work", 0)))
    if event.get("sleep_ms"):
        time.sleep(float(event["sleep_ms"]) / 1000)
    answer = {
        "cold_start": cold,
        "setup_at": SETUP_AT,
        "table_entries": len(table),
        "digest": digest,
        "event_bytes": len(json.dumps(event)),
        "request_id": context.aws_request_id,
        "memory_limit_in_mb": int(context.memory_limit_in_mb),
    }
    if event.get("respond_bytes"):
        answer["data"] = "x" * int(event["respond_bytes"])
    return answer
