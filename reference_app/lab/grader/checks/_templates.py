"""Helpers the infrastructure-as-code checks share: read a learner's template, lint it."""

from __future__ import annotations

from typing import Any

from ..framework import CheckFailed


def parsed(text: Any, what: str = "TEMPLATE") -> dict:
    """The template as a dict (CloudFormation's short forms such as !Ref understood)."""
    from cfnlint.decode import decode_str

    if not isinstance(text, str) or not text.strip():
        raise CheckFailed(f"{what} must be the template's text (a YAML string), not {type(text).__name__}.")
    template, errors = decode_str(text)
    if errors or not isinstance(template, dict):
        detail = str(errors[0].message) if errors else "it is not a mapping"
        raise CheckFailed(f"{what} does not parse as a template: {detail}.")
    return template


def resources_of(template: dict, rtype: str) -> dict[str, dict]:
    """Logical id -> definition of every resource of one type."""
    found = template.get("Resources") or {}
    return {k: v for k, v in found.items() if isinstance(v, dict) and v.get("Type") == rtype}


def references(value: Any) -> set[str]:
    """Every logical id a value refers to (Ref, GetAtt, and ${Name} inside Sub)."""
    import re

    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                target = inner[0] if isinstance(inner, list) else str(inner).split(".")[0]
                found.add(str(target))
            elif key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) else inner
                found |= {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", str(text))}
            found |= references(inner)
    elif isinstance(value, list):
        for item in value:
            found |= references(item)
    return found


def lint_clean(text: str, what: str = "the template") -> None:
    """CheckFailed naming cfn-lint's first findings, unless it reports nothing."""
    from ...iac import lint

    findings = lint(text)
    if findings:
        shown = "; ".join(f"{f.rule} at {f.where or 'line ' + str(f.line)}: {f.message}" for f in findings[:2])
        more = f" (and {len(findings) - 2} more)" if len(findings) > 2 else ""
        raise CheckFailed(f"cfn-lint reports {len(findings)} finding(s) in {what}: {shown}{more}.")
