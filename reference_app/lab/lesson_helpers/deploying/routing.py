"""A weighted alias's traffic, drawn by the kit: the emulator stores ``RoutingConfig`` but always runs the
primary version (``alias-routing`` in ``lab.fidelity("versions and aliases")``), so :func:`invoke_routed`
is the one place where the kit draws the version by the alias's weights, as Lambda does
(https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html), and
:func:`publish_version_metrics` records the ``Resource`` and ``ExecutedVersion`` dimensions Lambda
would (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics.html)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from ...clients import client, invoke_config
from .releases import ALIAS, NAME, alias_state


# --- weighted routing -------------------------------------------------------------------------------------------
def pick_version(primary: str, weights: dict[str, float], draw: float) -> str:
    """The version a weighted alias sends one invocation to, for a uniform ``draw`` in [0, 1)."""
    threshold = 0.0
    for version, weight in sorted(weights.items()):
        threshold += float(weight)
        if draw < threshold:
            return version
    return primary


def invoker():
    """A Lambda client for many invokes in a row (one attempt each, 30 s to answer)."""
    return client("lambda", config=invoke_config(30.0))


@dataclass
class Routed:
    """One invocation through the alias: the version that answered, and whether it failed."""

    version: str
    ok: bool
    payload: Any


def invoke_routed(
    event: dict, rng: random.Random, name: str = NAME, alias: str = ALIAS, state: dict | None = None, lam: Any = None
) -> Routed:
    """Invoke the alias as Lambda would route it: THE KIT DRAWS THE VERSION BY THE ALIAS'S WEIGHTS.

    The emulator stores ``RoutingConfig`` but always runs the alias's primary version; this function
    draws the version with Lambda's simple probabilistic model and invokes that version. What answered
    is read from the function itself (``context.function_version`` in the answer)."""
    state = state or alias_state(name, alias)
    version = pick_version(state["primary"], state["weights"], rng.random())
    lam = lam or invoker()
    resp = lam.invoke(FunctionName=name, Qualifier=version, Payload=json.dumps(event).encode())
    payload = json.loads(resp["Payload"].read() or b"null")
    ok = "FunctionError" not in resp
    return Routed(payload.get("version", version) if ok else version, ok, payload)


def publish_version_metrics(routed: list[Routed], name: str = NAME, alias: str = ALIAS) -> None:
    """``Invocations`` and ``Errors`` of routed invocations under ``FunctionName``, ``Resource`` (function:alias)
    and ``ExecutedVersion``, as Lambda records them for a weighted alias (the emulator records neither
    dimension): one data point per version, its value the count."""
    totals: dict[str, list[int]] = {}
    for r in routed:
        total = totals.setdefault(r.version, [0, 0])
        total[0] += 1
        total[1] += 0 if r.ok else 1
    data = []
    for version, (count, errors) in totals.items():
        dims = [
            {"Name": "FunctionName", "Value": name},
            {"Name": "Resource", "Value": f"{name}:{alias}"},
            {"Name": "ExecutedVersion", "Value": version},
        ]
        data += [
            {"MetricName": "Invocations", "Dimensions": dims, "Value": float(count), "Unit": "Count"},
            {"MetricName": "Errors", "Dimensions": dims, "Value": float(errors), "Unit": "Count"},
        ]
    if data:
        client("cloudwatch").put_metric_data(Namespace="AWS/Lambda", MetricData=data)


def traffic(requests: int, rng: random.Random) -> list[dict]:
    """Quote requests as customers send them: amounts from 1 to 200 dollars."""
    return [{"amount_cents": rng.randrange(100, 20_000)} for _ in range(requests)]


def count_by_version(requests: int, seed: int, name: str = NAME, alias: str = ALIAS):
    """Send ``requests`` quotes through the alias and count, per version, how many it answered and failed."""
    import pandas as pd

    rng = random.Random(seed)
    state = alias_state(name, alias)
    lam = invoker()
    routed = [invoke_routed(event, rng, name, alias, state, lam) for event in traffic(requests, rng)]
    publish_version_metrics(routed, name, alias)
    rows: dict[str, dict[str, int]] = {}
    for r in routed:
        row = rows.setdefault(r.version, {"invocations": 0, "errors": 0})
        row["invocations"] += 1
        row["errors"] += 0 if r.ok else 1
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("version").sort_index()
    table["share"] = (table["invocations"] / requests).round(3)
    return table


def emulator_routing(requests: int = 20, name: str = NAME, alias: str = ALIAS) -> dict[str, int]:
    """Invoke the alias itself ``requests`` times and count ``ExecutedVersion``: what the emulator routes."""
    lam = client("lambda")
    counts: dict[str, int] = {}
    for _ in range(requests):
        resp = lam.invoke(FunctionName=name, Qualifier=alias, Payload=b'{"amount_cents": 100}')
        resp["Payload"].read()
        version = resp.get("ExecutedVersion", "?")
        counts[version] = counts.get(version, 0) + 1
    return counts
