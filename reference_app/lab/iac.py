"""CloudFormation from a notebook: lint a template, deploy it as a stack, read its
outputs, delete it and prove nothing is left.

* :func:`lint` runs cfn-lint (the linter AWS maintains) on a template and returns its
  findings as rows (rule, severity, where, line, message); a notebook shows them as a table.
* :func:`upload_code` builds a handler's zip with the kit's packaging (import-checked
  as on Lambda) and puts it in an artifacts bucket under a content-addressed key, so
  the same code is the same key and new code is a new key: that is what makes
  CloudFormation update a function's code.
* :func:`deploy_stack` creates the stack, or updates it, or leaves it when nothing
  changed, and waits until it settles. A stack that failed to create (``ROLLBACK_COMPLETE``)
  cannot be updated, so it is deleted and created again. A failure is one sentence
  naming the first resource that failed and why.
* :func:`delete_stack` deletes it and waits; :func:`leftovers` asks each service
  whether a resource the stack had still exists.

Templates the kit ships live in ``reference_app/iac/`` (:func:`template_path`).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from .clients import client
from .config import Backend, resolve_backend
from .errors import LabError, UnknownName, aws_code, aws_message
from .packaging import build_checked
from .poll import attempts
from .resources import ensure_bucket
from .triggers.apigateway import execute_api_url

ARTIFACTS_BUCKET = "lab-artifacts"
STACK_DEADLINE_S = 120.0
#: CAPABILITY_IAM: the template creates roles; AUTO_EXPAND: it uses a transform (SAM).
CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND")
_SETTLED_OK = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"}
_FAILED = {
    "CREATE_FAILED",
    "ROLLBACK_COMPLETE",
    "ROLLBACK_FAILED",
    "DELETE_FAILED",
    "UPDATE_ROLLBACK_COMPLETE",
    "UPDATE_ROLLBACK_FAILED",
    "UPDATE_FAILED",
}
_NEEDS_RECREATE = {"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "DELETE_FAILED", "CREATE_FAILED"}


# --- templates ------------------------------------------------------------------------------


def iac_dir() -> Path:
    """``reference_app/iac``: the templates the kit ships."""
    return Path(str(importlib_resources.files("reference_app").joinpath("iac")))


def template_path(name: str) -> Path:
    """The path of a shipped template, e.g. ``users-api.yaml`` or ``seed/lambda-function.yaml``."""
    path = iac_dir() / name
    if not path.is_file():
        known = sorted(p.relative_to(iac_dir()).as_posix() for p in iac_dir().rglob("*") if p.is_file())
        raise UnknownName("template", name, known)
    return path


def template_text(template: str | os.PathLike | dict) -> str:
    """A template's text: a dict is dumped as JSON, a path (or a shipped template's name) is read."""
    if isinstance(template, dict):
        return json.dumps(template, indent=1)
    if isinstance(template, os.PathLike):
        return Path(template).read_text(encoding="utf-8")
    if "\n" not in template and template.endswith((".yaml", ".yml", ".json", ".template")):
        path = Path(template)
        return (path if path.is_file() else template_path(template)).read_text(encoding="utf-8")
    return template


# --- lint -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One thing cfn-lint reports."""

    rule: str  # "E3002", "W2531" ...
    severity: str  # "error" | "warning" | "informational"
    where: str  # "Resources/LambdaFunction/Properties/Runtime"
    line: int
    message: str


class Findings(list):
    """cfn-lint's findings, oldest line first; shown in a notebook as a table."""

    @property
    def rules(self) -> list[str]:
        return sorted({f.rule for f in self})

    @property
    def clean(self) -> bool:
        return not self

    def table(self):
        import pandas as pd

        columns = ["rule", "severity", "where", "line", "message"]
        return pd.DataFrame([f.__dict__ for f in self], columns=columns)

    def _repr_html_(self) -> str:
        if not self:
            return "<p>✅ cfn-lint reports nothing.</p>"
        return self.table().to_html(index=False)

    def __str__(self) -> str:
        if not self:
            return "cfn-lint reports nothing."
        return "\n".join(f"{f.rule} line {f.line} {f.where}: {f.message}" for f in self)


def lint(template: str | os.PathLike | dict, *, informational: bool = False, regions: tuple[str, ...] = ("us-east-1",)):
    """cfn-lint's findings for ``template`` (text, a path, a shipped template's name or a dict).

    By default the errors (E) and warnings (W) a CI gate uses; ``informational=True``
    adds the I rules (stateful resources without a DeletionPolicy, hard-coded partitions …).
    """
    try:
        from cfnlint.api import ManualArgs
        from cfnlint.api import lint as cfn_lint
    except ImportError:
        raise LabError("Linting templates needs cfn-lint, one of the kit's dependencies: pip install -e .") from None
    text = template_text(template)
    config = ManualArgs(regions=list(regions))
    if informational:
        config = ManualArgs(regions=list(regions), include_checks=["I"])
    matches = cfn_lint(text, config=config)
    findings = [
        Finding(
            rule=m.rule.id,
            severity=str(m.rule.severity),
            where="/".join(str(p) for p in (getattr(m, "path", None) or [])),
            line=int(m.linenumber),
            message=str(m.message),
        )
        for m in matches
    ]
    findings.sort(key=lambda f: (f.line, f.rule, f.where))
    return Findings(findings)


# --- code for the template ------------------------------------------------------------------


@dataclass(frozen=True)
class CodeLocation:
    """Where a function's zip lies in S3: the template's ``Code.S3Bucket`` / ``Code.S3Key``."""

    bucket: str
    key: str
    handler: str
    size: int

    def parameters(self) -> dict[str, str]:
        return {"CodeBucket": self.bucket, "CodeKey": self.key, "Handler": self.handler}


def upload_code(module: str | os.PathLike, bucket: str = ARTIFACTS_BUCKET, backend: Backend | None = None):
    """Build ``module``'s zip (import-checked as on Lambda) and upload it once, under a key
    made from its digest; return where it is."""
    package = build_checked(module)
    key = f"{package.module}/{hashlib.sha256(package.zip_bytes).hexdigest()[:16]}.zip"
    s3 = client("s3", backend)
    ensure_bucket(s3, bucket)
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as err:
        if aws_code(err) not in ("404", "NoSuchKey", "NotFound"):
            raise
        s3.put_object(Bucket=bucket, Key=key, Body=package.zip_bytes, ContentType="application/zip")
    return CodeLocation(bucket, key, package.handler, package.size)


# --- stacks ---------------------------------------------------------------------------------


@dataclass
class StackResult:
    name: str
    action: str  # "created" | "updated" | "unchanged" | "recreated"
    status: str
    outputs: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def __repr__(self) -> str:
        return f"StackResult({self.name!r}, {self.action}, {self.status}, {self.seconds:.1f} s, outputs={self.outputs})"


def _describe(name: str, backend: Backend | None = None) -> dict | None:
    try:
        stacks = client("cloudformation", backend).describe_stacks(StackName=name)["Stacks"]
    except ClientError as err:
        if aws_code(err) == "ValidationError" and "does not exist" in aws_message(err):
            return None
        raise
    live = [s for s in stacks if s["StackStatus"] != "DELETE_COMPLETE"]
    return live[0] if live else None


def _wait(name: str, backend: Backend | None, deadline_s: float) -> dict | None:
    """Poll until the stack is no longer IN_PROGRESS (None once it is gone)."""
    stack = None
    for _ in attempts(deadline_s, first=0.05, cap=1.0, factor=1.5):
        stack = _describe(name, backend)
        if stack is None or not stack["StackStatus"].endswith("_IN_PROGRESS"):
            return stack
    status = stack["StackStatus"] if stack else "unknown"
    raise LabError(f"Stack {name} was still {status} after {deadline_s:.0f} s; look at its events.")


def failure_reason(name: str, backend: Backend | None = None) -> str:
    """The first resource that failed in the stack's latest operation, and why."""
    try:
        events = client("cloudformation", backend).describe_stack_events(StackName=name)["StackEvents"]
    except ClientError:
        return "no events"
    for event in reversed(events):  # oldest first
        if event["ResourceStatus"].endswith("_FAILED") and event.get("LogicalResourceId") != name:
            return f"{event['LogicalResourceId']}: {event.get('ResourceStatusReason') or event['ResourceStatus']}"
    return next((e.get("ResourceStatusReason", "") for e in events if e.get("ResourceStatusReason")), "no reason given")


def _parameters(parameters: dict[str, Any] | None) -> list[dict[str, str]]:
    return [{"ParameterKey": k, "ParameterValue": str(v)} for k, v in (parameters or {}).items()]


def deploy_stack(
    name: str,
    template: str | os.PathLike | dict,
    parameters: dict[str, Any] | None = None,
    *,
    backend: Backend | None = None,
    deadline_s: float = STACK_DEADLINE_S,
) -> StackResult:
    """Create or update the stack ``name`` from ``template`` and wait until it settles.

    Running it again with the same template and parameters changes nothing
    (``action == "unchanged"``). Raises a one-sentence ``LabError`` when the stack fails.
    """
    backend = backend or resolve_backend()
    cfn = client("cloudformation", backend)
    body = template_text(template)
    started = time.perf_counter()
    args = {
        "StackName": name,
        "TemplateBody": body,
        "Parameters": _parameters(parameters),
        "Capabilities": list(CAPABILITIES),
    }
    current = _describe(name, backend)
    if current is not None and current["StackStatus"].endswith("_IN_PROGRESS"):
        current = _wait(name, backend, deadline_s)
    action = "created"
    if current is not None and current["StackStatus"] in _NEEDS_RECREATE:
        cfn.delete_stack(StackName=name)
        _wait(name, backend, deadline_s)
        current, action = None, "recreated"
    try:
        if current is None:
            cfn.create_stack(**args, OnFailure="ROLLBACK")
        else:
            cfn.update_stack(**args)
            action = "updated"
    except ClientError as err:
        message = aws_message(err)
        if current is not None and "No updates are to be performed" in message:  # an update, not a create
            return StackResult(
                name, "unchanged", current["StackStatus"], _outputs(current), time.perf_counter() - started
            )
        raise LabError(f"CloudFormation refused stack {name}: {message}") from None
    stack = _wait(name, backend, deadline_s)
    status = stack["StackStatus"] if stack else "DELETE_COMPLETE"
    if stack is None or status not in _SETTLED_OK:
        raise LabError(f"Stack {name} ended {status}: {failure_reason(name, backend)}.")
    return StackResult(name, action, status, _outputs(stack), time.perf_counter() - started)


def _outputs(stack: dict) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def stack_outputs(name: str, backend: Backend | None = None) -> dict[str, str]:
    """The stack's outputs as a dict (``LabError`` when there is no such stack)."""
    stack = _describe(name, backend)
    if stack is None:
        raise LabError(f"There is no stack {name}; deploy it first.")
    return _outputs(stack)


@dataclass(frozen=True)
class StackResource:
    logical_id: str
    type: str
    physical_id: str


def stack_resources(name: str, backend: Backend | None = None) -> list[StackResource]:
    """What the stack created: logical id, type and physical id of each resource."""
    if _describe(name, backend) is None:
        return []
    found = client("cloudformation", backend).describe_stack_resources(StackName=name)["StackResources"]
    return [StackResource(r["LogicalResourceId"], r["ResourceType"], r.get("PhysicalResourceId", "")) for r in found]


def delete_stack(name: str, backend: Backend | None = None, deadline_s: float = STACK_DEADLINE_S):
    """Delete the stack and wait until it is gone; return the resources it had ([] if none)."""
    had = stack_resources(name, backend)
    if _describe(name, backend) is None:
        return had
    client("cloudformation", backend).delete_stack(StackName=name)
    stack = _wait(name, backend, deadline_s)
    if stack is not None:
        raise LabError(f"Stack {name} ended {stack['StackStatus']}: {failure_reason(name, backend)}.")
    return had


def api_url(outputs: dict[str, str], path: str = "users", backend: Backend | None = None) -> str:
    """The local invoke URL of a stack's API (its ``ApiId`` and ``Stage`` outputs): on AWS the
    ``ApiUrl`` output is ``https://{id}.execute-api...``, here the emulator's path form."""
    return execute_api_url(outputs["ApiId"], outputs["Stage"], backend) + path


# --- proving a deleted stack left nothing ---------------------------------------------------

_GONE = {
    "ResourceNotFoundException",
    "NoSuchEntity",
    "NoSuchEntityException",
    "NotFoundException",
    "NotFound",
    "404",
    "NoSuchBucket",
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
}


def _probe(resource: StackResource, backend: Backend | None) -> bool | None:
    """True if it still exists, False if not; None for a type that goes with its parent."""
    kind, pid = resource.type, resource.physical_id
    calls = {
        "AWS::Lambda::Function": lambda: client("lambda", backend).get_function(FunctionName=pid),
        "AWS::DynamoDB::Table": lambda: client("dynamodb", backend).describe_table(TableName=pid),
        "AWS::IAM::Role": lambda: client("iam", backend).get_role(RoleName=pid),
        "AWS::ApiGateway::RestApi": lambda: client("apigateway", backend).get_rest_api(restApiId=pid),
        "AWS::S3::Bucket": lambda: client("s3", backend).head_bucket(Bucket=pid),
        "AWS::SNS::Topic": lambda: client("sns", backend).get_topic_attributes(TopicArn=pid),
        "AWS::Lambda::EventSourceMapping": lambda: client("lambda", backend).get_event_source_mapping(UUID=pid),
        "AWS::SQS::Queue": lambda: client("sqs", backend).get_queue_attributes(QueueUrl=pid),
    }
    if kind == "AWS::Logs::LogGroup":
        groups = client("logs", backend).describe_log_groups(logGroupNamePrefix=pid)["logGroups"]
        return any(g["logGroupName"] == pid for g in groups)
    if kind not in calls:
        return None
    try:
        calls[kind]()
    except ClientError as err:
        if aws_code(err) in _GONE:
            return False
        raise
    return True


def leftovers(resources: list[StackResource], backend: Backend | None = None):
    """Ask each service whether each resource still exists: a table with ``exists``
    True / False, or None for a part of another resource (a method, a permission)."""
    import pandas as pd

    rows = [
        {"logical id": r.logical_id, "type": r.type, "physical id": r.physical_id, "exists": _probe(r, backend)}
        for r in resources
    ]
    return pd.DataFrame(rows, columns=["logical id", "type", "physical id", "exists"])


# --- SAM ------------------------------------------------------------------------------------


def sam_translate(template: str | os.PathLike | dict, region: str = "us-east-1") -> dict:
    """The plain CloudFormation a SAM template expands to, from the same translator
    (aws-sam-translator) CloudFormation runs for ``Transform: AWS::Serverless-2016-10-31``.

    Managed-policy names are not looked up (no IAM call), so a ``Policies`` entry that
    names an AWS managed policy by name stays as it is written.
    """
    from types import SimpleNamespace

    try:
        from samtranslator.translator.transform import transform
    except ImportError:
        raise LabError("Expanding SAM templates needs aws-sam-translator: pip install -e .") from None
    from cfnlint.decode import decode_str

    data = template if isinstance(template, dict) else decode_str(template_text(template))[0]
    if not isinstance(data, dict):
        raise LabError("That SAM template does not parse; lint it first (lab.iac.lint).")
    import logging

    logging.getLogger("samtranslator").setLevel(logging.ERROR)  # "unpublished metrics" noise
    # The translator asks boto3 for the Region and partition: give it ours, never the learner's profile.
    clean = {"AWS_DEFAULT_REGION": region, "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    dropped = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL")
    saved = {k: os.environ.get(k) for k in (*clean, *dropped)}
    os.environ.update(clean)
    for key in dropped:
        os.environ.pop(key, None)
    try:
        return transform(json.loads(json.dumps(data, default=str)), {}, SimpleNamespace(load=lambda: {}))
    except Exception as exc:  # samtranslator raises InvalidDocumentException with the reasons
        causes = getattr(exc, "causes", None) or [exc]
        raise LabError(f"SAM cannot expand the template: {getattr(causes[0], 'message', causes[0])}") from None
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def resource_types(template: dict):
    """How many resources of each type a (translated) template declares, as a table."""
    import pandas as pd

    counts: dict[str, list[str]] = {}
    for logical, resource in (template.get("Resources") or {}).items():
        counts.setdefault(resource.get("Type", "?"), []).append(logical)
    rows = [{"type": t, "logical ids": ", ".join(sorted(ids))} for t, ids in sorted(counts.items())]
    return pd.DataFrame(rows, columns=["type", "logical ids"])
