"""A Lambda function that tries AWS calls with its own role and says which the role allows.

Lesson 06 deploys it on the emulator that enforces IAM, with the role under test, to show
what a role can do beyond the function's job (and the least-privilege exercise's check does
the same). Deployable on its own: boto3 and the standard library only, no lab import.

Event: ``{"calls": [{"service": "dynamodb", "operation": "PutItem", "params": {...}}, ...]}``.
Answer: one row per call, ``{"action": "dynamodb:PutItem", "allowed": true, "answer": "ok"}``
(``action`` is ``service:Operation``, the API call; IAM's action name can differ, as S3's ``ListBuckets``
is ``s3:ListAllMyBuckets``); ``answer`` is the error code otherwise. A call IAM let through but the service refused
(``ResourceNotFoundException``, ``ValidationException``) counts as allowed: the role allowed it.
"""

from __future__ import annotations

import functools
from typing import Any

import boto3
from botocore import xform_name
from botocore.exceptions import ClientError

REQUIREMENTS = ()
DENIED = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AuthorizationError",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
    }
)


@functools.cache
def _client(service: str) -> Any:
    return boto3.client(service)


def attempt(service: str, operation: str, params: dict) -> dict:
    try:
        getattr(_client(service), xform_name(operation))(**params)
        answer = "ok"
    except ClientError as err:
        answer = err.response.get("Error", {}).get("Code", "error")
    return {"action": f"{service}:{operation}", "allowed": answer not in DENIED, "answer": answer}


def lambda_handler(event: dict, context: Any) -> list[dict]:
    return [attempt(c["service"], c["operation"], c.get("params") or {}) for c in event.get("calls", [])]
