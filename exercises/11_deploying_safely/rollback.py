"""Exercise debug-rollback (11_deploying_safely): break and debug a rollback that leaves the canary on.

During a canary, the alias ``live`` keeps the stable version as its primary and sends a share of the
invocations to the new version. When the new version's alarm fires, ``rollback`` must send every
invocation back to the stable version. The on-call engineer ran this one during an incident; the
dashboard said "rolled back", yet customers kept getting errors.

Run ``lab.try_exercise("debug-rollback")``: it publishes a stable and a failing version, starts a
canary, calls ``rollback`` and counts which version answers quotes through the alias before and after
(the kit draws each by the alias's weights, as Lambda does). Then fix ``rollback`` and check it:
``lab.check("debug-rollback")``.
"""

from __future__ import annotations

from typing import Any


def rollback(lam: Any, function: str, alias: str) -> str:
    """Send all of the alias's traffic to its stable (primary) version; return that version."""
    current = lam.get_alias(FunctionName=function, Name=alias)
    stable = current["FunctionVersion"]
    lam.update_alias(FunctionName=function, Name=alias, FunctionVersion=stable)
    return stable
