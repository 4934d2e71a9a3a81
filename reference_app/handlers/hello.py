"""The smallest useful handler: shows the event/context contract and cold vs warm starts.

Trigger: direct ``Invoke``. Env: ``GREETING`` (optional). Used by ``00_setup`` and
``02_handler``.

Code at module level runs once per execution environment (the INIT phase, a
"cold start"); the handler runs on every invocation. The module-level flag below
is how a function can tell the two apart: it is True only on the first call a
fresh environment serves.
"""

from __future__ import annotations

import json
import os
import time

REQUIREMENTS = ()

_INIT_AT = time.time()
_cold = True


def lambda_handler(event: dict, context) -> dict:
    global _cold
    cold, _cold = _cold, False
    name = event.get("name", "world") if isinstance(event, dict) else "world"
    # print() reaches CloudWatch on every backend (see reference_app/lab/logs.py).
    print(json.dumps({"level": "INFO", "message": "hello", "cold_start": cold, "request_id": context.aws_request_id}))
    return {
        "message": f"{os.environ.get('GREETING', 'Hello')}, {name}!",
        "cold_start": cold,
        "request_id": context.aws_request_id,
        "function_name": context.function_name,
        "memory_limit_in_mb": int(context.memory_limit_in_mb),
        "remaining_time_in_millis": context.get_remaining_time_in_millis(),
        "environment_age_s": round(time.time() - _INIT_AT, 3),
    }
