"""Lesson 03's look at the seed's infrastructure code: read it as written, lint it, deploy it
on the emulator to show what it does, and the review of what no linter reports.

The seed's files are kept verbatim in ``reference_app/iac/seed/`` (see its README).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import yaml

from ..clients import client
from ..deploy import invoke
from ..events import load_event
from ..http import http_call
from ..iac import api_url, delete_stack, deploy_stack, template_path
from ..logs import LoggedInvocation, wait_for_invocations

SEED_STACK = "lab-03-seed"
SEED_FUNCTION_PREFIX = "lab-03-seed"


def template() -> str:
    """The seed's lambda-function.yaml, byte for byte."""
    return template_path("seed/lambda-function.yaml").read_text(encoding="utf-8")


def top_level_keys(text: str) -> list[str]:
    """The template's top-level keys in order, repeats included (what a YAML parser may hide)."""
    return re.findall(r"^([A-Za-z][A-Za-z0-9]*):", text, flags=re.MULTILINE)


class _AnyTagLoader(yaml.SafeLoader):
    """PyYAML's safe loader, reading CloudFormation's !Ref / !Sub / !GetAtt as plain values."""


_AnyTagLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def parameters_a_plain_parser_keeps(text: str) -> list[str]:
    """The parameters PyYAML keeps: with a key written twice, it silently keeps the last."""
    return list((yaml.load(text, Loader=_AnyTagLoader) or {}).get("Parameters", {}))


def merge_duplicate_sections(text: str) -> str:
    """The smallest fix for a top-level key written twice: the later block's entries are
    moved under the first (comments and order otherwise kept)."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if re.match(r"^[A-Za-z][A-Za-z0-9]*:", line)]
    sections: list[tuple[str, list[str]]] = [("", lines[: starts[0]] if starts else lines)]
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(lines)
        sections.append((lines[start].split(":", 1)[0], lines[start:end]))
    merged: list[tuple[str, list[str]]] = []
    seen: dict[str, int] = {}
    for key, block in sections:
        if key and key in seen:
            body = block[1:]
            first = merged[seen[key]][1]
            while first and not first[-1].strip():
                first.pop()
            first.extend(["\n", *body] if body and body[0].strip() else body)
            continue
        if key:
            seen[key] = len(merged)
        merged.append((key, list(block)))
    return "".join(line for _, block in merged for line in block)


def snippet_template(name: str) -> str:
    """A seed best-practice snippet (``performance`` or ``security``) inside a minimal template,
    so that cfn-lint can read it as the seed meant it."""
    snippet = template_path(f"seed/{name}-snippet.yaml").read_text(encoding="utf-8")
    body = "".join(f"  {line}" if line.strip() else line for line in snippet.splitlines(keepends=True))
    return f'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n{body}'


# --- what no linter reports ------------------------------------------------------------------

REVIEW = (
    (
        "One function, three event types",
        "LambdaFunction + ApiGatewayMethod, S3Bucket, DynamoDBStreamTrigger",
        "The code only understands API Gateway: an S3 event or a stream batch gets an HTTP 400 that no one reads, "
        "and the batch counts as processed.",
        "One function per event type (lesson 04); this stack keeps the API only.",
    ),
    (
        "S3 notification before its permission",
        "S3Bucket / S3EventTrigger",
        "S3 checks that it may invoke the function when the notification is put; the permission refers to the "
        "bucket, so it is created after it, and the stack fails: 'Unable to validate the following destination "
        "configurations'.",
        "SourceArn built from the bucket's name (not Ref) and DependsOn on the permission, or SAM's S3 event "
        "(exercise sam-s3-trigger).",
    ),
    (
        "Stream mapping the role cannot read",
        "DynamoDBStreamTrigger / LambdaExecutionRole",
        "The role has no dynamodb:GetRecords, GetShardIterator, DescribeStream or ListStreams on the stream: "
        "AWS refuses to create the mapping.",
        "Grant them on the stream ARN (or attach AWSLambdaDynamoDBExecutionRole).",
    ),
    (
        "Log group raced by the function",
        "CloudWatchLogGroup",
        "Nothing orders it before the function: if Lambda writes first, it creates the group and the stack "
        "then fails on 'already exists'.",
        "DependsOn from the function to the log group.",
    ),
    (
        "Deployment never redeployed",
        "ApiGatewayDeployment",
        "A deployment is a snapshot; CloudFormation does not create a new one when a method changes later.",
        "A new deployment resource (or a SAM API, which hashes its body) per change; an explicit Stage.",
    ),
    (
        "Exports that collide",
        "Outputs/*/Export",
        "Export names are unique per account and Region: a second stack with the same Environment fails.",
        "No exports unless another stack imports them; then prefix with ${AWS::StackName}.",
    ),
    (
        "An e-mail subscription nobody confirms",
        "SNSSubscription",
        "The topic is never used by the function, and the subscription stays pending until someone clicks.",
        "Drop it; notifications belong to the function that sends them.",
    ),
    (
        "Inline code that leaks and overwrites",
        "LambdaFunction/Code/ZipFile",
        "str(e) goes back to callers, created_at is a request id, a second POST overwrites the first user, "
        "success is 200 not 201, CORS is '*'.",
        "The kit's users_api handler, packaged as a real zip in S3.",
    ),
)


def review_table():
    import pandas as pd

    return pd.DataFrame(REVIEW, columns=["problem", "where", "what happens on AWS", "fix"])


# --- the seed on the emulator -----------------------------------------------------------------


@dataclass
class SeedDemo:
    function: str
    post_status: int
    second_post_status: int
    invocations: list[LoggedInvocation]
    s3_answer: dict

    @property
    def invocation_count(self) -> int:
        return len(self.invocations)


def deploy_seed(name: str = SEED_STACK):
    """The seed's template with only its duplicate key merged, as a stack on the emulator."""
    return deploy_stack(name, merge_duplicate_sections(template()), {"FunctionName": SEED_FUNCTION_PREFIX})


def three_event_types(stack) -> SeedDemo:
    """One POST and one upload: count the invocations they cause, and show what the
    function answers an S3 event."""
    function = stack.outputs["LambdaFunctionArn"].rsplit(":", 1)[-1]
    api = stack.outputs["ApiGatewayUrl"].split("//", 1)[1].split(".", 1)[0]
    url = api_url({"ApiId": api, "Stage": "dev"})
    since = int(time.time() * 1000)
    user = {"user_id": "ada", "name": "Ada", "email": "ada@example.com"}
    first, second = http_call(url, "POST", user), http_call(url, "POST", {**user, "name": "Mallory"})
    resources = client("cloudformation").describe_stack_resources(StackName=stack.name)["StackResources"]
    bucket = next(r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::S3::Bucket")
    client("s3").put_object(Bucket=bucket, Key="uploads/report.csv", Body=b"a,b\n1,2\n")
    found = wait_for_invocations(function, count=4, since_ms=since, timeout_s=12)
    answer = invoke(function, load_event("s3_put")).payload
    return SeedDemo(function, first.status, second.status, found, answer)


def delete_seed(name: str = SEED_STACK) -> list:
    """Empty the seed's bucket (CloudFormation deletes only empty buckets), then delete the stack."""
    s3 = client("s3")
    for resource in client("cloudformation").describe_stack_resources(StackName=name)["StackResources"]:
        if resource["ResourceType"] == "AWS::S3::Bucket":
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=resource["PhysicalResourceId"]):
                for obj in page.get("Contents", []):
                    s3.delete_object(Bucket=resource["PhysicalResourceId"], Key=obj["Key"])
    return delete_stack(name)
