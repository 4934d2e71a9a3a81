"""The one place the kit builds boto3 clients and resources.

Every client is bound to the selected backend: its endpoint, region ``us-east-1``
and dummy credentials. The access key names the account the requests run in
(:func:`reference_app.lab.config.account_id`): ``test`` (the emulator's default
account) on the learner's own emulator, the learner's own 12-digit account on a
URL backend that a room may share, so each learner sees only their own resources.
The session is built so that nothing of the learner's own AWS setup can leak in:
``AWS_PROFILE``, ``~/.aws/config`` and ``~/.aws/credentials`` are ignored, and the
explicit endpoint overrides ``AWS_ENDPOINT_URL``.

Why not ``localstack-client``: its sessions predate the SDK's own endpoint
configuration and map each service to a LocalStack port. Since botocore 1.31 the
SDK takes ``endpoint_url`` (and ``AWS_ENDPOINT_URL`` inside a function) for every
service, which is all one emulator port needs, and it still reads the user's
profile. So the kit builds a plain session with those inputs switched off.

Two guards keep requests local: an endpoint that is not loopback (or an emulator
host name) is refused unless ``LAMBDA_LAB_ALLOW_REMOTE=1``, and every request is
checked just before it is sent, so nothing (a redirect, a presigned URL built
by hand, a service whose endpoint rules add a host prefix) reaches another host.

Retry and timeout policy, per call type:

* **control plane** (every call of a client from :func:`client` or :func:`resource`:
  create, update, get, list, put, send ...): connect timeout 2 s, read timeout
  20 s, botocore's ``standard`` retry mode with 3 attempts in all (throttling,
  5xx answers, dropped connections and read timeouts are retried). These calls
  are idempotent, or the kit handles their conflicts (``deploy_function``).
* **synchronous invoke** (:func:`reference_app.lab.deploy.invoke`): one attempt,
  never retried, because a retry runs the function again; its read timeout is the
  function's own ``Timeout`` plus 30 s (cold start, emulator overhead), so the
  client waits as long as the function may run. See :func:`invoke_config`. A raw
  ``client("lambda").invoke(...)`` is never retried either, but waits only the
  control plane's 20 s: use ``lab.invoke`` for a function that runs longer.
* **asynchronous invoke** (``InvocationType="Event"``) and ``DryRun``: one attempt,
  never retried (a retry could queue the event twice), control-plane read timeout.
* the kit's own health probe (:func:`reference_app.lab.net.health`): 1 s, no retry.

A call that times out, or finds the emulator gone, becomes one sentence that says
why (:func:`reference_app.lab.emulator.unreachable`), not a botocore traceback.
"""

from __future__ import annotations

import functools
import os
from typing import Any
from urllib.parse import urlsplit

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

from .config import ACCOUNT_ID, REGION, Backend, account_id, resolve_backend
from .embedded import refuse_while_paused
from .errors import LabError
from .net import check_endpoint

DUMMY_KEY = "test"
DUMMY_SECRET = "test"

CONNECT_TIMEOUT_S = 2
CONTROL_PLANE_READ_TIMEOUT_S = 20
CONTROL_PLANE_ATTEMPTS = 3
INVOKE_MARGIN_S = 30  # on top of the function's Timeout: a cold start and the emulator's own work

# The control plane's policy (see the module docstring); invokes use invoke_config().
_CLIENT_CONFIG = Config(
    connect_timeout=CONNECT_TIMEOUT_S,
    read_timeout=CONTROL_PLANE_READ_TIMEOUT_S,
    retries={"total_max_attempts": CONTROL_PLANE_ATTEMPTS, "mode": "standard"},
)


def invoke_config(read_timeout_s: float) -> Config:
    """The policy of an invoke: one attempt, never retried, ``read_timeout_s`` to wait for the answer."""
    return _CLIENT_CONFIG.merge(
        Config(read_timeout=read_timeout_s, retries={"total_max_attempts": 1, "mode": "standard"})
    )

# Session variables that would otherwise come from the learner's environment or
# ~/.aws files: (config-file key, env var, default, converter). ``None`` for the
# env var means "never read it".
_ISOLATED_VARS = {
    "profile": (None, None, None, None),
    "config_file": (None, None, os.devnull, None),
    "credentials_file": (None, None, os.devnull, None),
}


def _pin_host(endpoint: str):
    allowed = urlsplit(endpoint).hostname

    def before_send(request, **_: Any) -> None:
        host = urlsplit(request.url).hostname
        if host != allowed:
            raise LabError(
                f"Blocked a request to {host}: lambda-lab clients only talk to {allowed}."
            )

    return before_send


@functools.cache
def _session(endpoint: str, access_key: str = DUMMY_KEY) -> boto3.session.Session:
    core = botocore.session.Session(session_vars=_ISOLATED_VARS)
    core.register("before-send", _pin_host(endpoint))
    core.register("before-send", refuse_while_paused(endpoint))  # the kit's emulator, paused: say so at once
    return boto3.session.Session(
        botocore_session=core,
        aws_access_key_id=access_key,
        aws_secret_access_key=DUMMY_SECRET,
        region_name=REGION,
    )


def access_key(backend: Backend) -> str:
    """The dummy access key for ``backend``: ``test``, or the 12-digit account it selects."""
    account = account_id(backend)
    return DUMMY_KEY if account == ACCOUNT_ID else account


def session(backend: Backend | None = None) -> boto3.session.Session:
    """A boto3 session bound to the backend's endpoint with dummy credentials."""
    backend = backend or resolve_backend()
    check_endpoint(backend.endpoint)
    return _session(backend.endpoint, access_key(backend))


def client(service: str, backend: Backend | None = None, **kwargs: Any):
    """A boto3 client for ``service`` on the selected backend."""
    backend = backend or resolve_backend()
    kwargs.setdefault("config", _CLIENT_CONFIG)
    made = session(backend).client(service, endpoint_url=backend.endpoint, **kwargs)
    if service == "lambda":
        made.meta.events.register_first("needs-retry.lambda.Invoke", _never_retry_invoke)
    return made


def _never_retry_invoke(response=None, caught_exception=None, **_: Any) -> None:
    """Runs before botocore's retry handler for every Invoke of the kit's Lambda clients, raw
    ``client("lambda").invoke(...)`` calls included: what botocore would raise after its last
    attempt is raised after the first, so a function never runs twice for one call."""
    if caught_exception is not None:
        raise caught_exception
    if response is not None:
        http, parsed = response
        if http.status_code >= 500 or http.status_code == 429:
            raise ClientError(parsed, "Invoke")


def resource(service: str, backend: Backend | None = None, **kwargs: Any):
    """A boto3 resource for ``service`` on the selected backend."""
    backend = backend or resolve_backend()
    kwargs.setdefault("config", _CLIENT_CONFIG)
    return session(backend).resource(service, endpoint_url=backend.endpoint, **kwargs)


def arn(service: str, resource_part: str, backend: Backend | None = None) -> str:
    """An ARN in the account the kit works in and its region, e.g. ``arn("iam", "role/x")``."""
    region = "" if service in ("iam", "s3") else REGION
    account = "" if service == "s3" else account_id(backend or resolve_backend())
    return f"arn:aws:{service}:{region}:{account}:{resource_part}"
