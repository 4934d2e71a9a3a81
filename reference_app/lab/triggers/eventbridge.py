"""EventBridge rules (a schedule or an event pattern) that invoke a function."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..clients import client
from ..config import Backend, resolve_backend
from ..errors import LabError
from .permissions import allow_invoke, bare_name, resolve_function_arn


def eventbridge_rule(
    rule_name: str,
    function_arn: str,
    schedule: str | None = None,
    event_pattern: Mapping | str | None = None,
    bus: str = "default",
    backend: Backend | None = None,
) -> str:
    """A rule on ``bus`` that invokes the function, either on a ``schedule``
    (``"rate(5 minutes)"``, ``"cron(0 12 * * ? *)"``) or for events matching
    ``event_pattern``; return the rule's ARN. ``PutRule`` and ``PutTargets`` are
    upserts, so running it again changes the rule in place."""
    if (schedule is None) == (event_pattern is None):
        raise LabError("Give eventbridge_rule either schedule= or event_pattern=, not both or neither.")
    if schedule is not None and bus != "default":
        raise LabError("Schedules run only on the default event bus; leave bus out or use event_pattern.")
    backend = backend or resolve_backend()
    target = resolve_function_arn(function_arn, backend)
    events = client("events", backend)
    rule: dict[str, Any] = {"Name": rule_name, "EventBusName": bus, "State": "ENABLED"}
    if schedule is not None:
        rule["ScheduleExpression"] = schedule
    else:
        rule["EventPattern"] = event_pattern if isinstance(event_pattern, str) else json.dumps(event_pattern)
    rule_arn = events.put_rule(**rule)["RuleArn"]
    allow_invoke(target, "events.amazonaws.com", rule_arn, backend=backend)
    target_id = bare_name(target)[:64]
    existing = events.list_targets_by_rule(Rule=rule_name, EventBusName=bus)["Targets"]
    if not any(t["Id"] == target_id and t["Arn"] == target for t in existing):
        result = events.put_targets(Rule=rule_name, EventBusName=bus, Targets=[{"Id": target_id, "Arn": target}])
        if result.get("FailedEntryCount"):
            failure = result["FailedEntries"][0]
            raise LabError(f"EventBridge refused the target {target}: {failure.get('ErrorMessage', failure)}")
    return rule_arn
