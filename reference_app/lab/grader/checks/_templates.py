"""Helpers the infrastructure-as-code checks share: read a learner's template, lint it."""

from __future__ import annotations

from typing import Any

from ...iac import lint
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


#: AddPermission's SourceArn pattern (Lambda API reference, AddPermission: SourceArn)
SOURCE_ARN = r"arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)"
#: what a placeholder stands for when a check renders a value as CloudFormation would
SAMPLE_VALUES = {
    "AWS::Partition": "aws",
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::StackName": "lab-stack",
    "AWS::URLSuffix": "amazonaws.com",
}


def _ref(name: str, template: dict, ids: dict[str, str]) -> str | None:
    if name in SAMPLE_VALUES:
        return SAMPLE_VALUES[name]
    if name in ids:
        return ids[name]
    return f"{name.lower()}-id" if name in (template.get("Resources") or {}) else None


def _get_att(name: str, attribute: str, template: dict) -> str:
    kind = ((template.get("Resources") or {}).get(name) or {}).get("Type", "")
    if attribute != "Arn":
        return f"{name.lower()}-{attribute.lower()}"
    service = kind.split("::")[1].lower() if kind.count("::") == 2 else "unknown"
    return f"arn:aws:{service}:us-east-1:123456789012:{kind.split('::')[-1].lower()}:{name}"


def _sub(inner: Any, template: dict, ids: dict[str, str]) -> str | None:
    import re

    text, local = (inner[0], inner[1]) if isinstance(inner, list) and len(inner) == 2 else (inner, {})
    if not isinstance(text, str):
        return None
    missing = []

    def one(match: re.Match) -> str:
        name = match.group(1)
        if name in local:
            got = rendered(local[name], template, ids)
        elif "." in name:
            resource, attribute = name.split(".", 1)
            got = _get_att(resource, attribute, template)
        else:
            got = _ref(name, template, ids)
        if got is None:
            missing.append(name)
        return got or ""

    out = re.sub(r"\$\{([^}!]+)\}", one, text)
    return None if missing else out


def rendered(value: Any, template: dict, ids: dict[str, str] | None = None) -> str | None:
    """``value`` as the string CloudFormation would make of it, with sample values for pseudo parameters
    and ``ids`` (logical id -> what a Ref to it returns; a GetAtt X.Arn gives the ARN of X's type).
    None when the value cannot be rendered (an intrinsic this helper does not know)."""
    ids = ids or {}
    if isinstance(value, str):
        return value
    if not (isinstance(value, dict) and len(value) == 1):
        return None
    ((key, inner),) = value.items()
    if key == "Ref" and isinstance(inner, str):
        return _ref(inner, template, ids)
    if key == "Fn::GetAtt":
        parts = inner if isinstance(inner, list) else str(inner).split(".", 1)
        return _get_att(str(parts[0]), str(parts[1]) if len(parts) > 1 else "", template)
    if key == "Fn::Sub":
        return _sub(inner, template, ids)
    if key == "Fn::Join" and isinstance(inner, list) and len(inner) == 2 and isinstance(inner[1], list):
        parts = [rendered(v, template, ids) for v in inner[1]]
        return None if None in parts else str(inner[0]).join(parts)
    return None


def lint_clean(text: str, what: str = "the template") -> None:
    """CheckFailed naming cfn-lint's first findings, unless it reports nothing."""
    findings = lint(text)
    if findings:
        shown = "; ".join(f"{f.rule} at {f.where or 'line ' + str(f.line)}: {f.message}" for f in findings[:2])
        more = f" (and {len(findings) - 2} more)" if len(findings) > 2 else ""
        raise CheckFailed(f"cfn-lint reports {len(findings)} finding(s) in {what}: {shown}{more}.")
