"""Lesson 06's emulator that enforces IAM, the identities in it, and calls signed by them.

**Why a second emulator.** ministack checks credentials and evaluates IAM policies only when
it is started with ``AUTH=true`` (``ministack/app.py``, ``AUTH``; the evaluator is
``ministack/core/iam_evaluator.py``). It reads that once, at start, for every request it
serves. The lab's own emulator runs without it on purpose: every other lesson deploys
functions with the kit's default role, which grants nothing, and they would all fail. So
this lesson starts a second embedded emulator, with ``AUTH=true`` and nothing persisted, on
another port (:func:`enforcing_backend`: the lab's port + 1000, or
``LAMBDA_LAB_ENFORCING_PORT``), through the kit's own start and stop (loopback only, its own
folder, no AWS identity of the learner's), and stops it at the end of the lesson
(:func:`stop_enforcing`), when the Python process that started it exits, and, through a small
watchdog process, when that process is killed (a notebook kernel killed rather than shut down).

**How calls are authorised there** (verified against ministack 1.5.33):

* the kit's clients sign with the access key ``test``: the emulator takes it as the
  account's **root** user, which is allowed everything (``is_root_access_key``), as the
  root user of an AWS account is. So the kit can still create tables, roles and functions;
* an IAM user's access key (:func:`ensure_user`) is checked: the SigV4 signature against the
  key's secret (a wrong secret is ``SignatureDoesNotMatch``/``InvalidSignatureException``, an
  unknown key ``InvalidClientTokenId``), then the user's policies;
* a function gets temporary credentials for its **execution role** (``AWS_ACCESS_KEY_ID``,
  ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN`` in its environment, an
  ``assumed-role/<role>/<function>`` session: ``core/lambda_runtime.py``
  ``execution_credentials``), so every call the function makes is evaluated against the
  role's policies, as on AWS.
"""

from __future__ import annotations

import atexit
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from .. import embedded
from ..clients import DUMMY_KEY, DUMMY_SECRET, client
from ..config import DEFAULT_PORT, PORT_ENV, REGION, Backend, resolve_backend
from ..deploy import _TRUST_POLICY, COLD_START_STAMP, deploy_function
from ..deploy import ensure_role as kit_role
from ..errors import LabError, aws_code
from ..http import HttpResponse, http_call
from ..net import health

ENFORCING_PORT_ENV = "LAMBDA_LAB_ENFORCING_PORT"
PORT_OFFSET = 1000
#: What makes the lesson's emulator different: IAM enforced, nothing kept after it stops.
ENFORCING_ENV = {"AUTH": "true", "PERSIST_STATE": "0", "S3_PERSIST": "0"}
PROBE_MODULE = "reference_app.lab.lesson_helpers.iam_probe"
ROLE_POLICY_NAME = "least-privilege"
USER_POLICY_NAME = "lab-06"

_started: dict[int, int] = {}  # port -> pid of the enforcing emulator this process started
_watchdogs: list = []  # their watchdogs' Popen objects, kept so none is collected while it runs


# --- the emulator that enforces IAM ---------------------------------------------------------------


def enforcing_backend() -> Backend:
    """Where the enforcing emulator listens: ``LAMBDA_LAB_ENFORCING_PORT``, else the lab's port + 1000."""
    raw = os.environ.get(ENFORCING_PORT_ENV)
    if raw:
        return resolve_backend("embedded", raw)
    main = int(os.environ.get(PORT_ENV) or DEFAULT_PORT)
    port = main + PORT_OFFSET if main + PORT_OFFSET <= 65535 else main - PORT_OFFSET
    return resolve_backend("embedded", port)


def enforces(doc: dict | None) -> bool:
    """True for the health document of an emulator started with ``AUTH=true``."""
    return doc is not None and doc.get("auth") == "enabled"


def enforcing_emulator() -> Backend:
    """Start the lesson's emulator with IAM enforcement on (or reuse it); its backend.

    Idempotent: a second call, or a re-run of the notebook, finds it running. Something else
    on its port that does not enforce IAM is refused rather than used.
    """
    backend = enforcing_backend()
    doc = health(backend.endpoint)
    if doc is None:
        pid = embedded.start(backend, extra_env=ENFORCING_ENV)
        if pid is not None:
            if not _started:
                atexit.register(_stop_all)
            _started[backend.port] = pid
            _watch(os.getpid(), pid)
        doc = health(backend.endpoint)
    if not enforces(doc):
        raise LabError(
            f"An emulator that does not enforce IAM answers at {backend.endpoint}; stop it "
            f"(`lambda-lab down --port {backend.port}`) or set {ENFORCING_PORT_ENV} to a free port."
        )
    return backend


# Runs beside the emulator: stops it when the process that started it is gone without stopping it
# (a notebook kernel killed rather than shut down runs no atexit handler), and ends with it.
_WATCHDOG = """
import os, signal, sys, time
parent, emulator = int(sys.argv[1]), int(sys.argv[2])
def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
while alive(emulator):
    if not alive(parent):
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(emulator, sig)
            except (ProcessLookupError, PermissionError):
                break
            time.sleep(3)
        break
    time.sleep(0.5)
"""


def _watch(parent: int, emulator: int) -> None:
    import subprocess
    import sys

    _watchdogs.append(
        subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _WATCHDOG, str(parent), str(emulator)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    )


def stop_enforcing() -> str:
    """Stop the lesson's emulator (everything in it is gone: it keeps nothing)."""
    backend = enforcing_backend()
    stopped = _stop(backend)
    pid = _started.pop(backend.port, None)
    if not stopped and pid is not None:
        embedded.stop_pid(pid)  # its pid file went with its home folder (a test session's)
    if not stopped and pid is None:
        return f"No enforcing emulator of this kit was running at {backend.endpoint}."
    return f"Stopped the enforcing emulator at {backend.endpoint}; nothing in it was kept."


def _stop(backend: Backend) -> bool:
    """The kit's stop (:func:`embedded.stop`), quicker for an emulator that saves nothing: its function
    workers are killed first and not waited for (the emulator reaps them as it exits), so only the
    emulator itself is waited for."""
    import signal

    import psutil

    if embedded.owned_pid(backend) is None:
        return False
    with embedded._port_lock(backend, embedded.START_DEADLINE_S):
        pid = embedded.owned_pid(backend)
        if pid is None:
            return False
        emulator = psutil.Process(pid)
        for worker in emulator.children(recursive=True):
            try:
                worker.kill()
            except psutil.Error:
                pass
        try:
            os.killpg(pid, signal.SIGTERM)
            emulator.wait(embedded.STOP_GRACE_S)
        except (ProcessLookupError, psutil.Error):
            pass
        except psutil.TimeoutExpired:
            emulator.kill()
        embedded.pid_file(backend).unlink(missing_ok=True)
        embedded.clean_leftovers(backend)
    return True


def _stop_all() -> None:
    for port, pid in list(_started.items()):
        try:
            if not _stop(resolve_backend("embedded", port)):
                embedded.stop_pid(pid)
        except Exception:  # at exit, never fail the process for a cleanup
            embedded.stop_pid(pid)
        _started.pop(port, None)


class enforcing:  # noqa: N801 - used as ``with enforcing() as backend``
    """The enforcing emulator for one block (a grader check): started if needed, and stopped
    at the end only when this block started it."""

    def __enter__(self) -> Backend:
        self._was_running = enforces(health(enforcing_backend().endpoint))
        return enforcing_emulator()

    def __exit__(self, *exc: object) -> None:
        if not self._was_running:
            stop_enforcing()


# --- identities ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """An IAM user's access key in the enforcing emulator (a throw-away emulator's, never AWS's)."""

    user: str
    arn: str
    access_key_id: str
    secret_access_key: str

    def client(self, service: str, backend: Backend):
        """A kit client (same endpoint guard and isolation) that signs with this key."""
        return client(
            service, backend, aws_access_key_id=self.access_key_id, aws_secret_access_key=self.secret_access_key
        )

    def __repr__(self) -> str:  # never show the secret in a notebook's output
        return f"Credentials(user={self.user!r}, access_key_id={self.access_key_id!r}, secret_access_key='…')"


def ensure_user(name: str, policy: dict | None, backend: Backend) -> Credentials:
    """IAM user ``name`` with exactly ``policy`` as its inline policy, and a fresh access key."""
    iam = client("iam", backend)
    try:
        arn = iam.get_user(UserName=name)["User"]["Arn"]
    except ClientError as err:
        if aws_code(err) not in ("NoSuchEntity", "NoSuchEntityException"):
            raise
        arn = iam.create_user(UserName=name)["User"]["Arn"]
    _set_inline_policy(iam, "user", name, policy)
    for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return Credentials(name, arn, key["AccessKeyId"], key["SecretAccessKey"])


def ensure_role(name: str, policy: dict | None, backend: Backend) -> str:
    """Execution role ``name`` (Lambda may assume it) with exactly ``policy`` inline; its ARN."""
    iam = client("iam", backend)
    try:
        arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    except ClientError as err:
        if aws_code(err) not in ("NoSuchEntity", "NoSuchEntityException"):
            raise
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=_TRUST_POLICY)["Role"]["Arn"]
    _set_inline_policy(iam, "role", name, policy)
    return arn


def _set_inline_policy(iam, kind: str, name: str, policy: dict | None) -> None:
    key = {"user": "UserName", "role": "RoleName"}[kind]
    wanted = ROLE_POLICY_NAME if kind == "role" else USER_POLICY_NAME
    for existing in getattr(iam, f"list_{kind}_policies")(**{key: name})["PolicyNames"]:
        if policy is None or existing != wanted:
            getattr(iam, f"delete_{kind}_policy")(**{key: name, "PolicyName": existing})
    if policy is not None:
        getattr(iam, f"put_{kind}_policy")(**{key: name, "PolicyName": wanted, "PolicyDocument": json.dumps(policy)})


def default_role(backend: Backend) -> str:
    """The kit's default execution role (named lambda-lab-execution): Lambda may assume it, and it grants nothing."""
    return kit_role(backend=backend)


def role_policy(name: str, backend: Backend) -> dict | None:
    """The inline policy :func:`ensure_role` gave role ``name``."""
    try:
        doc = client("iam", backend).get_role_policy(RoleName=name, PolicyName=ROLE_POLICY_NAME)["PolicyDocument"]
    except ClientError as err:
        if aws_code(err) in ("NoSuchEntity", "NoSuchEntityException"):
            return None
        raise
    return json.loads(doc) if isinstance(doc, str) else doc


def who_am_i(backend: Backend, credentials: Credentials | None = None, **keys: str) -> str:
    """The ARN the emulator says a caller is (``sts:GetCallerIdentity``), or the error code it answers."""
    sts = credentials.client("sts", backend) if credentials else client("sts", backend, **keys)
    try:
        return sts.get_caller_identity()["Arn"]
    except ClientError as err:
        return aws_code(err)


def identities(backend: Backend, user: Credentials):
    """Who the enforcing emulator says each kind of caller is, as a table."""
    import pandas as pd

    rows = [
        ("the kit's clients (access key `test`)", who_am_i(backend)),
        (f"IAM user {user.user}'s access key", who_am_i(backend, user)),
        (
            "the same key, wrong secret",
            who_am_i(backend, aws_access_key_id=user.access_key_id, aws_secret_access_key="not-the-secret"),
        ),
        (
            "a key the emulator never issued",
            who_am_i(backend, aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="wJalrXUtnFEMI/K7MDENG"),
        ),
    ]
    return pd.DataFrame(rows, columns=["caller", "GetCallerIdentity answers"]).set_index("caller")


def denied(call) -> str:
    """The error code a call raises (``AccessDeniedException``), or ``"allowed"``."""
    try:
        call()
    except ClientError as err:
        return aws_code(err)
    return "allowed"


# --- functions under a role -----------------------------------------------------------------------


def deploy_with_role(name: str, module: str, role_arn: str, backend: Backend, **kwargs: Any):
    """``deploy_function`` with ``role_arn`` as the execution role.

    When the role changes, running environments still hold the old role's credentials. AWS's
    advice is a trivial configuration update alongside, which replaces them
    (permissions-executionrole-update.html); the emulator needs it too (a Role-only update
    keeps its warm worker). So a role change goes with a new cold-start stamp, in one update.
    """
    try:
        before = client("lambda", backend).get_function_configuration(FunctionName=name).get("Role")
    except ClientError as err:
        if aws_code(err) != "ResourceNotFoundException":
            raise
        before = None
    if before not in (None, role_arn):
        kwargs["environment"] = {**(kwargs.get("environment") or {}), COLD_START_STAMP: str(time.time_ns())}
    return deploy_function(name, module, backend=backend, Role=role_arn, **kwargs)


# --- signed HTTP calls (function URLs with AuthType AWS_IAM) ------------------------------------


def signed_call(
    url: str,
    credentials: Credentials | None,
    method: str = "GET",
    body: bytes | str | dict | None = None,
    headers: dict[str, str] | None = None,
    service: str = "lambda",
) -> HttpResponse:
    """One HTTP request signed with SigV4 by ``credentials`` (``None``: the kit's own key, the root),
    the way ``awscurl`` or an SDK signs a call to a function URL with AuthType AWS_IAM."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials

    data = json.dumps(body).encode() if isinstance(body, dict) else body.encode() if isinstance(body, str) else body
    send = {"Content-Type": "application/json", **(headers or {})} if data else dict(headers or {})
    request = AWSRequest(method=method, url=url, data=data or b"", headers=send)
    key = credentials or Credentials("root", "", DUMMY_KEY, DUMMY_SECRET)
    SigV4Auth(BotoCredentials(key.access_key_id, key.secret_access_key), service, REGION).add_auth(request)
    return http_call(url, method, data, headers=dict(request.headers.items()))


# --- showing configurations without their secrets -------------------------------------------------


def masked(configuration: dict, show: Iterable[str] = ("AWS_ENDPOINT_URL",)) -> dict:
    """A function configuration with its variables' values hidden (names kept): what a
    notebook may print. A value printed in a cell is saved in the .ipynb file, and from there
    in git and in every copy of the notebook."""
    variables = (configuration.get("Environment") or {}).get("Variables") or {}
    keep = set(show)
    hidden = {
        k: (v if k in keep else f"••• ({len(v)} characters)") for k, v in variables.items() if k != COLD_START_STAMP
    }  # the kit's own marker, not the function's
    wanted = ("FunctionName", "Role", "KMSKeyArn")
    return {**{k: configuration.get(k) for k in wanted if configuration.get(k)}, "Environment": hidden}
