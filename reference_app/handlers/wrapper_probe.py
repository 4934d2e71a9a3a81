"""What a function sees of a wrapper script (``AWS_LAMBDA_EXEC_WRAPPER``).

What it demonstrates
    A wrapper script runs before the runtime, during INIT: it can export variables the function
    then reads, or add interpreter arguments, and then execs the runtime. This handler reports the
    variable the lesson's wrapper exports (``LAB_WRAPPED_AT_MS``), or None without a wrapper.

Trigger
    Any event (direct invoke).

Environment
    ``AWS_LAMBDA_EXEC_WRAPPER``  optional: the wrapper script's path (``/opt/wrapper.sh`` from a layer)

Notebooks
    12_beyond_the_zip (extensions and wrapper scripts).
"""

from __future__ import annotations

import os
from typing import Any

REQUIREMENTS = ()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"wrapped_at_ms": os.environ.get("LAB_WRAPPED_AT_MS"), "wrapper": os.environ.get("AWS_LAMBDA_EXEC_WRAPPER")}
