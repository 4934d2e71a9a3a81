"""The policy check (reference_app/lab/policy_check.py): each rule can fire and can stay quiet, and
everything the kit ships is clean, except the seed's verbatim files, whose findings are asserted."""

from __future__ import annotations

import json
import textwrap

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
        allow(["logs:CreateLogStream", "logs:PutLogEvents"],
              "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/lab-06-users:*"),
        allow("dynamodb:Query", f"{TABLE}/index/*"),
    )
    assert rules(doc) == []


@pytest.mark.parametrize("action", ["*", "dynamodb:*", "s3:Get*"])
def test_wildcard_actions(action):
    assert rules(policy(allow(action, TABLE))) == ["wildcard-action"]


@pytest.mark.parametrize("resource", [
    "*", "arn:aws:logs:*:*:*", "arn:aws:dynamodb:us-east-1:000000000000:table/*",
    "arn:aws:dynamodb:us-east-1:000000000000:table/lab-*", "arn:aws:s3:::*",
    "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/*", "arn:aws:iam::000000000000:role/*",
])
def test_wildcard_resources(resource):
    assert rules(policy(allow("dynamodb:GetItem", resource))) == ["wildcard-resource"]


@pytest.mark.parametrize("resource", [
    "${UsersTable.Arn}", "${UsersTable.Arn}/index/*", "arn:aws:s3:::uploads/incoming/*",
    "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}",
    "arn:aws:execute-api:us-east-1:000000000000:${Api}/*/*/users*", "arn:aws:sqs:us-east-1:000000000000:jobs",
])
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


# --- templates, Terraform, Python -----------------------------------------------------------------


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
    source.write_text(textwrap.dedent('''\
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
        '''))
    found = pc.check_python(source)
    assert sorted(f.rule for f in found.findings) == ["wildcard-action", "wildcard-resource"]
    assert {f.where.split(",")[1].strip() for f in found.findings} == {"line 5", "line 6: R"}


def test_terraform_policies(tmp_path):
    tf = tmp_path / "main.tf"
    tf.write_text(textwrap.dedent("""\
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
        """))
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
    assert {".yaml", ".tf", ".py"} <= suffixes
    assert {"users-api.yaml", "users-api-sam.yaml", "main.tf", "lambda.tf", "security-snippet.yaml"} <= names
    assert {"users_role.py", "webhook.py", "security.py"} <= names  # lesson 06's policies and solutions


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
