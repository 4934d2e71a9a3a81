"""Lesson 06's reading of the seed: its IAM policies, what its code calls, and its code deployed as it is.

The seed's files are kept verbatim in ``reference_app/iac/seed/`` (see its README): its
CloudFormation template (``lambda-function.yaml``), its Terraform (``lambda.tf``) and its
"security best practices" snippet. Three policies for the same create-user function; its
inline code (one ``table.put_item``) is the same in the template and in the Terraform.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from ..config import lab_home, writing
from ..iac import template_path
from ..policy_check import _as_list, _jsonencode, _statements, load_template
from ..terraform import parse
from .security import deploy_with_role

SEED_FILES = ("lambda-function.yaml", "lambda.tf", "security-snippet.yaml")
#: Every DynamoDB action the seed's policies grant, in the order its template lists them.
DYNAMODB_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:Scan",
)
#: The seed's security snippet keeps ``ENCRYPTION_KEY`` in a plain variable; the lesson does the same
#: with this stand-in (never a real key) to show who can read it.
DEMO_ENCRYPTION_KEY = "demo-only-0f3c9a7e5b21d84c"


def _seed_template() -> dict:
    return load_template(template_path("seed/lambda-function.yaml").read_text(encoding="utf-8"))


def seed_policies() -> dict[str, dict]:
    """The seed's three execution-role policies, by where they are written."""
    role = _seed_template()["Resources"]["LambdaExecutionRole"]["Properties"]
    snippet = load_template(template_path("seed/security-snippet.yaml").read_text(encoding="utf-8"))
    policies = {
        "lambda-function.yaml DynamoDBAccess": role["Policies"][0]["PolicyDocument"],
        "security-snippet.yaml LeastPrivilegeAccess": snippet["LambdaExecutionRole"]["Properties"]["Policies"][0][
            "PolicyDocument"
        ],
    }
    for block in parse(template_path("seed/lambda.tf")).get("resource", []):
        for body in block.get('"aws_iam_role_policy"', {}).values():
            policies["lambda.tf aws_iam_role_policy"] = _jsonencode(body["policy"])
    return dict(sorted(policies.items()))


def seed_policy(where: str, table_arn: str) -> dict:
    """One of :func:`seed_policies` with its table placeholder (``${DynamoDBTable.Arn}``) made the
    real table's ARN, ready to attach to a role."""
    import json
    import re

    text = json.dumps(seed_policies()[where])
    return json.loads(re.sub(r"\$\{(DynamoDBTable\.Arn|aws_dynamodb_table\.main\.arn)\}", table_arn, text))


def seed_code() -> str:
    """The seed's create-user function, as its template inlines it (``Code: ZipFile``)."""
    return _seed_template()["Resources"]["LambdaFunction"]["Properties"]["Code"]["ZipFile"]


@functools.cache
def _operations(service: str) -> dict[str, str]:
    """boto3 method name -> API operation name, from botocore's model of ``service``."""
    from botocore import xform_name
    from botocore.loaders import create_loader

    # The SDK's data files only: no session, so no profile or config file of the learner's is read.
    model = create_loader().load_service_model(service, "service-2")
    return {xform_name(op): op for op in model["operations"]}


def actions_called(code: str) -> set[str]:
    """The IAM actions a function's code calls: every ``x.method(...)`` whose method is an
    operation of a service the code makes a boto3 client or resource for."""
    tree = ast.parse(code)
    services = {
        str(node.args[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("client", "resource")
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    called = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            for service in services:
                operation = _operations(service).get(node.func.attr)
                if operation:
                    called.add(f"{service}:{operation}")
    return called


#: What Lambda itself does with the execution role: write the function's logs to its log group.
#: CreateLogGroup only matters when nothing created the group first (a template should).
LAMBDA_NEEDS = {"logs:CreateLogStream", "logs:PutLogEvents"}


def who_needs(action: str, used: set[str]) -> str:
    if action in used:
        return "the code"
    if action in LAMBDA_NEEDS:
        return "Lambda, for the logs"
    if action == "logs:CreateLogGroup":
        return "only if no template created the log group"
    return "nobody"


def granted_and_used():
    """Per seed policy and action: granted on what, and who needs it (the seed's code, Lambda, nobody)."""
    import pandas as pd

    used = actions_called(seed_code())
    rows = []
    for where, doc in seed_policies().items():
        for stmt in _statements(doc):
            for action in _as_list(stmt.get("Action")):
                resource = ", ".join(map(str, _as_list(stmt.get("Resource"))))
                rows.append((where, action, resource, who_needs(action, used)))
    return pd.DataFrame(rows, columns=["policy", "action", "resource", "who needs it"])


def seed_module() -> Path:
    """The seed's inline code, byte for byte, as ``index.py`` (its ``Handler`` is
    ``index.lambda_handler``) in the kit's home folder, so the kit can zip and deploy it."""
    folder = lab_home() / "lessons" / "06_security" / "seed"
    path = folder / "index.py"
    code = seed_code()
    with writing(folder):
        folder.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != code:
            path.write_text(code, encoding="utf-8")
    return path


def deploy_seed(role_arn: str, backend, key_arn: str | None = None, name: str = "lab-06-seed"):
    """The seed's create-user code as function ``name`` with ``role_arn``, configured as the seed's
    template and security snippet configure it: ``TABLE_NAME`` and a plain ``ENCRYPTION_KEY`` variable,
    encrypted at rest with ``key_arn`` (``KmsKeyArn``)."""
    extra = {"KMSKeyArn": key_arn} if key_arn else {}
    env = {"TABLE_NAME": "lab-06-users", "ENCRYPTION_KEY": DEMO_ENCRYPTION_KEY}
    return deploy_with_role(name, str(seed_module()), role_arn, backend, environment=env, **extra)


# --- the policies the lesson writes instead -------------------------------------------------------


def log_group_arn(function: str, account: str = "000000000000", region: str = "us-east-1") -> str:
    return f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{function}"


def create_user_policy(table_arn: str, function: str) -> dict:
    """Least privilege for the seed's create-user function: the one call its code makes, on its
    one table, and its own log group's streams (instead of AWSLambdaBasicExecutionRole's ``*``)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "WriteUsers", "Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": table_arn},
            {
                "Sid": "OwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{log_group_arn(function)}:*",
            },
        ],
    }


def users_api_policy(table_arn: str, function: str) -> dict:
    """Least privilege for the kit's users_api (GET, POST, DELETE, list): four actions on its table."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "UsersTable",
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Scan"],
                "Resource": table_arn,
            },
            {
                "Sid": "OwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{log_group_arn(function)}:*",
            },
        ],
    }


def secrets_policy(secret_arn: str, parameter_arn: str, key_arn: str, function: str) -> dict:
    """What the secrets_reader function needs: its one secret, its one parameter, decrypting with its key."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "DbSecret", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secret_arn},
            {"Sid": "ApiToken", "Effect": "Allow", "Action": "ssm:GetParameter", "Resource": parameter_arn},
            {"Sid": "Decrypt", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn},
            {
                "Sid": "OwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{log_group_arn(function)}:*",
            },
        ],
    }
