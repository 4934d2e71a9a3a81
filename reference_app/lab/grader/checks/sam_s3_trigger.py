"""Checks for sam-s3-trigger (03_infrastructure_as_code): an S3 upload wired to a function with SAM,
expanded the way CloudFormation expands it, then deployed and driven on the emulator."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ... import clients
from ...config import lab_home
from ...errors import LabError
from ...iac import CodeLocation, delete_stack, deploy_stack, leftovers, sam_translate, upload_code
from ...poll import attempts
from ..framework import CheckFailed, Context, Exercise, shown
from ..policy import action_matches
from ._templates import lint_clean, references, rendered, resources_of

EXERCISE = Exercise("sam-s3-trigger", resources={"CODE_BUCKET": ("bucket", "artifacts")})
STACK = "lab-ex-sam-s3-trigger"


def _template(ctx: Context) -> dict:
    template = ctx.load().template()
    if not isinstance(template, dict):
        raise CheckFailed(f"template() must return a dict, not {type(template).__name__}.")
    return template


def _expanded(ctx: Context) -> dict:
    try:
        return sam_translate(_template(ctx))
    except LabError as exc:
        raise CheckFailed(str(exc)) from None


@EXERCISE.unit("cfn-lint reports nothing on the SAM template")
def lints_clean(ctx: Context) -> None:
    lint_clean(json.dumps(_template(ctx), indent=1), "the SAM template")


@EXERCISE.unit("SAM expands it to one notification, for objects created under uploads/, after its permission")
def notification(ctx: Context) -> None:
    expanded = _expanded(ctx)
    bucket = expanded["Resources"].get("UploadsBucket", {})
    configs = (bucket.get("Properties", {}).get("NotificationConfiguration") or {}).get("LambdaConfigurations", [])
    if len(configs) != 1:
        raise CheckFailed(
            f"UploadsBucket should notify the function once; SAM wrote {len(configs)} notification(s): "
            "give upload_events() one S3 event whose Bucket is a Ref to UploadsBucket."
        )
    config = configs[0]
    if not str(config.get("Event", "")).startswith("s3:ObjectCreated:"):
        raise CheckFailed(f"the notification fires on {config.get('Event')!r}; it should be s3:ObjectCreated:*.")
    rules = config.get("Filter", {}).get("S3Key", {}).get("Rules", [])
    if {"Name": "prefix", "Value": "uploads/"} not in [
        {"Name": str(r.get("Name")).lower(), "Value": r.get("Value")} for r in rules
    ]:
        raise CheckFailed(
            "the notification has no prefix filter uploads/: the function writes thumbnails/ into the same bucket, "
            "and every object it writes would invoke it again (a recursive loop)."
        )
    grants = resources_of(expanded, "AWS::Lambda::Permission")
    s3_grants = {k for k, v in grants.items() if v.get("Properties", {}).get("Principal") == "s3.amazonaws.com"}
    depends = bucket.get("DependsOn", [])
    if not s3_grants & set([depends] if isinstance(depends, str) else depends):
        raise CheckFailed("the bucket does not wait for a permission that lets S3 invoke the function.")


def _cycle(template: dict) -> list[str]:
    """A circular dependency between resources (cfn-lint's E3004), as the chain of logical ids, or []."""
    found = template.get("Resources") or {}
    edges: dict[str, set[str]] = {}
    for name, resource in found.items():
        if not isinstance(resource, dict):
            continue
        depends = resource.get("DependsOn", [])
        targets = references({k: v for k, v in resource.items() if k != "DependsOn"})
        targets |= {depends} if isinstance(depends, str) else set(depends or [])
        edges[name] = {t for t in targets if t in found and t != name}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if not state.get(target):
                loop = visit(target)
                if loop:
                    return loop
        state[node] = 2
        path.pop()
        return []

    for node in sorted(edges):
        if not state.get(node):
            loop = visit(node)
            if loop:
                return loop
    return []


@EXERCISE.unit("the expanded template has no circular dependency (what cfn-lint's E3004 finds, on what SAM wrote)")
def no_cycle(ctx: Context) -> None:
    loop = _cycle(_expanded(ctx))
    if loop:
        raise CheckFailed(
            f"circular dependency between resources: {' -> '.join(loop)}. Refer to the bucket by its name in the "
            "policy ({'Fn::Sub': BUCKET_NAME}), not with Ref: the bucket waits for the function, so the function's "
            "role cannot wait for the bucket."
        )


@EXERCISE.unit("the role reads the uploads bucket and writes the results table, on those two only")
def least_privilege(ctx: Context) -> None:
    expanded = _expanded(ctx)
    statements = []
    for role in resources_of(expanded, "AWS::IAM::Role").values():
        for policy in role.get("Properties", {}).get("Policies", []):
            statements += policy.get("PolicyDocument", {}).get("Statement", [])

    def granted(action: str) -> bool:  # judged by what the patterns allow: dynamodb:* grants PutItem
        return any(
            statement.get("Effect", "Allow") == "Allow"
            and any(
                action_matches(p, action)
                for p in (
                    [statement.get("Action")]
                    if isinstance(statement.get("Action"), str)
                    else statement.get("Action") or []
                )
            )
            for statement in statements
        )

    for needed in ("s3:GetObject", "dynamodb:PutItem"):
        if not granted(needed):
            raise CheckFailed(
                f"no statement of the function's role allows {needed}; add the SAM policy template "
                "for it (S3ReadPolicy, DynamoDBCrudPolicy or DynamoDBWritePolicy)."
            )
    for statement in statements:
        resources = statement.get("Resource")
        if resources == "*" or (isinstance(resources, list) and "*" in resources):
            raise CheckFailed(
                f"a statement allows {shown(statement.get('Action'), 400)} on every resource ('*'); "
                "scope it to the bucket and the table."
            )
    writes = [a for a in ("s3:PutObject", "s3:DeleteObject", "s3:PutBucketNotification") if granted(a)]
    if writes:
        raise CheckFailed(
            f"the role may {', '.join(writes)}: the function only reads uploads (the exercise asks for "
            "read access to the bucket); use S3ReadPolicy, not S3CrudPolicy or s3:*."
        )
    _s3_scoped_to_the_uploads_bucket(ctx, expanded, statements)
    if not any("ResultsTable" in references(s.get("Resource")) for s in statements):
        raise CheckFailed("no statement is scoped to ResultsTable; use DynamoDBCrudPolicy with TableName: Ref.")


def _code(bucket: str) -> CodeLocation:
    """The kit's S3 processor, built, import-checked and uploaded once per version of the kit's handlers
    (the learner writes the template, not the function: its package is the same every run)."""
    handlers = Path(__file__).resolve().parents[3] / "handlers"
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(handlers.rglob("*.py")))).hexdigest()[:16]
    cache = lab_home() / "grader-cache" / f"s3_processor-{digest}-{bucket}.json"
    s3 = clients.client("s3")
    try:
        known = CodeLocation(**json.loads(cache.read_text(encoding="utf-8")))
        s3.head_object(Bucket=known.bucket, Key=known.key)  # still on this emulator (a reset empties it)
        return known
    except Exception:  # no cache yet, a damaged one, or the emulator lost the object: build it again
        code = upload_code("reference_app.handlers.s3_processor", bucket=bucket)
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(code.__dict__), encoding="utf-8")
        return code


def _s3_scoped_to_the_uploads_bucket(ctx: Context, expanded: dict, statements: list[dict]) -> None:
    """Every S3 grant names the uploads bucket (by BUCKET_NAME), rendered as CloudFormation would."""
    template = _template(ctx)
    bucket = rendered({"Fn::Sub": ctx.load().BUCKET_NAME}, template)
    allowed = {f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"}
    for statement in statements:
        actions = statement.get("Action")
        actions = [actions] if isinstance(actions, str) else actions or []
        if not any(str(a).lower().startswith("s3:") for a in actions):
            continue
        resources = statement.get("Resource")
        for resource in resources if isinstance(resources, list) else [resources]:
            arn = rendered(resource, expanded)
            if arn is not None and arn not in allowed:
                raise CheckFailed(
                    f"an S3 statement of the role names {arn!r} once deployed; it should name the "
                    f"uploads bucket ({{'Fn::Sub': BUCKET_NAME}}, here {bucket!r}) and its objects."
                )


@EXERCISE.live("deployed with the SAM transform on the emulator: an upload under uploads/ is processed; stack deleted")
def live(ctx: Context) -> None:
    code = _code(ctx.env["CODE_BUCKET"])
    stack = deploy_stack(STACK, _template(ctx), {"CodeBucket": code.bucket, "CodeKey": code.key})
    s3 = clients.client("s3")
    bucket = stack.outputs.get("BucketName", "")
    try:
        if not bucket or "TableName" not in stack.outputs:
            raise CheckFailed("keep the BucketName and TableName outputs: the check uses them.")
        key = ctx.rng.s3_key(f"uploads/{ctx.run_id} ")
        rows = "".join(f"{ctx.rng.token(5)},{ctx.rng.randint(0, 99)}\n" for _ in range(ctx.rng.randint(1, 20)))
        s3.put_object(Bucket=bucket, Key=key, Body=f"name,score\n{rows}".encode(), ContentType="text/csv")
        table = clients.resource("dynamodb").Table(stack.outputs["TableName"])
        for _ in attempts(deadline_s=8, first=0.2, cap=0.5):
            item = table.get_item(Key={"bucket": bucket, "object_key": key}).get("Item")
            if item:
                break
        else:
            raise CheckFailed(f"nothing recorded {key!r} after 8 s: is the S3 event wired to the function?")
    finally:
        if bucket:
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                for obj in page.get("Contents", []):
                    s3.delete_object(Bucket=bucket, Key=obj["Key"])  # CloudFormation deletes only empty buckets
        had = delete_stack(STACK)
    left = leftovers(had)
    still = left[left["exists"] == True]  # noqa: E712 (None means "part of another resource")
    if len(still):
        raise CheckFailed(f"after deleting the stack these still exist: {', '.join(still['logical id'])}.")
