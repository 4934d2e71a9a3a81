"""Checks for sam-s3-trigger (03_infrastructure_as_code): an S3 upload wired to a function with SAM,
expanded the way CloudFormation expands it, then deployed and driven on the emulator."""

from __future__ import annotations

import json
import uuid

from ... import clients
from ...errors import LabError
from ...iac import delete_stack, deploy_stack, leftovers, lint, sam_translate, upload_code
from ...poll import attempts
from ..framework import CheckFailed, Context, Exercise, shown
from ..policy import action_matches
from ._templates import lint_clean, references, resources_of

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
        raise CheckFailed(f"UploadsBucket should notify the function once; SAM wrote {len(configs)} notification(s): "
                          "give upload_events() one S3 event whose Bucket is a Ref to UploadsBucket.")
    config = configs[0]
    if not str(config.get("Event", "")).startswith("s3:ObjectCreated:"):
        raise CheckFailed(f"the notification fires on {config.get('Event')!r}; it should be s3:ObjectCreated:*.")
    rules = config.get("Filter", {}).get("S3Key", {}).get("Rules", [])
    if {"Name": "prefix", "Value": "uploads/"} not in [{"Name": str(r.get("Name")).lower(), "Value": r.get("Value")}
                                                      for r in rules]:
        raise CheckFailed(
            "the notification has no prefix filter uploads/: the function writes thumbnails/ into the same bucket, "
            "and every object it writes would invoke it again (a recursive loop)."
        )
    grants = resources_of(expanded, "AWS::Lambda::Permission")
    s3_grants = {k for k, v in grants.items() if v.get("Properties", {}).get("Principal") == "s3.amazonaws.com"}
    depends = bucket.get("DependsOn", [])
    if not s3_grants & set([depends] if isinstance(depends, str) else depends):
        raise CheckFailed("the bucket does not wait for a permission that lets S3 invoke the function.")


@EXERCISE.unit("the expanded template has no circular dependency (cfn-lint on what SAM wrote)")
def no_cycle(ctx: Context) -> None:
    findings = [f for f in lint(_expanded(ctx)) if f.rule == "E3004"]
    if findings:
        raise CheckFailed(
            f"{findings[0].message} Refer to the bucket by its name in the policy ({{'Fn::Sub': BUCKET_NAME}}), "
            "not with Ref: the bucket waits for the function, so the function's role cannot wait for the bucket."
        )


@EXERCISE.unit("the role reads the uploads bucket and writes the results table, on those two only")
def least_privilege(ctx: Context) -> None:
    expanded = _expanded(ctx)
    statements = []
    for role in resources_of(expanded, "AWS::IAM::Role").values():
        for policy in role.get("Properties", {}).get("Policies", []):
            statements += policy.get("PolicyDocument", {}).get("Statement", [])
    def granted(action: str) -> bool:  # judged by what the patterns allow: dynamodb:* grants PutItem
        return any(statement.get("Effect", "Allow") == "Allow" and
                   any(action_matches(p, action) for p in
                       ([statement.get("Action")] if isinstance(statement.get("Action"), str)
                        else statement.get("Action") or []))
                   for statement in statements)

    for needed in ("s3:GetObject", "dynamodb:PutItem"):
        if not granted(needed):
            raise CheckFailed(f"no statement of the function's role allows {needed}; add the SAM policy template "
                              "for it (S3ReadPolicy, DynamoDBCrudPolicy or DynamoDBWritePolicy).")
    for statement in statements:
        resources = statement.get("Resource")
        if resources == "*" or (isinstance(resources, list) and "*" in resources):
            raise CheckFailed(f"a statement allows {shown(statement.get('Action'), 400)} on every resource ('*'); "
                              "scope it to the bucket and the table.")
    if not any("ResultsTable" in references(s.get("Resource")) for s in statements):
        raise CheckFailed("no statement is scoped to ResultsTable; use DynamoDBCrudPolicy with TableName: Ref.")


@EXERCISE.live("deployed with the SAM transform on the emulator: an upload under uploads/ is processed; stack deleted")
def live(ctx: Context) -> None:
    code = upload_code("reference_app.handlers.s3_processor", bucket=ctx.env["CODE_BUCKET"])
    stack = deploy_stack(STACK, _template(ctx), {"CodeBucket": code.bucket, "CodeKey": code.key})
    s3 = clients.client("s3")
    bucket = stack.outputs.get("BucketName", "")
    try:
        if not bucket or "TableName" not in stack.outputs:
            raise CheckFailed("keep the BucketName and TableName outputs: the check uses them.")
        key = f"uploads/{ctx.run_id}-{uuid.uuid4().hex[:6]}.csv"
        s3.put_object(Bucket=bucket, Key=key, Body=b"name,score\nada,3\n", ContentType="text/csv")
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
