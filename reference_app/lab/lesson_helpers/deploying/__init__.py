"""Lesson 11's helpers: releases as published versions, an alias in front of them, the alias behind a
REST API and a function URL, provisioned concurrency on it (``releases``); a canary measured by counting
(``routing``); traffic shifted the way CodeDeploy shifts it and rolled back by an alarm (``shifting``).

**Where the kit stands in for Lambda, in plain sight.** On AWS, an alias with a ``RoutingConfig``
sends each invocation to its primary or its additional version at random, by weight
(https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html), and Lambda records
``AWS/Lambda`` metrics per ``ExecutedVersion``
(https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics.html). The embedded emulator stores
the ``RoutingConfig`` but sends every invocation of the alias to its primary version, and records
metrics by ``FunctionName`` only (``alias-routing`` in ``lab.fidelity("versions and aliases")``). So
:func:`~.routing.invoke_routed` is the one place where the kit draws the version by the alias's
weights and invokes that version, and :func:`~.routing.publish_version_metrics` publishes the
``Invocations`` and ``Errors`` Lambda would record under those dimensions. Everything else here is
the Lambda and CloudWatch APIs as they are.

CodeDeploy is not emulated either: :func:`shift_traffic` does what a CodeDeploy deployment of a Lambda
alias does (https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html),
with seconds for minutes: the pre-traffic hook, each step of the configuration's schedule, the alarm
checked after each step, the rollback, and the post-traffic hook.
"""

from __future__ import annotations

from .releases import (
    ALIAS,
    BLUE,
    GREEN_LIMIT_BUG,
    HANDLER,
    NAME,
    RED_TAX_BUG,
    alias_endpoints,
    alias_state,
    ensure_alias,
    provisioned_on_alias,
    prune_versions,
    release,
    versions,
    versions_behind,
)
from .routing import (
    Routed,
    count_by_version,
    emulator_routing,
    invoke_routed,
    invoker,
    pick_version,
    publish_version_metrics,
    traffic,
)
from .shifting import (
    SAM_TEMPLATE,
    Shift,
    alarm_state,
    sam_deployment_resources,
    schedule,
    shift_traffic,
    smoke_test,
    version_alarm,
)

__all__ = [
    "ALIAS",
    "BLUE",
    "GREEN_LIMIT_BUG",
    "HANDLER",
    "NAME",
    "RED_TAX_BUG",
    "SAM_TEMPLATE",
    "Routed",
    "Shift",
    "alarm_state",
    "alias_endpoints",
    "alias_state",
    "count_by_version",
    "emulator_routing",
    "ensure_alias",
    "invoke_routed",
    "invoker",
    "pick_version",
    "provisioned_on_alias",
    "prune_versions",
    "publish_version_metrics",
    "release",
    "sam_deployment_resources",
    "schedule",
    "shift_traffic",
    "smoke_test",
    "traffic",
    "version_alarm",
    "versions",
    "versions_behind",
]
