"""Judge an IAM policy by everything it allows, not by a few probes.

A check states a policy's job as (action, resource patterns) pairs; :func:`grants_beyond` then
lists every (action, resource) the policy allows outside that job. It is complete over actions:
each Allow statement's patterns (``*``, ``dynamodb:*``, ``dynamodb:Get*``, ``NotAction``) are
expanded against every operation of every service botocore knows (an IAM action is named after
its API operation), so ``dynamodb:*`` is found to allow ``dynamodb:DeleteTable`` although no probe
asked. Over resources it compares patterns: a statement's resource ``*``, ``table/*`` or
``arn:aws:logs:*:*:*`` is beyond a job on one table or one log group, whatever ARN a probe would
have tried; ``NotResource`` counts as everything. Deny statements without conditions remove what
they cover (conditions are taken as possibly unmet, so a conditional Deny removes nothing).

:func:`allows` answers one question (action, ARN) with IAM's evaluation: an explicit Deny wins,
then any Allow; wildcards ``*`` and ``?`` match across ``:`` and ``/``; actions are compared without
case, resources with case.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def statements(doc: Any) -> list[dict]:
    if not isinstance(doc, dict):
        return []
    return [s for s in _as_list(doc.get("Statement")) if isinstance(s, dict)]


@functools.lru_cache(maxsize=4096)
def _pattern(glob: str, fold: bool) -> re.Pattern:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile(body, re.IGNORECASE | re.DOTALL if fold else re.DOTALL)


def action_matches(pattern: Any, action: str) -> bool:
    return isinstance(pattern, str) and _pattern(pattern, True).fullmatch(action) is not None


def resource_matches(pattern: Any, arn: str) -> bool:
    return isinstance(pattern, str) and _pattern(pattern, False).fullmatch(arn) is not None


def covers(outer: str, inner: str, fold: bool = False) -> bool:
    """Whether every string the glob ``inner`` matches is matched by the glob ``outer``
    (``*`` in ``outer`` absorbs anything of ``inner``, wildcards included; ``?`` one character)."""
    a, b = (outer.lower(), inner.lower()) if fold else (outer, inner)

    @functools.cache
    def match(i: int, j: int) -> bool:
        if i == len(a):
            return j == len(b)
        if a[i] == "*":
            return match(i + 1, j) or (j < len(b) and match(i, j + 1))
        if j == len(b):
            return False
        if a[i] == "?":
            return b[j] != "*" and match(i + 1, j + 1)
        return a[i] == b[j] and b[j] not in "*?" and match(i + 1, j + 1)

    return match(0, 0)


@functools.cache
def service_actions(service: str) -> tuple[str, ...]:
    """Every action of one service (``dynamodb`` -> ``dynamodb:GetItem`` ...), from botocore's models
    (read from botocore's data files: no session, so no profile or credentials are looked at)."""
    import botocore.loaders

    names = {"states": "stepfunctions", "execute-api": "apigateway"}
    try:
        model = botocore.loaders.create_loader().load_service_model(names.get(service, service), "service-2")
    except Exception:  # an IAM prefix with no botocore model: judge it by its patterns alone
        return ()
    return tuple(f"{service}:{op}" for op in model.get("operations", {}))


def _expand(stmt: dict, services: Iterable[str]) -> list[str]:
    """Every action a statement names, over ``services`` plus the services its patterns name."""
    patterns = [p for p in _as_list(stmt.get("Action")) if isinstance(p, str)]
    named = {p.split(":", 1)[0].lower() for p in patterns if ":" in p and "*" not in p.split(":", 1)[0]}
    pool = set(services) | named
    actions = [a for s in sorted(pool) for a in service_actions(s)]
    # an exact action botocore does not know (iam:PassRole, s3:ListAllMyBuckets) still counts
    actions += [p for p in patterns if "*" not in p and "?" not in p and p.lower() not in {a.lower() for a in actions}]
    if "NotAction" in stmt:
        excluded = _as_list(stmt["NotAction"])
        return [a for a in actions if not any(action_matches(p, a) for p in excluded)]
    return [a for a in actions if any(action_matches(p, a) for p in patterns)]


def _unconditional_denies(doc: Any) -> list[dict]:
    return [s for s in statements(doc) if s.get("Effect") == "Deny" and not s.get("Condition")]


def allows(doc: Any, action: str, arn: str) -> bool:
    """IAM's answer for one request (conditions taken as met): an explicit Deny wins, then an Allow."""

    def hits(stmt: dict) -> bool:
        if "NotAction" in stmt:
            act = not any(action_matches(p, action) for p in _as_list(stmt["NotAction"]))
        else:
            act = any(action_matches(p, action) for p in _as_list(stmt.get("Action")))
        if "NotResource" in stmt:
            return act and not any(resource_matches(p, arn) for p in _as_list(stmt["NotResource"]))
        return act and any(resource_matches(p, arn) for p in _as_list(stmt.get("Resource")))

    found = statements(doc)
    if any(s.get("Effect") == "Deny" and hits(s) for s in found):
        return False
    return any(s.get("Effect") == "Allow" and hits(s) for s in found)


def grants_beyond(doc: Any, job: Mapping[str, Iterable[str]], services: Iterable[str] = ()) -> list[str]:
    """Every grant of ``doc`` outside ``job`` (action -> the resource patterns it may have), as
    "action on resource" sentences, the widest first; empty when the policy does its job only."""
    allowed = {a.lower(): list(r) for a, r in job.items()}
    services = set(services) | {a.split(":", 1)[0].lower() for a in job}
    denies = _unconditional_denies(doc)
    beyond: list[str] = []
    for stmt in statements(doc):
        if stmt.get("Effect") != "Allow":
            continue
        resources = (
            ["*"]
            if "NotResource" in stmt
            else [r for r in _as_list(stmt.get("Resource")) if isinstance(r, str)] or ["*"]
        )
        everything = [
            p for p in _as_list(stmt.get("Action")) if p == "*" or (isinstance(p, str) and "*" in p.split(":", 1)[0])
        ]
        if "NotAction" in stmt or everything:
            what = (
                "every action but " + ", ".join(map(str, _as_list(stmt["NotAction"])))
                if "NotAction" in stmt
                else f"every action of every service ({everything[0]!r})"
            )
            beyond += [f"{what} on {r}" for r in resources]
            continue
        for action in _expand(stmt, services):
            for resource in resources:
                if any(_denied(d, action, resource) for d in denies):
                    continue
                ok = allowed.get(action.lower(), [])
                if not any(covers(pattern, resource) for pattern in ok):
                    beyond.append(f"{action} on {resource}")
    return sorted(set(beyond), key=lambda g: (not g.startswith("every"), "*" not in g.split(" on ")[-1], g))


def _denied(deny: dict, action: str, resource: str) -> bool:
    if "NotAction" in deny or "NotResource" in deny:
        return False  # judged conservatively: it may not cover this grant
    acts = _as_list(deny.get("Action"))
    return any(covers(p, action, fold=True) for p in acts if isinstance(p, str)) and any(
        covers(p, resource) for p in _as_list(deny.get("Resource")) if isinstance(p, str)
    )


def summary(grants: list[str], limit: int = 4) -> str:
    """The grants grouped by resource, each resource in full with its first actions, then how many more
    (never a cut sentence)."""
    by_resource: dict[str, list[str]] = {}
    for grant in grants:
        action, _, resource = grant.partition(" on ")
        by_resource.setdefault(resource, []).append(action)
    parts = []
    for resource, actions in by_resource.items():
        more = f" and {len(actions) - limit} more actions" if len(actions) > limit else ""
        parts.append(f"{', '.join(actions[:limit])}{more} on {resource}")
    return "; ".join(parts)
