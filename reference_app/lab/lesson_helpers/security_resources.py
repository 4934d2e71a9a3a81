"""Lesson 06's resources in the emulator that enforces IAM, and the tools that look at what a role allows.

Everything here is idempotent (re-running a notebook finds what it made), and takes the
enforcing emulator's backend (:func:`reference_app.lab.lesson_helpers.security.enforcing_emulator`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from botocore.exceptions import ClientError

from ..clients import client
from ..config import Backend
from ..deploy import invoke
from ..errors import LabError, aws_code
from ..http import HttpResponse, http_call
from ..logs import wait_for_invocations
from ..resources import ensure_table
from .security import PROBE_MODULE, deploy_with_role


def simulate(roles: dict[str, str], actions: Iterable[str], resource: str, backend: Backend):
    """IAM's policy simulator (``iam:SimulatePrincipalPolicy``, as ``aws iam simulate-principal-policy``)
    for each role (label -> ARN): which of ``actions`` each allows on ``resource``. No function runs."""
    import pandas as pd

    iam = client("iam", backend)
    actions = list(actions)
    columns = {}
    for label, arn in roles.items():
        results = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=actions, ResourceArns=[resource])
        columns[label] = {r["EvalActionName"]: r["EvalDecision"] for r in results["EvaluationResults"]}
    return pd.DataFrame(columns).reindex(actions)


def probe(role_arn: str, calls: Iterable[tuple[str, str, dict]], backend: Backend, name: str = "lab-06-probe"):
    """Deploy the probe function with ``role_arn`` and have it try ``calls`` (service, operation,
    params) from inside Lambda; a table of which the role allowed."""
    import pandas as pd

    deploy_with_role(name, PROBE_MODULE, role_arn, backend, timeout=20)
    body = {"calls": [{"service": s, "operation": o, "params": p} for s, o, p in calls]}
    result = invoke(name, body, backend)
    if not result.ok:
        raise LabError(f"The probe function failed: {result.payload}")
    return pd.DataFrame(result.payload).rename(columns={"action": "call"}).set_index("call")


def table_calls(table: str, other_table: str) -> list[tuple[str, str, dict]]:
    """What a function could do to a users table (and to another table), as probe calls."""
    key = {"user_id": {"S": "probe"}}
    return [
        ("dynamodb", "PutItem", {"TableName": table, "Item": key}),
        ("dynamodb", "GetItem", {"TableName": table, "Key": key}),
        (
            "dynamodb",
            "UpdateItem",
            {
                "TableName": table,
                "Key": key,
                "UpdateExpression": "SET n = :n",
                "ExpressionAttributeValues": {":n": {"N": "1"}},
            },
        ),
        (
            "dynamodb",
            "Query",
            {
                "TableName": table,
                "KeyConditionExpression": "user_id = :u",
                "ExpressionAttributeValues": {":u": {"S": "probe"}},
            },
        ),
        ("dynamodb", "Scan", {"TableName": table, "Limit": 1}),
        ("dynamodb", "DeleteItem", {"TableName": table, "Key": key}),
        ("dynamodb", "Scan", {"TableName": other_table, "Limit": 1}),
        ("dynamodb", "DeleteTable", {"TableName": f"{other_table}-does-not-exist"}),
    ]


# --- the lesson's resources, created idempotently -----------------------------------------------


def table(backend: Backend, logical: str, name: str) -> str:
    """Table ``name`` from the kit's definition of ``logical`` (``users`` ...), created if missing; its ARN."""
    ddb = client("dynamodb", backend)
    ensure_table(ddb, logical, name)
    return ddb.describe_table(TableName=name)["Table"]["TableArn"]


def kms_key(backend: Backend, alias: str = "alias/lab-06") -> str:
    """The ARN of the customer managed key named ``alias``, created if missing."""
    kms = client("kms", backend)
    try:
        return kms.describe_key(KeyId=alias)["KeyMetadata"]["Arn"]
    except ClientError as err:
        if aws_code(err) != "NotFoundException":
            raise
    arn = kms.create_key(Description=f"lambda-lab {alias}")["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName=alias, TargetKeyId=arn)
    return arn


def secret(backend: Backend, name: str, value: str, key_arn: str) -> str:
    """Secret ``name`` holding ``value``, encrypted with ``key_arn`` (a new version if it exists); its ARN."""
    sm = client("secretsmanager", backend)
    try:
        return sm.create_secret(Name=name, SecretString=value, KmsKeyId=key_arn)["ARN"]
    except ClientError as err:
        if aws_code(err) != "ResourceExistsException":
            raise
    return sm.put_secret_value(SecretId=name, SecretString=value)["ARN"]


def secure_parameter(backend: Backend, name: str, value: str, key_arn: str) -> str:
    """SSM parameter ``name``, type SecureString, encrypted with ``key_arn``; its ARN."""
    ssm = client("ssm", backend)
    ssm.put_parameter(Name=name, Value=value, Type="SecureString", KeyId=key_arn, Overwrite=True)
    return ssm.get_parameter(Name=name)["Parameter"]["ARN"]


def function_arn(name: str, backend: Backend) -> str:
    return client("lambda", backend).get_function_configuration(FunctionName=name)["FunctionArn"]


def invoke_url_policy(function: str, backend: Backend) -> dict:
    """What a caller needs to call ``function``'s AWS_IAM URL (both actions since October 2025: urls-auth.html)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["lambda:InvokeFunctionUrl", "lambda:InvokeFunction"],
                "Resource": function_arn(function, backend),
            }
        ],
    }


def viewer_policy(function: str, backend: Backend) -> dict:
    """Read one function's configuration, nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "lambda:GetFunctionConfiguration",
                "Resource": function_arn(function, backend),
            }
        ],
    }


def resource_policy(function: str, backend: Backend):
    """The function's resource-based policy, one row per statement."""
    import pandas as pd

    try:
        doc = json.loads(client("lambda", backend).get_policy(FunctionName=function)["Policy"])
    except ClientError as err:
        if aws_code(err) != "ResourceNotFoundException":
            raise
        doc = {"Statement": []}
    rows = [
        (s.get("Sid"), json.dumps(s.get("Principal")), s.get("Action"), json.dumps(s.get("Condition", {})))
        for s in doc.get("Statement", [])
    ]
    return pd.DataFrame(rows, columns=["Sid", "Principal", "Action", "Condition"]).set_index("Sid")


def cors_headers(response: HttpResponse) -> dict[str, str]:
    """The CORS headers of an answer (``Access-Control-*`` and ``Vary``)."""
    return {k: v for k, v in response.headers.items() if k.lower().startswith(("access-control", "vary"))}


def preflight(url: str, origin: str, method: str = "POST", headers: str = "content-type") -> HttpResponse:
    """The OPTIONS request a browser sends before a cross-origin ``method`` from ``origin``."""
    return http_call(
        url,
        "OPTIONS",
        headers={"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers},
    )


def denials(function: str, since_ms: int, backend: Backend) -> list[str]:
    """The AccessDenied errors the function logged since ``since_ms`` (waits for its invocations):
    the last line of each logged exception, which names the role, the action and why."""
    found = []
    for invocation in wait_for_invocations(function, 1, since_ms, timeout_s=10, backend=backend):
        for line in invocation.output:
            if "AccessDenied" not in line:
                continue
            try:
                text = json.loads(line).get("exception") or line
            except ValueError:
                text = line
            found.append(text.strip().splitlines()[-1])
    return found


#: A function URL's CORS chosen deliberately: the one front end that calls it, the methods and headers it
#: sends (a SigV4-signed browser call adds the x-amz-* ones), and a preflight cached for five minutes.
CORS = {
    "AllowOrigins": ["https://app.example.com"],
    "AllowMethods": ["GET", "POST"],
    "AllowHeaders": ["content-type", "authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"],
    "MaxAge": 300,
}
#: Stand-ins for the secrets the secrets_reader function reads (never real ones, never printed).
DEMO_DB_PASSWORD = "demo-db-password-7d1e"
DEMO_API_TOKEN = "demo-api-token-52af"


def url_calls(calls: dict):
    """One row per labelled call (label -> a function returning an HttpResponse): status and body."""
    import pandas as pd

    answers = {label: call() for label, call in calls.items()}
    return pd.DataFrame(
        {"status": {k: r.status for k, r in answers.items()}, "body": {k: r.body[:90] for k, r in answers.items()}}
    )
