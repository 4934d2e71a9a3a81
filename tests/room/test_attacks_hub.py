"""The classroom hub against a mischievous learner (issue 18): one test per attack.

GIVEN Ada's and Bob's own emulators as the hub starts them (each learner's server makes a
secret only that learner's Unix user can read, :func:`reference_app.lab.room.hub.own_credentials`,
and its emulator verifies every signature against it), WHEN Ada's kernel reaches Bob's
emulator's port (with her credentials, with Bob's account id, unsigned, or on its internal
endpoints as another Unix user), THEN nothing of Bob's is listed, invoked or deleted.
The hub's configuration runs no learner as root and each in a Unix user of their own.
"""

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from reference_app import lab
from reference_app.lab import clients, embedded
from reference_app.lab.config import resolve_backend
from reference_app.lab.room import hub

HANDLER = "def handler(event, context):\n    return 'bob'\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _zip(source: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("app.py", source)
    return buf.getvalue()


def _raw(service: str, endpoint: str, key: str, secret: str):
    """Plain boto3, as a learner's kernel would build it (no profile of the test machine's)."""
    core = botocore.session.Session(session_vars=clients._ISOLATED_VARS)
    return boto3.session.Session(
        botocore_session=core, aws_access_key_id=key, aws_secret_access_key=secret, region_name="us-east-1"
    ).client(service, endpoint_url=endpoint, config=Config(retries={"total_max_attempts": 1}))


ROOT = Path(__file__).resolve().parents[2]


class HubLearner:
    """A learner's server on the hub: their lab home, their emulator's port, the environment
    their server gives kernels (as :class:`~reference_app.lab.room.hub.LearnerEmulator` sets it)."""

    def __init__(self, home: Path):
        self.home = home
        self.port = _free_port()
        self.env = {"LAMBDA_LAB_HOME": str(home), "LAMBDA_LAB_PORT": str(self.port), "LAMBDA_LAB_BACKEND": "embedded"}
        with pytest.MonkeyPatch.context() as mp:
            for key, value in self.env.items():
                mp.setenv(key, value)
            self.account = hub.own_credentials(self.env)
            for key, value in self.env.items():
                mp.setenv(key, value)
            embedded.start(resolve_backend())

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def acting(self, monkeypatch):
        for key, value in self.env.items():
            monkeypatch.setenv(key, value)
        clients._session.cache_clear()

    def stop(self):
        with pytest.MonkeyPatch.context() as mp:
            for key, value in self.env.items():
                mp.setenv(key, value)
            embedded.stop(resolve_backend())


@pytest.fixture(scope="module")
def hub_learners(tmp_path_factory):
    made = {name: HubLearner(tmp_path_factory.mktemp(f"hub-{name}")) for name in ("ada", "bob")}
    yield made
    for learner in made.values():
        learner.stop()
    clients._session.cache_clear()


@pytest.fixture
def bobs_function(hub_learners, monkeypatch):
    bob = hub_learners["bob"]
    with monkeypatch.context() as mp:
        bob.acting(mp)
        lam = lab.client("lambda")
        lam.create_function(
            FunctionName="lab-bob-fn",
            Runtime="python3.12",
            Handler="app.handler",
            Role=f"arn:aws:iam::{bob.account}:role/x",
            Code={"ZipFile": _zip(HANDLER)},
        )
        lam.get_waiter("function_active_v2").wait(FunctionName="lab-bob-fn")
    yield "lab-bob-fn"
    with monkeypatch.context() as mp:
        bob.acting(mp)
        lab.client("lambda").delete_function(FunctionName="lab-bob-fn")
    clients._session.cache_clear()


def _bobs_functions(bob, monkeypatch) -> list[str]:
    with monkeypatch.context() as mp:
        bob.acting(mp)
        return [f["FunctionName"] for f in lab.client("lambda").list_functions()["Functions"]]


def test_adas_kernel_on_bobs_port_lists_invokes_and_deletes_nothing(hub_learners, bobs_function, monkeypatch):
    ada, bob = hub_learners["ada"], hub_learners["bob"]
    with monkeypatch.context() as mp:
        ada.acting(mp)
        mp.setenv("LAMBDA_LAB_PORT", str(bob.port))  # Ada points her kit at Bob's emulator
        with pytest.raises(ClientError, match="InvalidClientTokenId"):
            lab.client("lambda").list_functions()
    secret = json.loads((ada.home / "credentials.json").read_text())["accounts"][ada.account]
    for key in (bob.account, "000000000000", "test"):  # Bob's account id, or the default, with Ada's secret
        lam = _raw("lambda", bob.endpoint, key, secret)
        for operation in ("list_functions", "invoke", "delete_function"):
            kwargs = {} if operation == "list_functions" else {"FunctionName": bobs_function}
            with pytest.raises(ClientError, match="SignatureDoesNotMatch|InvalidClientTokenId"):
                getattr(lam, operation)(**kwargs)
    assert bobs_function in _bobs_functions(bob, monkeypatch)


def test_an_unsigned_request_sees_nothing_of_bobs(hub_learners, bobs_function, monkeypatch):
    import urllib.request

    bob = hub_learners["bob"]
    with urllib.request.urlopen(bob.endpoint + "/2015-03-31/functions/", timeout=10) as resp:
        assert json.loads(resp.read())["Functions"] == []  # the default account: nobody's
    assert bobs_function in _bobs_functions(bob, monkeypatch)


def _as_another_user(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [shutil.which("setpriv"), "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-I", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root to act as another user")
def test_bobs_internal_endpoints_refuse_another_unix_user(hub_learners, bobs_function, monkeypatch):
    bob = hub_learners["bob"]
    code = (
        "import urllib.request, urllib.error\n"
        f"r = urllib.request.Request('{bob.endpoint}/_ministack/reset', method='POST', data=b'')\n"
        "try:\n    print(urllib.request.urlopen(r, timeout=20).status)\n"
        "except urllib.error.HTTPError as e:\n    print(e.code)\n"
    )
    done = _as_another_user(code)
    assert done.stdout.strip() == "403", done.stderr
    assert bobs_function in _bobs_functions(bob, monkeypatch)


def test_a_learner_resets_their_own_emulator(hub_learners, monkeypatch):
    ada = hub_learners["ada"]
    with monkeypatch.context() as mp:
        ada.acting(mp)
        lab.client("sqs").create_queue(QueueName="lab-ada-q")
        assert "every resource is gone" in lab.reset()  # her own processes: the emulator's own user
        assert lab.client("sqs").list_queues().get("QueueUrls", []) == []


def test_the_credentials_file_is_the_learners_only(hub_learners):
    for learner in hub_learners.values():
        assert oct((learner.home / "credentials.json").stat().st_mode & 0o777) == "0o600"
