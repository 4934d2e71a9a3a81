"""A wrapper script (AWS_LAMBDA_EXEC_WRAPPER), run by the kit's runtime, and its time in Init Duration."""

from __future__ import annotations

import time
from typing import Any

from ...deploy import deploy_function, invoke
from ..common import new_run_id as new_run_id  # re-exported for the lesson
from ..handler_anatomy import publish_layer
from ._shared import handler_file as handler_file

# --- a wrapper script (AWS_LAMBDA_EXEC_WRAPPER), run by the kit's runtime -----------------------------------
#: published as a layer, so it lands at /opt/wrapper.sh as a layer's file does on Lambda
WRAPPER_SCRIPT = """#!/bin/sh
# A wrapper script: Lambda runs it with the runtime's command line as its arguments ("$@").
# It may change the environment or the arguments; it must exec the runtime in the end.
export LAB_WRAPPED_AT_MS="$(date +%s%3N)"
sleep 0.25   # stands for an agent the wrapper starts: its time is INIT time
exec "$@"
"""


def _init_ms(log_tail: str) -> float | None:
    for part in log_tail.split("\t"):
        if part.strip().startswith("Init Duration:"):
            return float(part.split(":")[1].split()[0])
    return None


def wrapper_demo(prefix: str = "lab-12") -> Any:
    """The same function deployed twice, with and without ``AWS_LAMBDA_EXEC_WRAPPER``: what its
    first (cold) invocation sees, and how long INIT took."""
    import pandas as pd

    layer = publish_layer(f"{prefix}-wrapper", {"wrapper.sh": WRAPPER_SCRIPT})
    handler = handler_file("wrapper_probe")
    rows = {}
    for label, env, layers in (
        ("no wrapper", {}, []),
        ("AWS_LAMBDA_EXEC_WRAPPER=/opt/wrapper.sh", {"AWS_LAMBDA_EXEC_WRAPPER": "/opt/wrapper.sh"}, [layer]),
    ):
        name = f"{prefix}-wrapper-{'on' if env else 'off'}"
        stamp = str(time.time_ns())  # a new configuration each run: the next invocation is cold
        deploy_function(
            name,
            handler,
            environment={**env, "LAB_DEPLOYED_NS": stamp},
            Layers=layers,
            description="lambda-lab 12: wrapper script",
        )
        first = invoke(name, {})
        rows[label] = {
            "LAB_WRAPPED_AT_MS seen by the handler": (first.payload or {}).get("wrapped_at_ms") or "(not set)",
            "Init Duration (ms)": _init_ms(first.log_tail),
        }
    return pd.DataFrame.from_dict(rows, orient="index")
