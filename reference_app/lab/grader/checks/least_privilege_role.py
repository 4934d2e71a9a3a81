"""Checks for least-privilege-role (06_security): the users API's execution role, cut to its job.

Unit: the policy is a policy document, the policy check finds nothing in it, and (statically)
it allows the users API's four calls on its table and the log writes on its own log group, and
nothing else the probe tries. Live, on the emulator that enforces IAM: the users API deployed
with the role answers every route through its function URL, and the probe function, with the
same role, is refused everything else from inside Lambda.
"""

from __future__ import annotations

from ... import policy_check
from ...clients import client
from ...errors import LabError
from ...http import http_call
from ...lesson_helpers import security, security_resources
from ...lesson_helpers.seed_security import log_group_arn
from ...resources import ensure_table
from ...triggers import function_url
from ..framework import CheckFailed, Context, Exercise, shown
from ..policy import allows, grants_beyond, summary

EXERCISE = Exercise("least-privilege-role")
ACCOUNT = "000000000000"
FUNCTION = "lab-ex-least-privilege-role"
TABLE = "lab-ex-least-privilege-users"
OTHER_TABLE = "lab-ex-least-privilege-orders"
TABLE_ARN = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{TABLE}"
LOG_GROUP = log_group_arn(FUNCTION)
JOB = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Scan")
#: (action, resource) pairs outside the job: each must be refused.
OUTSIDE = (
    ("dynamodb:UpdateItem", TABLE_ARN),
    ("dynamodb:Query", TABLE_ARN),
    ("dynamodb:DeleteTable", TABLE_ARN),
    ("dynamodb:Scan", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{OTHER_TABLE}"),
    ("logs:PutLogEvents", f"{log_group_arn('some-other-function')}:log-stream:x"),
    ("logs:CreateLogGroup", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/new"),
    ("s3:ListAllMyBuckets", "*"),
    ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/admin"),
)


def _policy(ctx: Context, table_arn: str = TABLE_ARN, log_group: str = LOG_GROUP) -> dict:
    doc = ctx.load().policy(table_arn, log_group)
    if not isinstance(doc, dict) or not isinstance(doc.get("Statement"), list):
        raise CheckFailed("policy() must return a policy document: a dict with a 'Statement' list.")
    if doc.get("Version") != "2012-10-17":
        raise CheckFailed('the document needs "Version": "2012-10-17" (without it, IAM ignores ${...} variables).')
    for index, stmt in enumerate(doc["Statement"], 1):
        if (
            not isinstance(stmt, dict)
            or "Effect" not in stmt
            or not {"Action", "NotAction"} & set(stmt)
            or not {"Resource", "NotResource"} & set(stmt)
        ):
            raise CheckFailed(f"statement {index} needs Effect, Action (or NotAction) and Resource (or NotResource).")
    return doc


def _drawn(ctx: Context) -> tuple[str, str]:
    """A table ARN and a log group ARN drawn for this run: a policy that hard-codes one run's names fails."""
    table = (
        f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{ctx.rng.choice(('users', 'people', 'accounts'))}-"
        f"{ctx.rng.token(6)}"
    )
    return table, log_group_arn(f"users-api-{ctx.rng.token(6)}")


def _job(table_arn: str, log_group: str) -> dict[str, list[str]]:
    """What the users API needs, as action -> the resources it may cover (one table; its own log group)."""
    logs = [log_group, f"{log_group}:*", f"{log_group}:log-stream:*"]
    return {**{a: [table_arn] for a in JOB}, "logs:CreateLogStream": logs, "logs:PutLogEvents": logs}


@EXERCISE.unit("the policy is an IAM policy document")
def document(ctx: Context) -> None:
    _policy(ctx, *_drawn(ctx))


@EXERCISE.unit("the policy check finds no wildcard action or resource")
def no_wildcards(ctx: Context) -> None:
    findings = policy_check.check_policy(_policy(ctx, *_drawn(ctx)), "policy()")
    if findings:
        raise CheckFailed("; ".join(f"{f.rule}: {f.detail}" for f in findings) + ".")


@EXERCISE.unit("it allows the users API's calls on its table and the log writes on its own log group")
def allows_the_job(ctx: Context) -> None:
    table_arn, log_group = _drawn(ctx)
    doc = _policy(ctx, table_arn, log_group)
    missing = [f"{a} on {table_arn}" for a in JOB if not allows(doc, a, table_arn)]
    stream = f"{log_group}:log-stream:2026/11/28/[$LATEST]{ctx.rng.token(8)}"
    missing += [f"{a} on {stream}" for a in ("logs:CreateLogStream", "logs:PutLogEvents") if not allows(doc, a, stream)]
    if missing:
        raise CheckFailed(
            f"the function needs {'; '.join(missing)} (users_api calls get_item, put_item, "
            "delete_item and scan; Lambda writes its logs to its own log group's streams; use the "
            "ARNs policy() is given)."
        )


@EXERCISE.unit("it allows nothing else: every action of every service it names, on every resource it names")
def nothing_else(ctx: Context) -> None:
    table_arn, log_group = _drawn(ctx)
    doc = _policy(ctx, table_arn, log_group)
    extra = grants_beyond(doc, _job(table_arn, log_group), services=("dynamodb", "logs"))
    if extra:
        raise CheckFailed(
            f"besides its job the policy allows {len(extra)} more grant(s): {summary(extra)}. "
            "Name the four table actions and the two log actions, on the ARNs policy() is given."
        )
    # the probes of the live check, judged the same way (IAM's evaluation, Deny first)
    probes = [f"{a} on {r}" for a, r in OUTSIDE if allows(doc, a, r)]
    if probes:
        raise CheckFailed(f"the policy still allows {'; '.join(probes)}.")


def _resources(backend) -> tuple[str, str]:
    ddb = client("dynamodb", backend)
    for name, logical in ((TABLE, "users"), (OTHER_TABLE, "orders")):
        ensure_table(ddb, logical, name)
    return ddb.describe_table(TableName=TABLE)["Table"]["TableArn"], FUNCTION


def probe_outside(role_arn: str, backend):
    """The probe function, with the learner's role, trying what the users API never does."""
    key = {"user_id": {"S": "probe"}}
    calls: list[tuple[str, str, dict]] = [
        (
            "dynamodb",
            "UpdateItem",
            {
                "TableName": TABLE,
                "Key": key,
                "UpdateExpression": "SET n = :n",
                "ExpressionAttributeValues": {":n": {"N": "1"}},
            },
        ),
        (
            "dynamodb",
            "Query",
            {
                "TableName": TABLE,
                "KeyConditionExpression": "user_id = :u",
                "ExpressionAttributeValues": {":u": {"S": "probe"}},
            },
        ),
        ("dynamodb", "Scan", {"TableName": OTHER_TABLE, "Limit": 1}),
        ("dynamodb", "DeleteTable", {"TableName": OTHER_TABLE}),
        ("logs", "CreateLogGroup", {"logGroupName": "/aws/lambda/lab-ex-someone-else"}),
        ("s3", "ListBuckets", {}),
    ]
    return security_resources.probe(role_arn, calls, backend, name=f"{FUNCTION}-probe")


@EXERCISE.show
def demo(ctx: Context):
    """Deploy the probe with the role as it is and show what it may do beyond the users API's job."""
    backend = security.enforcing_emulator()
    table_arn, function = _resources(backend)
    role = security.ensure_role(FUNCTION, ctx.load().policy(table_arn, log_group_arn(function)), backend)
    return probe_outside(role, backend)


@EXERCISE.live(
    "on the emulator that enforces IAM: every route answers through the function URL, "
    "and the probe is refused everything else"
)
def live(ctx: Context) -> None:
    with security.enforcing() as backend:
        table_arn, function = _resources(backend)
        role = security.ensure_role(function, _policy(ctx, table_arn, log_group_arn(function)), backend)
        security.deploy_with_role(
            function, "reference_app.handlers.users_api", role, backend, environment={"USERS_TABLE": TABLE}
        )
        url = function_url(function, backend=backend) + "users"
        user = {"user_id": f"u-{ctx.run_id}", "name": "Grace Hopper", "email": "grace@example.com"}
        for method, path, body, status in (
            ("POST", "", user, 201),
            ("GET", f"/{user['user_id']}", None, 200),
            ("GET", "", None, 200),
            ("DELETE", f"/{user['user_id']}", None, 204),
        ):
            answer = http_call(url + path, method, body)
            if answer.status != status:
                raise CheckFailed(
                    f"{method} /users{path} answered {answer.status} ({shown(answer.body)}), expected "
                    f"{status}: the role refuses something the users API needs (its log says which)."
                )
        try:
            tried = probe_outside(role, backend)
        except LabError as exc:
            raise CheckFailed(str(exc)) from None
        allowed = tried.index[tried["allowed"].astype(bool)].tolist()
        if allowed:
            raise CheckFailed(f"from inside Lambda, the role still allows {', '.join(allowed)}.")
