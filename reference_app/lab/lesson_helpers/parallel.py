"""Deploy several functions at once: what a lesson uses, up front, so that it waits once.

Every create or update leaves a function Pending for a moment (half a second on the
emulator, seconds on AWS) before it is Active; a lesson that deploys a dozen functions one
by one spends most of its time waiting for that. The first deploy runs alone (it warms the
build cache, the runtime SDK folder and the execution role, which the others then share);
the rest run in a few threads. Each one is the ordinary, idempotent deploy: running the
cell again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

WORKERS = 4


def deploy_all(deploys: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run each ``name -> deploy()`` (the first alone, then the rest in parallel); their results by name."""
    names = list(deploys)
    if not names:
        return {}
    done = {names[0]: deploys[names[0]]()}
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="lab-deploy") as pool:
        futures = {name: pool.submit(deploys[name]) for name in names[1:]}
        done.update({name: future.result() for name, future in futures.items()})
    return done


def summary(deployments: dict[str, Any]):
    """One row per deployment: its name, what the deploy did, its handler and state."""
    import pandas as pd

    rows = [
        {
            "function": d.name,
            "action": d.action,
            "handler": d.configuration.get("Handler"),
            "state": d.configuration.get("State"),
        }
        for d in deployments.values()
    ]
    return pd.DataFrame(rows).set_index("function")
