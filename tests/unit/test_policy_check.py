"""The policy check (reference_app/lab/policy_check/): each rule can fire and can stay quiet, and
everything the kit ships is clean, except the seed's verbatim files, whose findings are asserted
(and the debug exercise's stub, broken on purpose)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from reference_app.lab import policy_check as pc

TABLE = "arn:aws:dynamodb:us-east-1:000000000000:table/users"


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource, **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def rules(doc) -> list[str]:
    return sorted(f.rule for f in pc.check_policy(doc))


# --- one document ---------------------------------------------------------------------------------


def test_a_least_privilege_policy_is_clean():
    doc = policy(
        allow(["dynamodb:GetItem", "dynamodb:PutItem"], TABLE),
        allow(
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/lab-06-users:*",
        ),
        allow("dynamodb:Query", f"{TABLE}/index/*"),
    )
    assert rules(doc) == []


@pytest.mark.parametrize("action", ["*", "dynamodb:*", "s3:Get*"])
def test_wildcard_actions(action):
    assert rules(policy(allow(action, TABLE))) == ["wildcard-action"]


@pytest.mark.parametrize(
    "resource",
    [
        "*",
        "arn:aws:logs:*:*:*",
        "arn:aws:dynamodb:us-east-1:000000000000:table/*",
        "arn:aws:dynamodb:us-east-1:000000000000:table/lab-*",
        "arn:aws:s3:::*",
        "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/*",
        "arn:aws:iam::000000000000:role/*",
    ],
)
def test_wildcard_resources(resource):
    assert rules(policy(allow("dynamodb:GetItem", resource))) == ["wildcard-resource"]


@pytest.mark.parametrize(
    "resource",
    [
        "${UsersTable.Arn}",
        "${UsersTable.Arn}/index/*",
        "arn:aws:s3:::uploads/incoming/*",
        "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}",
        "arn:aws:execute-api:us-east-1:000000000000:${Api}/*/*/users*",
        "arn:aws:sqs:us-east-1:000000000000:jobs",
    ],
)
def test_a_star_after_a_named_resource_is_not_a_wildcard(resource):
    assert not pc.wildcard_resource(resource)


def test_not_action_and_not_resource_allow_everything_else():
    doc = policy({"Effect": "Allow", "NotAction": "iam:*", "NotResource": TABLE})
    assert rules(doc) == ["wildcard-action", "wildcard-resource"]


def test_passrole_on_any_role():
    assert "passrole-any-role" in rules(policy(allow("iam:PassRole", "*")))
    assert rules(policy(allow("iam:PassRole", "arn:aws:iam::000000000000:role/lab-06-users"))) == []


def test_public_principal_needs_a_condition():
    public = {"Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunctionUrl", "Resource": "*"}
    assert "public-principal" in rules(policy(public))
    conditioned = {**public, "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}}
    assert "public-principal" not in rules(policy(conditioned))
    assert "public-principal" in rules(policy({**public, "Principal": {"AWS": "*"}}))


def test_deny_statements_are_not_findings():
    assert rules(policy({"Effect": "Deny", "Action": "*", "Resource": "*"})) == []


def test_a_json_string_is_read_too():
    assert rules(json.dumps(policy(allow("*", "*")))) == ["passrole-any-role", "wildcard-action", "wildcard-resource"]


def test_allows_evaluates_allow_deny_and_wildcards():
    doc = policy(allow("dynamodb:*", TABLE), {"Effect": "Deny", "Action": "dynamodb:DeleteTable", "Resource": "*"})
    assert pc.allows(doc, "dynamodb:PutItem", TABLE)
    assert not pc.allows(doc, "dynamodb:DeleteTable", TABLE)
    assert not pc.allows(doc, "dynamodb:PutItem", TABLE.replace("users", "orders"))
    assert not pc.allows(doc, "s3:GetObject", "arn:aws:s3:::b/k")


# Each rule, on its own: a document that fires it (and nothing else), and a near miss that stays clean.
RULE_CASES = {
    "wildcard-action": (
        policy(allow("dynamodb:Get*", TABLE)),
        policy(allow(["dynamodb:GetItem", "dynamodb:Query"], TABLE)),
    ),
    "wildcard-resource": (
        policy(allow("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:000000000000:table/*")),
        policy(allow("dynamodb:GetItem", f"{TABLE}/index/*")),
    ),
    "passrole-any-role": (
        policy(allow("iam:PassRole", "*")),
        policy(allow("iam:PassRole", "arn:aws:iam::000000000000:role/lab-06-users")),
    ),
    "public-principal": (
        policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "sqs:SendMessage",
                "Resource": "arn:aws:sqs:us-east-1:000000000000:jobs",
            }
        ),
        policy(
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": "arn:aws:sqs:us-east-1:000000000000:jobs",
            }
        ),
    ),
}


def test_every_rule_has_a_case():
    assert set(RULE_CASES) | {"cors-any-origin", "secret-in-environment"} == set(pc.RULES)


@pytest.mark.parametrize("rule", sorted(RULE_CASES))
def test_each_policy_rule_fires_alone_and_its_near_miss_is_clean(rule):
    fires, near_miss = RULE_CASES[rule]
    # passrole-any-role is a wildcard resource too: PassRole on * is both
    expected = ["passrole-any-role", "wildcard-resource"] if rule == "passrole-any-role" else [rule]
    assert rules(fires) == expected
    assert rules(near_miss) == []


def test_passrole_through_a_wildcard_action_on_any_role():
    assert "passrole-any-role" in rules(policy(allow("iam:*", "*")))
    assert "passrole-any-role" not in rules(policy(allow("iam:GetRole", "*")))


@pytest.mark.parametrize(
    ("cors", "fires"),
    [
        ({"AllowOrigins": ["*"]}, True),
        ({"AllowOrigins": "*", "AllowCredentials": True}, True),
        ({"AllowOrigins": ["https://app.example.com"]}, False),
        (None, False),
    ],
)
def test_cors_rule_on_a_function_url(cors, fires):
    template = {"Resources": {"Url": {"Type": "AWS::Lambda::Url", "Properties": {"AuthType": "NONE", "Cors": cors}}}}
    assert pc.check_template(template).rules == (["cors-any-origin"] if fires else [])


@pytest.mark.parametrize(
    ("headers", "fires"),
    [
        ('{"Access-Control-Allow-Origin": "*"}', True),
        ('"Access-Control-Allow-Origin: *"', True),
        ('{"Access-Control-Allow-Origin": "https://app.example.com"}', False),
        ('{"Access-Control-Allow-Origin": "${Origin}"}', False),
    ],
)
def test_cors_rule_in_inline_code(headers, fires):
    template = {
        "Resources": {
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Code": {"ZipFile": f"HEADERS = {headers}"}}}
        }
    }
    assert pc.check_template(template).rules == (["cors-any-origin"] if fires else [])


@pytest.mark.parametrize(
    ("variables", "fires"),
    [
        ({"DB_PASSWORD": "hunter2"}, True),
        ({"API_KEY": "sk-123"}, True),
        ({"GITHUB_TOKEN": "${Token}"}, True),  # a parameter's value is still the value itself
        ({"DB_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:000000000000:secret:db"}, False),
        ({"API_KEY_PARAMETER": "/lab/api-key"}, False),
        ({"DB_PASSWORD": ""}, False),
        ({"TABLE_NAME": "users", "LOG_LEVEL": "INFO"}, False),
    ],
)
def test_secret_in_environment_rule(variables, fires):
    template = {
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"Role": "${Role.Arn}", "Environment": {"Variables": variables}},
            }
        }
    }
    assert pc.check_template(template).rules == (["secret-in-environment"] if fires else [])


def test_public_lambda_permission_needs_a_condition():
    def permission(**props):
        return {
            "Resources": {
                "P": {
                    "Type": "AWS::Lambda::Permission",
                    "Properties": {
                        "FunctionName": "${Fn}",
                        "Action": "lambda:InvokeFunctionUrl",
                        "Principal": "*",
                        **props,
                    },
                }
            }
        }

    assert pc.check_template(permission()).rules == ["public-principal"]
    assert pc.check_template(permission(FunctionUrlAuthType="AWS_IAM")).rules == []
    assert pc.check_template(permission(SourceAccount="000000000000")).rules == []


# --- templates, Terraform, Python, JSON -----------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (allow("s3:*", "arn:aws:s3:::uploads"), ["wildcard-action"]),
        (allow("s3:GetObject", "arn:aws:s3:::uploads/incoming/*"), []),
    ],
)
def test_a_policy_saved_as_json_is_checked(tmp_path, statement, expected):
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(policy(statement)))
    assert pc.check_file(path).rules == expected


def test_python_handlers_headers_environment_and_url_cors(tmp_path):
    source = tmp_path / "handler.py"
    source.write_text(
        textwrap.dedent("""\
        def respond(body):
            return {"statusCode": 200, "headers": {"Access-Control-Allow-Origin": "*"}, "body": body}
        def respond_to(origin, body):
            return {"statusCode": 200, "headers": {"Access-Control-Allow-Origin": origin}, "body": body}
        def deploy(lam, secret_arn):
            lam.create_function(FunctionName="f", Environment={"Variables": {"API_TOKEN": "abc123"}})
            lam.create_function(FunctionName="g", Environment={"Variables": {"API_TOKEN_ARN": secret_arn}})
            lam.create_function_url_config(FunctionName="f", AuthType="NONE", Cors={"AllowOrigins": ["*"]})
            lam.create_function_url_config(FunctionName="g", AuthType="NONE",
                                           Cors={"AllowOrigins": ["https://app.example.com"]})
        """)
    )
    found = pc.check_python(source)
    assert sorted((f.rule, f.where.rsplit(" ", 1)[-1]) for f in found.findings) == [
        ("cors-any-origin", "2"),
        ("cors-any-origin", "8"),
        ("secret-in-environment", "6"),
    ]


def test_python_url_cors_as_keyword_dict(tmp_path):
    source = tmp_path / "urls.py"
    source.write_text(
        'URL = {"AuthType": "NONE", "Cors": {"AllowOrigins": ["*"]}}\n'
        'SAFE = {"AuthType": "NONE", "Cors": {"AllowOrigins": ["https://app.example.com"]}}\n'
    )
    assert [(f.rule, f.where) for f in pc.check_python(source).findings] == [("cors-any-origin", "urls.py, line 1")]


def test_template_permissions_cors_and_environment():
    template = textwrap.dedent("""\
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Open:
            Type: AWS::Lambda::Permission
            Properties: {FunctionName: !Ref Fn, Action: lambda:InvokeFunction, Principal: "*"}
          Scoped:
            Type: AWS::Lambda::Permission
            Properties: {FunctionName: !Ref Fn, Action: lambda:InvokeFunction, Principal: s3.amazonaws.com,
                         SourceArn: !GetAtt Bucket.Arn}
          Url:
            Type: AWS::Lambda::Url
            Properties: {TargetFunctionArn: !GetAtt Fn.Arn, AuthType: NONE,
                         Cors: {AllowOrigins: ["*"], AllowCredentials: true}}
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Environment: {Variables: {DB_PASSWORD: hunter2, DB_SECRET_ID: prod/db, TABLE: users}}
        """)
    found = pc.check_template(template, "t.yaml")
    assert sorted(f.rule for f in found.findings) == ["cors-any-origin", "public-principal", "secret-in-environment"]
    assert "AllowCredentials" in next(f.detail for f in found.findings if f.rule == "cors-any-origin")
    assert all("DB_SECRET_ID" not in f.detail for f in found.findings)


def test_python_files_policies_and_templates(tmp_path):
    source = tmp_path / "roles.py"
    source.write_text(
        textwrap.dedent('''\
        import json
        TRUST = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                          "Action": "sts:AssumeRole"}]})
        def policy(table_arn):
            return {"Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": f"{table_arn}"}]}
        TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          R:
            Type: AWS::IAM::Policy
            Properties: {PolicyDocument: {Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "*"}]}}
        """
        ''')
    )
    found = pc.check_python(source)
    assert sorted(f.rule for f in found.findings) == ["wildcard-action", "wildcard-resource"]
    assert {f.where.split(",")[1].strip() for f in found.findings} == {"line 5", "line 6: R"}


def test_terraform_policies(tmp_path):
    tf = tmp_path / "main.tf"
    tf.write_text(
        textwrap.dedent("""\
        resource "aws_iam_role_policy" "p" {
          role   = aws_iam_role.r.id
          policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Action = ["dynamodb:GetItem"], Resource = aws_dynamodb_table.t.arn },
                         { Effect = "Allow", Action = "logs:*", Resource = "arn:aws:logs:*:*:*" }]
          })
        }
        resource "aws_lambda_permission" "open" {
          action        = "lambda:InvokeFunction"
          function_name = "f"
          principal     = "*"
        }
        """)
    )
    found = pc.check_terraform(tf)
    assert sorted(f.rule for f in found.findings) == ["public-principal", "wildcard-action", "wildcard-resource"]


# --- everything the kit ships (CI) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> pc.Report:
    return pc.shipped()


def test_everything_the_kit_ships_is_clean_outside_the_seed(shipped):
    assert [f for f in shipped.findings if not pc.is_seed(f)] == []


def test_the_check_reads_every_kind_of_file_the_kit_ships():
    suffixes = {p.suffix for p in pc.shipped_files()}
    names = {p.name for p in pc.shipped_files()}
    assert {".yaml", ".tf", ".py", ".json"} <= suffixes
    assert {"users-api.yaml", "users-api-sam.yaml", "main.tf", "lambda.tf", "security-snippet.yaml"} <= names
    assert {"users_role.py", "webhook.py", "security.py"} <= names  # lesson 06's policies and solutions
    assert {"users_api.py", "secrets_reader.py", "anatomy.py", "payments.py"} <= names  # the functions
    assert {"warm_client.py", "refund_worker.py", "users_template.py"} <= names  # other lessons' solutions
    assert {"02_handler.py", "05_error_handling.py", "06_security.py"} <= names  # the lessons' sources


# What marks a file as holding a policy, a template or a CORS or environment setting.
_MARKERS = (
    "Statement",
    "AWSTemplateFormatVersion",
    "Resources",
    "Access-Control-Allow-Origin",
    "AllowOrigins",
    "Environment",
    'resource "aws_',
)
_NOT_SHIPPED = ("tests", "exercises", "notebooks", "benchmarks", "localstack", ".github", ".devcontainer")


def test_no_file_with_a_policy_or_template_escapes_the_check():
    """A new lesson's template, policy or function is checked without anyone listing it."""
    root = Path(pc.__file__).resolve().parents[3]
    checked = {p.resolve() for p in pc.shipped_files()}
    missed = []
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if (
            path.suffix not in (".py", *pc.POLICY_SUFFIXES)
            or not path.is_file()
            or rel.parts[0] in _NOT_SHIPPED
            or any(
                part.startswith(".") or part in ("__pycache__", "build") or part.endswith(".egg-info")
                for part in rel.parts
            )
            or rel.parts[:2] == ("reference_app", "course")
            or rel.name in ("conftest.py", "setup.py")
            or rel.parts[-1] in ("environment.yml",)
        ):
            continue
        if path.resolve() not in checked and any(m in path.read_text(encoding="utf-8") for m in _MARKERS):
            missed.append(rel.as_posix())
    assert missed == []


def test_exercise_stubs_only_the_debug_exercise_starts_broken():
    stubs = pc.shipped(pc.exercise_files())
    assert {f.where.split(",")[0] for f in stubs.findings} == {"exercises/06_security/users_role.py"}
    assert sorted(f.rule for f in stubs.findings) == ["wildcard-action", "wildcard-resource", "wildcard-resource"]
    solution = Path(pc.__file__).resolve().parents[3] / "solutions/06_security/users_role.py"
    assert pc.check_python(solution).clean


def test_the_seed_s_findings_are_asserted_not_fixed(shipped):
    seed = sorted((f.where.split(":")[0], f.rule) for f in shipped.findings if pc.is_seed(f))
    assert seed == [
        ("reference_app/iac/seed/lambda-function.yaml", "cors-any-origin"),
        ("reference_app/iac/seed/lambda.tf", "cors-any-origin"),
        ("reference_app/iac/seed/lambda.tf", "wildcard-resource"),
        ("reference_app/iac/seed/security-snippet.yaml", "secret-in-environment"),
    ]
    logs = next(f for f in shipped.findings if f.rule == "wildcard-resource")
    assert "arn:aws:logs:*:*:*" in logs.detail


def test_managed_policies_are_notes_not_findings(shipped):
    notes = {f.where.split(":")[0] for f in shipped.notes}
    assert "reference_app/iac/users-api.yaml" in notes
    assert all("AWSLambdaBasicExecutionRole" in n.detail for n in shipped.notes)


def test_a_dict_with_tuple_keys_is_read_not_a_crash(tmp_path):
    # reference_app/lab/emulator_capabilities.py keys a dict by (emulator, capability): the check must read such
    # files as Python holds them, not fail the whole scan.
    source = tmp_path / "keys.py"
    source.write_text('WHY = {("localstack", "layers"): "paid", ("a", ("b", "c")): {"Action": "s3:*"}}\n')
    assert pc.check_python(source).clean
