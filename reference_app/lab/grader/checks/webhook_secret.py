"""Checks for webhook-secret (06_security): a webhook verified with a key read from Secrets Manager,
cached, and never shown.

Unit checks run the handler under moto with the key in a moto secret. The live check deploys it
on the emulator that enforces IAM, with a role that may read that one secret only, behind a
public function URL (the signature is the authentication), and calls it over HTTP.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import json
import logging
import time
import uuid
from unittest import mock

import boto3
import botocore.client

from ...clients import client
from ...deploy import force_cold_start
from ...http import http_call
from ...lesson_helpers import security
from ...logs import invocations
from ...triggers import function_url
from ..framework import CheckFailed, Context, Exercise, shown, static_calls

EXERCISE = Exercise("webhook-secret")
SECRET = "lab-ex/webhook-signing-key"
FUNCTION = "lab-ex-webhook-secret"
BODY = json.dumps({"type": "payment.succeeded", "amount_cents": 4200})


def sign(key: str, body: str = BODY) -> str:
    return "sha256=" + hmac.new(key.encode(), body.encode(), hashlib.sha256).hexdigest()


def _body(ctx: Context) -> str:
    """A webhook body drawn for this run (a type, an amount, a currency, a customer's name)."""
    rng = ctx.rng
    return json.dumps(
        {
            "type": rng.choice(("payment.succeeded", "payment.refunded", "invoice.paid")),
            "amount_cents": rng.amount_cents(),
            "currency": rng.currency(),
            "customer": rng.name(),
            "id": f"evt_{rng.token(12)}",
        },
        # as providers send it: compact, or indented; never what json.dumps gives back by default
        ensure_ascii=rng.random() < 0.5,
        **rng.choice(({"separators": (",", ":")}, {"indent": 2})),
    )


def url_event(body: str = BODY, signature: str | None = None) -> dict:
    """A function URL (payload 2.0) POST, as Lambda delivers it."""
    headers = {"content-type": "application/json", "host": "abc.lambda-url.us-east-1.on.aws"}
    if signature is not None:
        headers["x-signature"] = signature
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/",
        "headers": headers,
        "body": body,
        "isBase64Encoded": False,
        "requestContext": {"http": {"method": "POST", "path": "/"}},
    }


def _forget_powertools_caches() -> None:
    """Powertools keeps its providers and their values per process: start every check clean."""
    from aws_lambda_powertools.utilities import parameters
    from aws_lambda_powertools.utilities.parameters import base

    parameters.clear_caches()
    base.DEFAULT_PROVIDERS.clear()


def _setup(ctx: Context, key: str | None = None):
    _forget_powertools_caches()
    key = key or f"whsec-{uuid.uuid4().hex}"
    boto3.client("secretsmanager", region_name="us-east-1").create_secret(Name=SECRET, SecretString=key)
    with mock.patch.dict("os.environ", {"SIGNING_SECRET_ID": SECRET}):
        module = ctx.load()
    return module, key


def _call(module, event: dict) -> dict:
    with mock.patch.dict("os.environ", {"SIGNING_SECRET_ID": SECRET}):
        response = module.lambda_handler(event, None)
    if not isinstance(response, dict) or "statusCode" not in response:
        raise CheckFailed(f"the handler must return a dict with statusCode and body, not {shown(response)}.")
    return response


@EXERCISE.unit("a correctly signed request is accepted (200); a wrong or missing signature is refused (401)")
def verifies(ctx: Context) -> None:
    module, key = _setup(ctx, f"whsec-{ctx.rng.token(24)}")
    body, other = _body(ctx), _body(ctx)
    right = sign(key, body)
    cases = [
        ("a correct signature", body, right, 200),
        ("a wrong signature", body, sign("not-the-key", body), 401),
        ("the signature of another body", body, sign(key, other), 401),
        ("the right signature without its sha256= prefix", body, right.removeprefix("sha256="), 401),
        ("no x-signature header", body, None, 401),
        ("a garbled header", body, "sha256=zz", 401),
        ("a correct signature on another body", other, sign(key, other), 200),
    ]
    ctx.rng.shuffle(cases)
    for what, sent, signature, status in cases:
        got = _call(module, url_event(sent, signature=signature))["statusCode"]
        if got != status:
            raise CheckFailed(f"{what}: expected {status}, got {got} (body {sent!r}, x-signature {signature!r}).")


@EXERCISE.unit("the signature is compared in constant time (hmac.compare_digest), read from the source")
def constant_time(ctx: Context) -> None:
    """No request can tell ``==`` from ``hmac.compare_digest``; an attacker who can time many requests can:
    ``==`` stops at the first differing character, so the time it takes leaks how much of a forged
    signature is right, and the signature can be guessed character by character."""
    if not static_calls(ctx, "hmac.compare_digest") and not static_calls(ctx, "secrets.compare_digest"):
        raise CheckFailed(
            "compare the signature with hmac.compare_digest(given, expected), not ==: == stops at "
            "the first difference, so its timing tells an attacker how much of a forged signature "
            "is right."
        )


@EXERCISE.unit("the key is read from Secrets Manager once, however many requests arrive")
def cached(ctx: Context) -> None:
    module, key = _setup(ctx)
    reads = []
    real = botocore.client.BaseClient._make_api_call

    def counting(self, operation, params):
        if operation == "GetSecretValue":
            reads.append(params.get("SecretId"))
        return real(self, operation, params)

    count = ctx.rng.randint(3, 6)
    with mock.patch.object(botocore.client.BaseClient, "_make_api_call", counting):
        for _ in range(count):
            body = _body(ctx)
            _call(module, url_event(body, signature=sign(key, body)))
    if len(reads) != 1:
        raise CheckFailed(
            f"{count} requests read the secret {len(reads)} times; read it once and keep it "
            "(parameters.get_secret(..., max_age=CACHE_SECONDS))."
        )
    max_age = getattr(module, "CACHE_SECONDS", None)
    if not isinstance(max_age, (int, float)) or not 0 < max_age <= 3600:
        raise CheckFailed(
            f"CACHE_SECONDS is {max_age!r}: a cached key must expire (a few minutes), or a rotated "
            "secret never reaches a warm environment."
        )
    ages = [kw.value for call in static_calls(ctx, "get_secret") for kw in call.keywords if kw.arg == "max_age"]
    if static_calls(ctx, "get_secret") and not ages:
        raise CheckFailed(
            "get_secret(...) without max_age caches for Powertools' default (5 s): pass "
            "max_age=CACHE_SECONDS, so the cache lives as long as the exercise asks."
        )


@EXERCISE.unit("the key appears in no answer, no print and no log line")
def never_shown(ctx: Context) -> None:
    module, key = _setup(ctx)
    printed, logged = io.StringIO(), io.StringIO()
    handler = logging.StreamHandler(logged)
    logging.getLogger().addHandler(handler)
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            answers = [_call(module, url_event(signature=s)) for s in (sign(key), sign("x"), None)]
    finally:
        logging.getLogger().removeHandler(handler)
    shown = json.dumps(answers) + printed.getvalue() + logged.getvalue()
    if key in shown:
        raise CheckFailed("the signing key shows up in what the function answers or prints: never output it.")


@EXERCISE.unit("when the key cannot be read, the caller gets 500 and a generic message, not the exception")
def generic_error(ctx: Context) -> None:
    _forget_powertools_caches()
    with mock.patch.dict("os.environ", {"SIGNING_SECRET_ID": SECRET}):
        module = ctx.load()
    response = _call(module, url_event(signature=sign("any")))  # no secret exists in this mock
    body = str(response.get("body"))
    if response["statusCode"] != 500:
        raise CheckFailed(f"with the secret missing, expected 500, got {response['statusCode']}.")
    leaked = [w for w in ("ResourceNotFound", "Secrets Manager", SECRET, "Traceback", "GetSecretValue") if w in body]
    if leaked:
        raise CheckFailed(f"the 500's body tells the caller {leaked[0]!r}: answer a generic message, log the rest.")


@EXERCISE.live(
    "on the emulator that enforces IAM, through a function URL: 200 signed, 401 not; a warm "
    "environment keeps the key it read (a rotation reaches it after CACHE_SECONDS); the key in no "
    "configuration or log"
)
def live(ctx: Context) -> None:
    with security.enforcing() as backend:
        sm = client("secretsmanager", backend)
        key = f"whsec-{ctx.run_id}-{uuid.uuid4().hex[:8]}"
        try:
            secret_arn = sm.create_secret(Name=SECRET, SecretString=key)["ARN"]
        except sm.exceptions.ResourceExistsException:
            secret_arn = sm.put_secret_value(SecretId=SECRET, SecretString=key)["ARN"]
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secret_arn}],
        }
        role = security.ensure_role(FUNCTION, policy, backend)
        since = int(time.time() * 1000)
        deployed = security.deploy_with_role(
            FUNCTION, str(ctx.path), role, backend, environment={"SIGNING_SECRET_ID": SECRET}
        )
        if deployed.action == "unchanged":
            force_cold_start(FUNCTION, backend)  # a new environment, which reads the key above
        url = function_url(FUNCTION, backend=backend)
        post = lambda k: http_call(url, "POST", BODY, headers={"x-signature": sign(k, BODY)})  # noqa: E731
        first, unsigned = post(key), http_call(url, "POST", BODY)
        if (first.status, unsigned.status) != (200, 401):
            raise CheckFailed(
                f"signed: {first.status} ({shown(first.body)}), unsigned: {unsigned.status}; "
                "expected 200 and 401 (the function's log says more)."
            )
        rotated = f"{key}-rotated"
        sm.put_secret_value(SecretId=SECRET, SecretString=rotated)
        if post(key).status != 200:
            raise CheckFailed(
                "after the secret was rotated, a warm environment no longer knew the key it read: "
                "it read the secret again instead of keeping it for CACHE_SECONDS."
            )
        _nothing_shown(key, rotated, since, backend)


def _nothing_shown(key: str, rotated: str, since: int, backend) -> None:
    conf = client("lambda", backend).get_function_configuration(FunctionName=FUNCTION)
    if any(k in json.dumps(conf) for k in (key, rotated)):
        raise CheckFailed("the key is in the function's configuration: keep only the secret's name there.")
    lines = [line for i in invocations(FUNCTION, since, backend) for line in i.output]
    if any(k in line for line in lines for k in (key, rotated)):
        raise CheckFailed("the key is in the function's log: never print it.")
