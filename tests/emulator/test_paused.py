"""A paused emulator gets one sentence in seconds, from every command and client (issue 17, section 6).

Paused (SIGSTOP, Ctrl-Z in its terminal), the emulator still accepts connections, so every
request used to wait out three 20 s read timeouts. The emulator here is the test's own.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from reference_app.lab import clients, deploy, emulator
from reference_app.lab.config import resolve_backend
from reference_app.lab.errors import LabError

CLI = str(Path(sys.executable).with_name("lambda-lab"))


@pytest.fixture
def paused(free_port):
    backend = resolve_backend("embedded", free_port)
    pid = emulator.up(backend).pid
    deploy.deploy_function("paused-fn", "reference_app.handlers.hello", backend=backend)
    os.kill(pid, signal.SIGSTOP)
    yield backend, pid
    os.kill(pid, signal.SIGCONT)
    emulator.down(backend)


def test_raw_clients_and_logs_say_the_emulator_is_paused(paused):
    backend, pid = paused
    expected = f"is paused and does not answer; resume it with `kill -CONT {pid}`"
    # WHEN a notebook calls a raw client THEN it gets one sentence, not a minute of timeouts
    with pytest.raises(LabError, match="paused"):
        clients.client("s3", backend).list_buckets()
    with pytest.raises(LabError, match="paused"):
        clients.client("lambda", backend).invoke(FunctionName="paused-fn", Payload=b"{}")
    # AND `lambda-lab logs` says the same, with no traceback (timeout: a guard, the call used to take 67 s)
    env = {**os.environ, "LAMBDA_LAB_PORT": str(backend.port)}
    done = subprocess.run([CLI, "logs", "paused-fn"], env=env, capture_output=True, text=True, timeout=45)
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode != 0 and expected in said and "Traceback" not in said, said
