"""Lesson 06's pure helpers: the seed's policies read back, the least-privilege policies, the enforcing
emulator's port, and what the displays hide."""

from __future__ import annotations

import pytest

from reference_app.lab import policy_check
from reference_app.lab.lesson_helpers import security, seed_security

TABLE = "arn:aws:dynamodb:us-east-1:000000000000:table/lab-06-users"


def test_the_seed_s_code_calls_put_item_only():
    assert seed_security.actions_called(seed_security.seed_code()) == {"dynamodb:PutItem"}


def test_actions_called_reads_clients_and_resources_of_any_service():
    code = "import boto3\ns3 = boto3.client('s3')\ns3.get_object(Bucket='b', Key='k')\ns3.not_an_api()\n"
    assert seed_security.actions_called(code) == {"s3:GetObject"}


def test_the_seed_s_three_policies_and_what_nobody_needs():
    table = seed_security.granted_and_used()
    assert set(table["policy"]) == {
        "lambda-function.yaml DynamoDBAccess",
        "lambda.tf aws_iam_role_policy",
        "security-snippet.yaml LeastPrivilegeAccess",
    }
    assert len(table) == 17
    nobody = table[table["who needs it"] == "nobody"]
    assert len(nobody) == 11 and set(nobody["action"]) == set(seed_security.DYNAMODB_ACTIONS) - {"dynamodb:PutItem"}


def test_a_seed_policy_made_real_names_the_table():
    doc = seed_security.seed_policy("lambda.tf aws_iam_role_policy", TABLE)
    assert "${" not in str(doc) and doc["Statement"][1]["Resource"] == TABLE


def test_the_seed_module_is_the_template_s_code_byte_for_byte(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(tmp_path))
    path = seed_security.seed_module()
    assert path.name == "index.py" and path.read_text() == seed_security.seed_code()
    assert "str(e)" in path.read_text()


@pytest.mark.parametrize(
    "policy",
    [
        seed_security.create_user_policy(TABLE, "lab-06-seed"),
        seed_security.users_api_policy(TABLE, "lab-06-users"),
        seed_security.secrets_policy(
            "arn:aws:secretsmanager:us-east-1:000000000000:secret:lab-06/db-AbCdEf",
            "arn:aws:ssm:us-east-1:000000000000:parameter/lab-06/api-token",
            "arn:aws:kms:us-east-1:000000000000:key/1234",
            "lab-06-secrets",
        ),
    ],
)
def test_the_lesson_s_policies_pass_the_policy_check(policy):
    assert policy_check.check_policy(policy) == []


def test_create_user_policy_allows_its_job_and_nothing_else():
    doc = seed_security.create_user_policy(TABLE, "lab-06-seed")
    stream = f"{seed_security.log_group_arn('lab-06-seed')}:log-stream:x"
    assert policy_check.allows(doc, "dynamodb:PutItem", TABLE)
    assert policy_check.allows(doc, "logs:PutLogEvents", stream)
    others = [a for a in seed_security.DYNAMODB_ACTIONS if a != "dynamodb:PutItem"]
    assert not any(policy_check.allows(doc, a, TABLE) for a in others)
    assert not policy_check.allows(doc, "logs:PutLogEvents", f"{seed_security.log_group_arn('other')}:log-stream:x")


@pytest.mark.parametrize(("lab_port", "expected"), [("4566", 5566), ("4681", 5681), ("65000", 64000)])
def test_the_enforcing_emulator_listens_beside_the_lab(monkeypatch, lab_port, expected):
    monkeypatch.delenv(security.ENFORCING_PORT_ENV, raising=False)
    monkeypatch.setenv("LAMBDA_LAB_PORT", lab_port)
    backend = security.enforcing_backend()
    assert backend.port == expected and backend.endpoint == f"http://127.0.0.1:{expected}"


def test_the_enforcing_port_can_be_chosen(monkeypatch):
    monkeypatch.setenv(security.ENFORCING_PORT_ENV, "6123")
    assert security.enforcing_backend().port == 6123


def test_the_enforcing_emulator_is_auth_on_and_keeps_nothing():
    assert security.ENFORCING_ENV == {"AUTH": "true", "PERSIST_STATE": "0", "S3_PERSIST": "0"}
    assert security.enforces({"auth": "enabled"}) and not security.enforces({"auth": "disabled"})
    assert not security.enforces(None)


def test_displays_never_show_a_secret():
    creds = security.Credentials("u", "arn:aws:iam::000000000000:user/u", "AKIA123", "very-secret")
    assert "very-secret" not in repr(creds)
    conf = {
        "FunctionName": "f",
        "KMSKeyArn": "arn:k",
        "Environment": {"Variables": {"DB_PASSWORD": "hunter2", "AWS_ENDPOINT_URL": "http://127.0.0.1:5566"}},
    }
    shown = security.masked(conf)
    assert "hunter2" not in str(shown) and shown["Environment"]["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5566"
    assert shown["Environment"]["DB_PASSWORD"] == "••• (7 characters)" and shown["KMSKeyArn"] == "arn:k"
