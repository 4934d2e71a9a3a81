"""Exercise webhook-secret (06_security): verify a webhook's signature with a key from Secrets Manager.

A payment provider calls this function's URL with every event it sends, and signs each body
with a key you share with it: the header ``x-signature`` is ``sha256=`` followed by the hex
HMAC-SHA256 of the raw body under that key. The function must accept a correctly signed
request (200) and refuse anything else (401), without ever letting the key out.

The key lives in Secrets Manager; the function's configuration holds only the secret's name
(``SIGNING_SECRET_ID``). Write two pieces:

* ``signing_key()``: read the secret with Powertools' parameters utility and keep it in memory
  for ``CACHE_SECONDS``, so a warm invocation calls Secrets Manager not at all;
* the verification in ``lambda_handler``: compare signatures in constant time
  (``hmac.compare_digest``), answer 401 when they differ or the header is missing, and answer
  500 with a generic message, never the exception's text, when the key cannot be read.

Never print, log or return the key. The checks run the handler under moto (good, bad and
missing signatures, the secret read once, nothing secret in any answer or output, a generic
500), then deploy it on the emulator that enforces IAM, with a role that may read this one
secret and nothing else, and call its function URL: ``lab.check("webhook-secret")``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from typing import Any

from aws_lambda_powertools.utilities import parameters

REQUIREMENTS = ("aws-lambda-powertools",)

SIGNATURE_HEADER = "x-signature"
CACHE_SECONDS = 300  # the AWS Parameters and Secrets extension's default, too


def signing_key() -> bytes:
    """The shared key, from the secret named by ``SIGNING_SECRET_ID``, cached for ``CACHE_SECONDS``."""
    raise NotImplementedError("parameters.get_secret(name, max_age=CACHE_SECONDS) returns the SecretString and keeps it in memory; encode it to bytes for hmac.")


def signature(key: bytes, body: str) -> str:
    """What the provider sends in ``x-signature`` for ``body``."""
    return "sha256=" + hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def answer(status: int, body: dict) -> dict:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def lambda_handler(event: dict, context: Any) -> dict:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    given = headers.get(SIGNATURE_HEADER, "")
    raise NotImplementedError("try: key = signing_key(), except Exception: print one log line naming the exception type and return answer(500, {'message': 'internal error'}); then if not hmac.compare_digest(given, signature(key, body)): return answer(401, {'message': 'invalid signature'}).")
    return answer(200, {"accepted": True})
