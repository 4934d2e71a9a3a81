"""Where policies are written: CloudFormation and SAM templates, Terraform files, Python files,
and everything the kit ships."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from ..iac import iac_dir
from ..locations import kit_root
from ..terraform import parse
from .documents import (
    _CONDITION_PROPERTIES,
    _CORS_ANY,
    _REFERENCE_NAME,
    _SECRET_NAME,
    MANAGED_POLICIES,
    Finding,
    Report,
    _as_list,
    check_policy,
)

# --- templates ------------------------------------------------------------------------------------


class _TemplateLoader(yaml.SafeLoader):
    """CloudFormation's short tags as plain values: ``!Ref X`` -> ``${X}``, ``!Sub s`` -> ``s``."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        return value if suffix == "Sub" else f"${{{value}}}"
    if isinstance(node, yaml.SequenceNode):
        items = loader.construct_sequence(node, deep=True)
        if suffix == "Sub" and items and isinstance(items[0], str):
            return items[0]
        if suffix == "GetAtt":
            return "${" + ".".join(map(str, items)) + "}"
        return f"${{{suffix}}}"
    return f"${{{suffix}}}"


_TemplateLoader.add_multi_constructor("!", _tag)


def load_template(text: str) -> dict:
    """A CloudFormation or SAM template (YAML or JSON), its short tags read as placeholders."""
    loaded = yaml.load(text, Loader=_TemplateLoader)  # a SafeLoader subclass
    return loaded if isinstance(loaded, dict) else {}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _managed_note(arn_or_name: Any, where: str) -> list[Finding]:
    name = str(arn_or_name).rsplit("/", 1)[-1].strip("${}")
    grants = MANAGED_POLICIES.get(name, "what AWS wrote in it: read it before attaching it")
    return [Finding("managed-policy", where, f"{name}: {grants}")]


def _environment_findings(variables: Any, where: str) -> list[Finding]:
    found = []
    for name, value in (variables or {}).items() if isinstance(variables, dict) else ():
        if _SECRET_NAME.search(str(name)) and not _REFERENCE_NAME.search(str(name)) and value not in ("", None):
            found.append(
                Finding(
                    "secret-in-environment",
                    where,
                    f"{name} holds a value anyone who can read the "
                    "function's configuration sees; keep it in Secrets Manager or Parameter Store",
                )
            )
    return found


def _role(props: dict, at: str, report: Report) -> None:
    report.findings += check_policy(props.get("AssumeRolePolicyDocument"), f"{at} trust policy")
    for policy in _as_list(props.get("Policies")):
        label = f"{at} {policy.get('PolicyName', 'inline policy')}" if isinstance(policy, dict) else at
        report.findings += check_policy((policy or {}).get("PolicyDocument"), label)
    for arn in _as_list(props.get("ManagedPolicyArns")):
        report.notes += _managed_note(arn, at)


def _policy_resource(props: dict, at: str, report: Report) -> None:
    report.findings += check_policy(props.get("PolicyDocument") or props.get("ResourcePolicy"), at)


def _permission(props: dict, at: str, report: Report) -> None:
    if props.get("Principal") == "*" and not any(props.get(k) for k in _CONDITION_PROPERTIES):
        report.findings.append(
            Finding(
                "public-principal",
                at,
                'Principal "*" with no SourceArn, SourceAccount, PrincipalOrgID or FunctionUrlAuthType: anyone',
            )
        )


def _function_url(props: dict, at: str, report: Report) -> None:
    report.findings += _cors_findings(props.get("Cors"), at)


def _function(props: dict, at: str, report: Report) -> None:
    report.findings += _environment_findings((props.get("Environment") or {}).get("Variables"), at)


def _sam_function(props: dict, at: str, report: Report) -> None:
    if "Role" not in props:  # SAM creates the role, with this managed policy attached
        report.notes += _managed_note("AWSLambdaBasicExecutionRole", f"{at} (the role SAM creates)")
    for policy in _as_list(props.get("Policies")):
        if isinstance(policy, str) and not policy.startswith("${"):  # not a value computed in Python
            report.notes += _managed_note(policy, at)
        elif isinstance(policy, dict) and "Statement" in policy:
            report.findings += check_policy(policy, f"{at} Policies")
        # a SAM policy template (DynamoDBCrudPolicy ...) takes the one resource it is for
    report.findings += _cors_findings((props.get("FunctionUrlConfig") or {}).get("Cors"), at)
    _function(props, at, report)


_RESOURCE_CHECKS = {
    "AWS::IAM::Role": _role,
    "AWS::IAM::Policy": _policy_resource,
    "AWS::IAM::ManagedPolicy": _policy_resource,
    "AWS::S3::BucketPolicy": _policy_resource,
    "AWS::SQS::QueuePolicy": _policy_resource,
    "AWS::SNS::TopicPolicy": _policy_resource,
    "AWS::SecretsManager::ResourcePolicy": _policy_resource,
    "AWS::Lambda::Permission": _permission,
    "AWS::Lambda::Url": _function_url,
    "AWS::Lambda::Function": _function,
    "AWS::Serverless::Function": _sam_function,
}


def check_template(template: str | dict, where: str = "template") -> Report:
    """Every policy, permission, CORS setting and environment of a CloudFormation or SAM
    template (a fragment of resources, like the seed's snippets, too)."""
    doc = load_template(template) if isinstance(template, str) else template
    resources = doc.get("Resources")
    if not isinstance(resources, dict):  # a fragment: the resources at the top level
        resources = {k: v for k, v in doc.items() if isinstance(v, dict) and "Type" in v}
    report = Report()
    for name, resource in resources.items():
        if not isinstance(resource, dict):
            continue
        props, at = resource.get("Properties") or {}, f"{where}: {name}"
        check = _RESOURCE_CHECKS.get(resource.get("Type", ""))
        if check:
            check(props, at, report)
        if any(_CORS_ANY.search(text) for text in _strings(props)):
            report.findings.append(
                Finding(
                    "cors-any-origin", at, "Access-Control-Allow-Origin: * lets any website's scripts read the answers"
                )
            )
    return report


def _cors_findings(cors: Any, where: str) -> list[Finding]:
    if not isinstance(cors, dict) or "*" not in _as_list(cors.get("AllowOrigins")):
        return []
    why = "with AllowCredentials, which browsers refuse" if cors.get("AllowCredentials") else "any website"
    return [Finding("cors-any-origin", where, f"AllowOrigins * ({why})")]


# --- Terraform ----------------------------------------------------------------------------------


def _hcl_value(value: Any) -> Any:
    """python-hcl2's quoted strings ('"x"') unquoted; references stay ``${...}``."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    if isinstance(value, dict):
        return {k: _hcl_value(v) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [_hcl_value(v) for v in value]
    return value


def _jsonencode(value: Any) -> Any:
    """The document inside ``jsonencode({...})`` as python-hcl2 leaves it (a string)."""
    if not isinstance(value, str):
        return value
    match = re.fullmatch(r"\$\{jsonencode\((.*)\)\}", value.strip(), flags=re.S)
    if not match:
        return value
    import hcl2

    return _hcl_value(hcl2.loads(f"document = {match.group(1)}\n")["document"])


def _tf_resource(kind: str, body: dict, at: str, report: Report) -> None:
    if kind == "aws_iam_role":
        report.findings += check_policy(_jsonencode(body.get("assume_role_policy")), f"{at} trust policy")
    elif kind in ("aws_iam_role_policy", "aws_iam_policy"):
        report.findings += check_policy(_jsonencode(body.get("policy")), at)
    elif kind == "aws_iam_role_policy_attachment":
        report.notes += _managed_note(body.get("policy_arn"), at)
    elif kind == "aws_lambda_permission" and body.get("principal") == "*":
        if not any(body.get(k) for k in ("source_arn", "source_account", "principal_org_id", "function_url_auth_type")):
            report.findings.append(Finding("public-principal", at, 'principal "*" with no condition'))
    elif kind == "aws_lambda_function":
        for env in _as_list(body.get("environment")):
            report.findings += _environment_findings((env or {}).get("variables"), at)


def check_terraform(path: str | Path, where: str | None = None) -> Report:
    """The same rules over a Terraform file's resources (and the code its data sources inline)."""
    where = where or Path(path).name
    report = Report()
    tree = parse(path)
    for section, prefix in (("resource", ""), ("data", "data.")):
        for block in tree.get(section, []):
            for kind, named in block.items():
                kind = kind.strip('"')
                for name, body in named.items():
                    body, at = _hcl_value(body), f"{where}: {prefix}{kind}.{name.strip(chr(34))}"
                    if section == "resource":
                        _tf_resource(kind, body, at, report)
                    if any(_CORS_ANY.search(text) for text in _strings(body)):
                        report.findings.append(Finding("cors-any-origin", at, "Access-Control-Allow-Origin: *"))
    return report


# --- Python files: policy documents and templates written as code -------------------------------


def _key(value: Any) -> Any:
    """A dict key as Python would hold it: a tuple key (``{("a", "b"): ...}``) stays hashable."""
    return tuple(_key(v) for v in value) if isinstance(value, list) else value


def _literal(node: ast.AST) -> Any:
    """A value for an expression, leniently: what is not a literal becomes ``${source}``."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Dict):
        return {_key(_literal(k)): _literal(v) for k, v in zip(node.keys, node.values, strict=True) if k is not None}
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [_literal(e) for e in node.elts]
    if isinstance(node, ast.JoinedStr):
        return "".join(
            str(v.value)
            if isinstance(v, ast.Constant)
            else f"${{{ast.unparse(v.value if isinstance(v, ast.FormattedValue) else v)}}}"
            for v in node.values
        )
    return f"${{{ast.unparse(node)}}}"


def check_python(path: str | Path, where: str | None = None) -> Report:
    """Policy documents (a dict with a ``Statement`` key) and templates (a string or dict with
    ``Resources``) written in a Python file, such as a lesson helper or an exercise's solution."""
    where = where or Path(path).name
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    report = Report()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            at = f"{where}, line {node.lineno}"
            if "Statement" in keys:
                report.findings += check_policy(_literal(node), at)
            elif "Resources" in keys:
                report.extend(check_template(_literal(node), at))
            report.findings += _python_dict_findings(_literal(node), at)
        elif isinstance(node, ast.Call):  # boto3: create_function(Environment={...}), Cors={...}
            settings = {kw.arg: _literal(kw.value) for kw in node.keywords if kw.arg in ("Environment", "Cors")}
            report.findings += _python_dict_findings(settings, f"{where}, line {node.lineno}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _looks_like_template(node.value):
            report.extend(check_template(node.value, f"{where}, line {node.lineno}"))
    return report


def _python_dict_findings(value: dict, where: str) -> list[Finding]:
    """A handler's response headers with ``Access-Control-Allow-Origin: *``, a function URL's
    ``Cors`` with ``AllowOrigins: ["*"]``, and a function's ``Environment`` (boto3's
    ``create_function(Environment={"Variables": {...}})``) holding a secret's value."""
    found = []
    for key, item in value.items():
        if isinstance(key, str) and key.lower() == "access-control-allow-origin" and item == "*":
            found.append(
                Finding(
                    "cors-any-origin",
                    where,
                    "Access-Control-Allow-Origin: * lets any website's scripts read the answers",
                )
            )
        elif key == "Cors":
            found += _cors_findings(item, where)
        elif key == "Environment" and isinstance(item, dict):
            found += _environment_findings(item.get("Variables"), where)
    return found


def _looks_like_template(text: str) -> bool:
    return "\nResources:" in text and ("AWSTemplateFormatVersion" in text or "Transform:" in text)


# --- files, and everything the kit ships ----------------------------------------------------------


def check_file(path: str | Path, where: str | None = None) -> Report:
    path = Path(path)
    if path.suffix == ".tf":
        return check_terraform(path, where)
    if path.suffix == ".py":
        return check_python(path, where)
    text, where = path.read_text(encoding="utf-8"), where or path.name
    doc = load_template(text)
    if "Statement" in doc:  # a policy document on its own (identity, trust or resource policy)
        return Report(findings=check_policy(doc, where))
    return check_template(doc, where)


#: Where policies and templates are written, as files the check reads.
POLICY_SUFFIXES = (".yaml", ".yml", ".json", ".tf")


def shipped_files() -> list[Path]:
    """Every template and policy the kit ships: every template, Terraform file and JSON document
    under reference_app (reference_app/iac, the seed's verbatim files included; policies saved
    as JSON anywhere), the lab tooling's Python files and data, the functions (reference_app/handlers),
    the lessons' sources (lessons/) and the exercises' solutions.

    Not here: the exercises' stubs (a debug exercise starts from the broken policy on purpose;
    ``exercise_files`` lists them), the tests, and the course's own YAML (questions, outline).
    """
    root, package = kit_root(), Path(__file__).resolve().parents[2]  # the kit, reference_app
    files = [p for p in sorted(iac_dir().rglob("*")) if p.suffix in POLICY_SUFFIXES]
    files += [p for p in sorted(package.rglob("*.json")) if p not in files]
    files += sorted((package / "lab").rglob("*.py")) + sorted((package / "lab").rglob("*.yml"))  # code and its data
    files += sorted((package / "handlers").rglob("*.py"))
    for folder in ("lessons", "solutions"):
        files += sorted((root / folder).rglob("*.py"))
    return [p for p in files if "__pycache__" not in p.parts]


def exercise_files() -> list[Path]:
    """The exercises' stubs, as learners get them (a debug exercise's policy is broken on purpose)."""
    return sorted(p for p in (kit_root() / "exercises").rglob("*.py") if "__pycache__" not in p.parts)


def _label(path: Path) -> str:
    for root in (kit_root(), Path(__file__).resolve().parents[3]):
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    return path.name


def shipped(paths: Iterable[Path] | None = None) -> Report:
    """:func:`check_file` over :func:`shipped_files`, each finding labelled with its file."""
    report = Report()
    for path in paths or shipped_files():
        report.extend(check_file(path, _label(path)))
    return report


def is_seed(finding: Finding) -> bool:
    """A finding in the seed's verbatim files (``reference_app/iac/seed/``), asserted rather than fixed."""
    return "iac/seed/" in finding.where
