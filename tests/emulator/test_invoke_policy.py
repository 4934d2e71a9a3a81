"""A synchronous invoke runs the function once and waits as long as the function may run (issue 8.17).

The kit's control-plane calls have a short read timeout and are retried; an invoke
must be neither. The tests shrink the control-plane timeout to 1 s and give the
function a 2 s sleep under a 6 s timeout, so the mechanism shows in seconds, not
minutes: executions are counted from the function's own log lines.
"""

import time
from pathlib import Path

import pytest
from botocore.config import Config

from reference_app.lab import clients, deploy, logs
from reference_app.lab.errors import LabError

SLEEPY = Path(__file__).parent / "fixtures" / "sleepy_handler.py"


@pytest.fixture
def sleepy(backend):
    name = "it-invoke-sleepy"
    deploy.deploy_function(name, SLEEPY, timeout=6, backend=backend)
    deploy.invoke(name, {"seconds": 0}, backend)  # warm: the tests time the handler, not a cold start
    return name


@pytest.fixture
def short_control_plane_timeout(monkeypatch):
    monkeypatch.setattr(clients, "_CLIENT_CONFIG", clients._CLIENT_CONFIG.merge(Config(read_timeout=1)))


def _executions(name: str, since_ms: int, backend, settle_s: float = 0.0) -> int:
    time.sleep(settle_s)
    done = logs.wait_for_invocations(name, 1, since_ms, timeout_s=10, backend=backend)
    return sum("sleepy: execution started" in line for i in done for line in i.lines)


def test_a_synchronous_invoke_runs_once_and_waits_for_the_function(backend, sleepy, short_control_plane_timeout):
    # GIVEN a function that runs longer than the kit's control-plane read timeout
    since = int(time.time() * 1000)
    # WHEN it is invoked synchronously
    result = deploy.invoke(sleepy, {"seconds": 2}, backend)
    # THEN the invoke waits for it (its read timeout covers the function's timeout) and it ran once
    assert result.ok and result.payload == {"slept": 2}
    assert _executions(sleepy, since, backend, settle_s=3) == 1


def test_an_invoke_that_outlasts_its_read_timeout_is_not_retried(backend, sleepy):
    since = int(time.time() * 1000)
    started = time.monotonic()
    # WHEN the caller's read timeout is shorter than the function's run
    with pytest.raises(LabError) as error:
        deploy.invoke(sleepy, {"seconds": 3}, backend, read_timeout=1)
    # THEN it fails after one read timeout, in one sentence, and the function ran exactly once
    assert time.monotonic() - started < 2.5
    assert f"{sleepy} did not answer within 1 s" in str(error.value) and "not retried" in str(error.value)
    assert _executions(sleepy, since, backend, settle_s=4) == 1


def test_the_retry_policy_is_written_down():
    text = (clients.__doc__ or "") + (deploy.invoke.__doc__ or "")
    for call in ("control plane", "synchronous invoke", "asynchronous invoke"):
        assert call in text.lower(), call


def test_a_raw_invoke_through_the_kits_client_is_not_retried_either(backend, sleepy, short_control_plane_timeout):
    from botocore.exceptions import ReadTimeoutError

    since = int(time.time() * 1000)
    # WHEN a notebook calls boto3's invoke on the kit's client, and the function outlasts its read timeout
    with pytest.raises(ReadTimeoutError):
        clients.client("lambda", backend).invoke(FunctionName=sleepy, Payload=b'{"seconds": 3}')
    # THEN the function ran once: the kit's clients never send an Invoke twice
    assert _executions(sleepy, since, backend, settle_s=4) == 1
