"""secrets_reader under moto: values read once per environment through Powertools' cache, never shown."""

from __future__ import annotations

import json

import boto3
import pytest

from reference_app.handlers import secrets_reader

PASSWORD = "correct horse battery staple"
TOKEN = "tok-0123456789abcdef"


@pytest.fixture
def configured(aws, monkeypatch):
    boto3.client("secretsmanager").create_secret(Name="lab/db", SecretString=PASSWORD)
    boto3.client("ssm").put_parameter(Name="/lab/api-token", Value=TOKEN, Type="SecureString")
    monkeypatch.setenv("DB_SECRET_ID", "lab/db")
    monkeypatch.setenv("API_TOKEN_PARAMETER", "/lab/api-token")
    secrets_reader.CALLS.clear()
    monkeypatch.setattr(secrets_reader, "_cold", True)
    yield
    secrets_reader.CALLS.clear()


def test_warm_invocations_read_from_the_cache(configured, lambda_context):
    answers = [secrets_reader.lambda_handler({}, lambda_context) for _ in range(3)]
    assert [a["cold_start"] for a in answers] == [True, False, False]
    assert all(a["ready"] for a in answers)
    assert answers[-1]["calls"] == {"secretsmanager:GetSecretValue": 1, "ssm:GetParameter": 1}


def test_max_age_zero_fetches_every_time(configured, lambda_context, monkeypatch):
    monkeypatch.setenv("SECRETS_MAX_AGE", "0")
    for _ in range(3):
        answer = secrets_reader.lambda_handler({}, lambda_context)
    assert answer["calls"] == {"secretsmanager:GetSecretValue": 3, "ssm:GetParameter": 3}


def test_no_value_in_the_answer_or_the_log(configured, lambda_context, capsys):
    answer = secrets_reader.lambda_handler({}, lambda_context)
    shown = json.dumps(answer) + capsys.readouterr().out
    assert PASSWORD not in shown and TOKEN not in shown


def test_a_missing_secret_answers_one_generic_sentence(aws, lambda_context, monkeypatch, capsys):
    monkeypatch.setenv("DB_SECRET_ID", "lab/nothing-here")
    monkeypatch.setenv("API_TOKEN_PARAMETER", "/lab/nothing-here")
    answer = secrets_reader.lambda_handler({}, lambda_context)
    assert answer == {"ready": False, "error": "configuration unavailable"}
    logged = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert logged["level"] == "ERROR" and logged["error"]
