"""Lambda event filtering, evaluated locally: does a record pass a mapping's filter pattern?

Lambda applies a mapping's ``FilterCriteria`` before it builds a batch: a record that matches
none of the (up to five by default, ORed) patterns is dropped, and the function never sees it
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html). Lessons and the
grader use :func:`matches` to test a pattern against sample records without deploying
anything. It covers the rules the lessons use:

* a pattern mirrors the record; every key in it must match (AND);
* a dict recurses into the record's dict; a list holds the accepted values (OR): equal values
  (``null`` matches a present null), or a rule ``{"prefix": ...}``, ``{"suffix": ...}``,
  ``{"anything-but": value-or-list}``, ``{"exists": bool}``, ``{"equals-ignore-case": ...}``,
  ``{"numeric": [op, n, ...]}``;
* a record value that is a list matches when any of its elements does;
* an SQS ``body`` or Kinesis ``data`` that holds JSON is matched as that JSON, as Lambda does.
"""

from __future__ import annotations

import base64
import json
import operator
from collections.abc import Mapping
from typing import Any

from ..errors import LabError

_MISSING = object()
_NUMERIC = {"=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def matches(pattern: Mapping, record: Mapping) -> bool:
    """True when ``record`` passes ``pattern`` (a dict, or its JSON text)."""
    if isinstance(pattern, str):
        pattern = json.loads(pattern)
    if not isinstance(pattern, Mapping):
        raise LabError(f"A filter pattern is a JSON object, not {type(pattern).__name__}.")
    return _match_object(pattern, record)


def matches_any(patterns: list[Mapping], record: Mapping) -> bool:
    """Several filters on one mapping are ORed."""
    return any(matches(p, record) for p in patterns)


def _decoded(key: str, value: Any) -> Any:
    if key == "body" and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if key == "data" and isinstance(value, str):
        try:
            return json.loads(base64.b64decode(value, validate=True))
        except ValueError:
            return value
    return value


def _match_object(pattern: Mapping, record: Any) -> bool:
    if not isinstance(record, Mapping):
        return False
    for key, wanted in pattern.items():
        value = _decoded(key, record.get(key, _MISSING))
        if isinstance(wanted, Mapping):
            if value is _MISSING or not _match_object(wanted, value):
                return False
        elif isinstance(wanted, list):
            if not _match_leaf(wanted, value):
                return False
        else:
            raise LabError(f"In a filter pattern, {key!r} must map to an object or a list, not {wanted!r}.")
    return True


def _match_leaf(accepted: list, value: Any) -> bool:
    if value is _MISSING:
        return any(isinstance(rule, Mapping) and rule.get("exists") is False for rule in accepted)
    candidates = value if isinstance(value, list) else [value]
    return any(_match_rule(rule, v) for rule in accepted for v in candidates)


def _match_rule(rule: Any, value: Any) -> bool:
    if not isinstance(rule, Mapping):
        if isinstance(rule, bool) or isinstance(value, bool):  # True is not 1 in a filter
            return type(rule) is type(value) and rule == value
        return rule == value
    if "exists" in rule:
        return rule["exists"] is True
    if "prefix" in rule:
        return isinstance(value, str) and value.startswith(rule["prefix"])
    if "suffix" in rule:
        return isinstance(value, str) and value.endswith(rule["suffix"])
    if "equals-ignore-case" in rule:
        return isinstance(value, str) and value.lower() == str(rule["equals-ignore-case"]).lower()
    if "anything-but" in rule:
        banned = rule["anything-but"]
        return value not in (banned if isinstance(banned, list) else [banned])
    if "numeric" in rule:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        terms = rule["numeric"]
        return all(_NUMERIC[terms[i]](value, terms[i + 1]) for i in range(0, len(terms), 2))
    raise LabError(f"Unknown filter rule {dict(rule)!r}.")
