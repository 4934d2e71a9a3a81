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
host name that resolves to loopback) is refused unless ``LAMBDA_LAB_ALLOW_REMOTE=1``,
and every request is checked just before it is sent, so nothing (a redirect, a
presigned URL built by hand, a service whose endpoint rules add a host prefix)
reaches another host. Both read the URL with the same strict parser
(:func:`reference_app.lab.config.split_url`), so the host checked is the host
connected to. No client of the kit uses a proxy: ``HTTP_PROXY``, ``HTTPS_PROXY``
and ``ALL_PROXY`` are ignored (botocore reads them only when ``Config.proxies``
is unset; the kit sets it to ``{}``).

Retry and timeout policy, per call type:

* **control plane** (every call of a client from :func:`client` or :func:`resource`:
  create, update, get, list, put, send ...): connect timeout 2 s, read timeout
  20 s, botocore's ``standard`` retry mode with 3 attempts in all (throttling,
  5xx answers, dropped connections and read timeouts are retried). These calls
  are idempotent, or the kit handles their conflicts (``deploy_function``).
* **synchronous invoke** (:func:`reference_app.lab.deploy.invoke`): one attempt,
  never retried, because a retry runs the function again; its read timeout is the
  function's own ``Timeout`` plus 30 s (cold start, emulator overhead), so the
  client waits as long as the function may run. See :func:`invoke_config`. The
  Timeout is asked once and remembered (:func:`function_timeout`), and the invoke
  client is built once and reused (:func:`shared_client`). A raw
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
import threading
import time
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

from .accounts import membership
from .config import ACCOUNT_ID, REGION, Backend, account_id, is_emulator_name, resolve_backend, split_url
from .embedded import refuse_while_paused
from .errors import LabError
from .net import check_endpoint

DUMMY_KEY = "test"
DUMMY_SECRET = "test"

CONNECT_TIMEOUT_S = 2
CONTROL_PLANE_READ_TIMEOUT_S = 20
CONTROL_PLANE_ATTEMPTS = 3
INVOKE_MARGIN_S = 30  # on top of the function's Timeout: a cold start and the emulator's own work

# Never a proxy, whatever HTTP(S)_PROXY / ALL_PROXY say: botocore falls back to the
# environment's proxies only when Config.proxies is None.
_NO_PROXIES = Config(proxies={})

# The control plane's policy (see the module docstring); invokes use invoke_config().
_CLIENT_CONFIG = Config(
    proxies={},
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
    allowed = split_url(endpoint).host

    def before_send(request, **_: Any) -> None:
        host = split_url(request.url).host
        if host != allowed:
            raise LabError(f"Blocked a request to {host}: lambda-lab clients only talk to {allowed}.")
        if is_emulator_name(host):  # resolved again just before sending: it must still be loopback
            check_endpoint(request.url)

    return before_send


@functools.cache
def _session(endpoint: str, access_key: str = DUMMY_KEY, secret: str = DUMMY_SECRET) -> boto3.session.Session:
    core = botocore.session.Session(session_vars=_ISOLATED_VARS)
    core.register("before-send", _pin_host(endpoint))
    core.register("before-send", refuse_while_paused(endpoint))  # the kit's emulator, paused: say so at once
    return boto3.session.Session(
        botocore_session=core,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret,
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
    key = access_key(backend)
    return _session(backend.endpoint, key, _secret(key))


def _secret(key: str) -> str:
    """The room's secret for the learner's account on its shared emulator (which verifies
    signatures), else the dummy one."""
    return (membership.secret_for(key) if key != DUMMY_KEY else None) or DUMMY_SECRET


def client(service: str, backend: Backend | None = None, **kwargs: Any):
    """A boto3 client for ``service`` on the selected backend."""
    backend = backend or resolve_backend()
    kwargs["config"] = (kwargs.get("config") or _CLIENT_CONFIG).merge(_NO_PROXIES)
    made = session(backend).client(service, endpoint_url=backend.endpoint, **kwargs)
    if service == "lambda":
        made.meta.events.register_first("needs-retry.lambda.Invoke", _never_retry_invoke)
        for operation in _CHANGES_FUNCTIONS:
            made.meta.events.register(f"after-call.lambda.{operation}", forget_function_configs)
    if service == "cloudformation":  # a stack may create, change or delete functions
        for operation in _CHANGES_STACKS:
            made.meta.events.register(f"after-call.cloudformation.{operation}", forget_function_configs)
    return made


# --- what lab.invoke reuses (issue 17.8) -------------------------------------------------------
#
# Building a boto3 client costs ~10 ms, several times an invoke on the emulator, and asking for
# the function's Timeout before every invoke costs a round trip. So lab.invoke reuses one client
# per (service, endpoint, account, read timeout), and remembers each function's Timeout until a
# kit client changes a function (create, update, delete, publish, alias; a CloudFormation stack) or
# FUNCTION_CONFIG_TTL_S passes (a change made by another process, or by Terraform).

FUNCTION_CONFIG_TTL_S = 30.0
_CHANGES_FUNCTIONS = (
    "CreateFunction",
    "UpdateFunctionConfiguration",
    "UpdateFunctionCode",
    "DeleteFunction",
    "PublishVersion",
    "CreateAlias",
    "UpdateAlias",
    "DeleteAlias",
)
_CHANGES_STACKS = ("CreateStack", "UpdateStack", "DeleteStack", "ExecuteChangeSet")
_SHARED: dict[tuple, tuple[boto3.session.Session, Any]] = {}
_TIMEOUTS: dict[tuple, tuple[float, float]] = {}
_LOCK = threading.Lock()


def shared_client(service: str, backend: Backend, read_timeout: float | None = None):
    """A kit client built once and reused: the control plane's policy, or an invoke's with
    ``read_timeout``. The endpoint guard still runs on every call of this function."""
    check_endpoint(backend.endpoint)
    key_id = access_key(backend)
    current = _session(backend.endpoint, key_id)
    key = (service, backend.endpoint, key_id, read_timeout)
    with _LOCK:
        cached = _SHARED.get(key)
        if cached is not None and cached[0] is current:  # a cleared session cache means new clients
            return cached[1]
    extra = {"config": invoke_config(read_timeout)} if read_timeout is not None else {}
    made = client(service, backend, **extra)
    with _LOCK:
        _SHARED[key] = (current, made)
    return made


def function_timeout(name: str, backend: Backend, qualifier: str | None = None) -> float:
    """The function's ``Timeout`` in seconds, asked once and remembered (see above)."""
    key = (backend.endpoint, access_key(backend), name, qualifier)
    now = time.monotonic()
    hit = _TIMEOUTS.get(key)
    if hit is not None and now - hit[1] < FUNCTION_CONFIG_TTL_S:
        return hit[0]
    lookup = {"Qualifier": qualifier} if qualifier is not None else {}
    conf = shared_client("lambda", backend).get_function_configuration(FunctionName=name, **lookup)
    timeout = float(conf.get("Timeout", 3))
    _TIMEOUTS[key] = (timeout, now)
    return timeout


def forget_function_configs(**_: Any) -> None:
    """Forget every remembered function Timeout (a kit client changed a function)."""
    _TIMEOUTS.clear()


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
    kwargs["config"] = (kwargs.get("config") or _CLIENT_CONFIG).merge(_NO_PROXIES)
    return session(backend).resource(service, endpoint_url=backend.endpoint, **kwargs)


def arn(service: str, resource_part: str, backend: Backend | None = None) -> str:
    """An ARN in the account the kit works in and its region, e.g. ``arn("iam", "role/x")``."""
    region = "" if service in ("iam", "s3") else REGION
    account = "" if service == "s3" else account_id(backend or resolve_backend())
    return f"arn:aws:{service}:{region}:{account}:{resource_part}"
