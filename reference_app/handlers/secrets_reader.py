"""Read a database password (Secrets Manager) and an API token (SSM SecureString) once per
execution environment, and never show either.

What it demonstrates
    - Secrets read at run time from Secrets Manager and Parameter Store: the function's
      configuration holds only their names, so reading the configuration reveals nothing.
    - Powertools' parameters utility as the cache: ``max_age`` (300 s here) keeps each value in
      the environment's memory, so warm invocations call neither service; a new environment
      (a cold start) fetches again. The function counts its own calls to each service (a
      botocore hook on the clients it hands to Powertools), so a notebook can watch the cache
      work without ever seeing a value.
    - Nothing secret reaches the caller or the logs: the answer says what was read, not what
      it is; a failure answers one generic sentence and logs the detail (never a value).

Trigger
    Direct ``Invoke`` (any event).

Environment
    ``DB_SECRET_ID``         the secret's name or ARN (Secrets Manager)
    ``API_TOKEN_PARAMETER``  the parameter's name (SSM Parameter Store, type SecureString)
    ``SECRETS_MAX_AGE``      optional: seconds to keep both in memory (default 300)

Notebooks
    06_security (secrets read inside a function, on the emulator that enforces IAM).
"""

from __future__ import annotations

import functools
import json
import os
from collections import Counter
from typing import Any

import boto3
from aws_lambda_powertools.utilities import parameters

REQUIREMENTS = ("aws-lambda-powertools",)

DEFAULT_MAX_AGE_S = 300
#: Calls this environment made to each service since it started (its cold start).
CALLS: Counter[str] = Counter()
_cold = True


def _counted(client: Any, event: str, action: str) -> Any:
    client.meta.events.register(f"after-call.{event}", lambda **_: CALLS.update([action]))
    return client


@functools.cache
def secrets_provider() -> parameters.SecretsProvider:
    client = _counted(boto3.client("secretsmanager"), "secrets-manager.GetSecretValue", "secretsmanager:GetSecretValue")
    return parameters.SecretsProvider(boto3_client=client)


@functools.cache
def ssm_provider() -> parameters.SSMProvider:
    return parameters.SSMProvider(boto3_client=_counted(boto3.client("ssm"), "ssm.GetParameter", "ssm:GetParameter"))


def max_age() -> int:
    return int(os.environ.get("SECRETS_MAX_AGE", DEFAULT_MAX_AGE_S))


def db_password() -> str:
    return secrets_provider().get(os.environ["DB_SECRET_ID"], max_age=max_age())


def api_token() -> str:
    return ssm_provider().get(os.environ["API_TOKEN_PARAMETER"], decrypt=True, max_age=max_age())


def lambda_handler(event: Any, context: Any) -> dict:
    global _cold
    cold, _cold = _cold, False
    try:
        ready = bool(db_password()) and bool(api_token())  # a real function would connect with them here
    except Exception as exc:  # the caller learns nothing; the log gets the detail (which holds no value)
        print(
            json.dumps(
                {
                    "level": "ERROR",
                    "message": "configuration unavailable",
                    "error": type(exc).__name__,
                    "detail": str(exc),
                    "request_id": getattr(context, "aws_request_id", ""),
                }
            )
        )
        return {"ready": False, "error": "configuration unavailable"}
    print(json.dumps({"level": "INFO", "message": "configuration read", "cold_start": cold, "calls": dict(CALLS)}))
    return {"ready": ready, "cold_start": cold, "calls": dict(CALLS)}
