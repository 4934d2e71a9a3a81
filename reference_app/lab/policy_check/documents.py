"""The rules, and one policy document checked against them (see the package's docstring)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .. import rendering

RULES = (
    "wildcard-action",
    "wildcard-resource",
    "passrole-any-role",
    "public-principal",
    "cors-any-origin",
    "secret-in-environment",
)

#: AWS managed policies the kit's templates attach, as AWS publishes them
#: (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html).
MANAGED_POLICIES = {
    "AWSLambdaBasicExecutionRole": "logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents on *",
}

_CONDITION_PROPERTIES = ("SourceArn", "SourceAccount", "PrincipalOrgID", "FunctionUrlAuthType")
_CORS_ANY = re.compile(r"""Access-Control-Allow-Origin['"]?\s*[:=,]\s*['"]?\*(?![\w.*])""", re.IGNORECASE)
_SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ENCRYPTION_?KEY|CREDENTIAL", re.I)
_REFERENCE_NAME = re.compile(r"_(ID|ARN|NAME|PARAMETER|PARAM|PATH)$", re.I)


@dataclass(frozen=True)
class Finding:
    rule: str
    where: str  # file: resource or policy, statement
    detail: str


@dataclass
class Report:
    """What the check found; ``notes`` are managed policies, shown but not failures."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings

    @property
    def rules(self) -> list[str]:
        return sorted({f.rule for f in self.findings})

    def extend(self, other: Report) -> Report:
        self.findings += other.findings
        self.notes += other.notes
        return self

    def table(self):
        import pandas as pd

        rows = [("finding", f.rule, f.where, f.detail) for f in self.findings]
        rows += [("note", f.rule, f.where, f.detail) for f in self.notes]
        return pd.DataFrame(rows, columns=["kind", "rule", "where", "detail"])

    def _rows(self) -> list[tuple[str, str]]:
        rows = [(f.rule, f"{f.where}: {f.detail}") for f in self.findings]
        return rows + [(f"note: {f.rule}", f"{f.where}: {f.detail}") for f in self.notes]

    def _title(self) -> str:
        return "Policy check: clean" if self.clean else f"Policy check: {len(self.findings)} finding(s)"

    def __repr__(self) -> str:
        return rendering.text(self._title(), self._rows() or [("", "nothing to report")])

    __str__ = __repr__

    def _repr_html_(self) -> str:
        rows = self._rows() or [("", "nothing to report")]
        return rendering.html(self._title(), rows, "ok" if self.clean else "fail")


# --- one policy document ----------------------------------------------------------------------


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _statements(doc: Any) -> list[dict]:
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except ValueError:
            return []
    if not isinstance(doc, dict):
        return []
    return [s for s in _as_list(doc.get("Statement")) if isinstance(s, dict)]


#: Services whose ARNs name the resource first, with no resource type before it.
_NAME_FIRST = frozenset({"s3", "sqs", "sns", "execute-api"})


def wildcard_resource(resource: Any) -> bool:
    """True when ``resource`` names more than one resource of its type, or everything.

    A ``*`` after a named resource is fine (``table/users/index/*``, ``bucket/uploads/*``,
    ``log-group:/aws/lambda/fn:*``); CloudFormation placeholders (``${Table.Arn}``) are names.
    """
    if not isinstance(resource, str):
        return False  # an intrinsic function (Fn::GetAtt ...) names one resource
    text = re.sub(r"\$\{[^}]*\}", "NAMED", resource)
    if text == "*":
        return True
    if not text.startswith("arn:"):
        return "*" in re.split(r"[/:]", text, maxsplit=1)[0]
    parts = text.split(":", 5)
    if len(parts) < 6:
        return "*" in text
    _, _, service, region, account, rest = parts
    if "*" in service or "*" in region or "*" in account:
        return True
    if rest.startswith("log-group:"):
        return "*" in rest[len("log-group:") :].split(":", 1)[0]
    segments = [s for s in re.split(r"[/:]", rest) if s] or ["*"]
    named = segments[:1] if service in _NAME_FIRST or len(segments) == 1 else segments[:2]
    return any("*" in s for s in named)


def check_policy(doc: Any, where: str = "policy") -> list[Finding]:
    """The findings in one policy document (identity, trust or resource policy)."""
    found = []
    for index, stmt in enumerate(_statements(doc)):
        if stmt.get("Effect") != "Allow":
            continue
        at = f"{where}, statement {stmt.get('Sid') or index + 1}"
        actions = [a for a in _as_list(stmt.get("Action")) if isinstance(a, str)]
        resources = _as_list(stmt.get("Resource"))
        wild_actions = [a for a in actions if "*" in a]
        if wild_actions:
            found.append(Finding("wildcard-action", at, f"Action {', '.join(wild_actions)}"))
        if "NotAction" in stmt:
            found.append(Finding("wildcard-action", at, "Allow with NotAction allows every other action"))
        wild_resources = [r for r in resources if wildcard_resource(r)]
        if wild_resources:
            found.append(Finding("wildcard-resource", at, f"Resource {', '.join(map(str, wild_resources))}"))
        if "NotResource" in stmt:
            found.append(Finding("wildcard-resource", at, "Allow with NotResource allows every other resource"))
        passes = [a for a in actions if a.lower() in ("iam:passrole", "iam:*", "*", "iam:pass*")]
        if passes and any(r == "*" for r in resources):
            found.append(Finding("passrole-any-role", at, "iam:PassRole on *: any role, an admin one included"))
        principal = stmt.get("Principal")
        public = principal == "*" or (isinstance(principal, dict) and "*" in _as_list(principal.get("AWS")))
        if public and not stmt.get("Condition"):
            found.append(Finding("public-principal", at, 'Principal "*" without a Condition: anyone'))
    return found


def allows(doc: Any, action: str, resource: str) -> bool:
    """Whether ``doc`` allows ``action`` on ``resource`` (Allow and Deny statements, wildcards;
    conditions are taken as met). A static approximation of IAM's evaluation, for unit checks."""
    from fnmatch import fnmatchcase

    def matches(stmt: dict) -> bool:
        acts = _as_list(stmt.get("Action")) or ["*"]
        if "NotAction" in stmt:
            hit = not any(fnmatchcase(action.lower(), str(a).lower()) for a in _as_list(stmt["NotAction"]))
        else:
            hit = any(fnmatchcase(action.lower(), str(a).lower()) for a in acts)
        res = _as_list(stmt.get("Resource")) or ["*"]
        if "NotResource" in stmt:
            return hit and not any(fnmatchcase(resource, str(r)) for r in _as_list(stmt["NotResource"]))
        return hit and any(fnmatchcase(resource, str(r)) for r in res)

    statements = _statements(doc)
    if any(s.get("Effect") == "Deny" and matches(s) for s in statements):
        return False
    return any(s.get("Effect") == "Allow" and matches(s) for s in statements)
