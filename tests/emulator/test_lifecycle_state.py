"""The embedded emulator's lifecycle across processes and restarts (issue 8.6, 8.16).

Each test runs its own emulator on its own port, under the session's throw-away home.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from botocore.exceptions import ClientError
from typer.testing import CliRunner

from reference_app.lab import clients, deploy, embedded, emulator, logs, triggers
from reference_app.lab.cli import app
from reference_app.lab.config import resolve_backend

CLI = str(Path(sys.executable).with_name("lambda-lab"))
runner = CliRunner()


@pytest.fixture
def own(free_port, monkeypatch):
    for key in ("LAMBDA_LAB_BACKEND", "LAMBDA_LAB_PORT"):  # the CLI's --port writes the environment
        monkeypatch.setenv(key, os.environ[key])
    backend = resolve_backend("embedded", free_port)
    yield backend
    emulator.down(backend)


def _listener(port: int) -> int | None:
    for conn in psutil.net_connections(kind="inet"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr[1] == port:
            return conn.pid
    return None


def _ministacks(port: int) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline", "environ"]):
        try:
            if "ministack" in " ".join(proc.info["cmdline"] or []) and (proc.info["environ"] or {}).get(
                "GATEWAY_PORT"
            ) == str(port):
                found.append(proc)
        except psutil.Error:
            continue
    return found


# --- 8.16: concurrent starts -------------------------------------------------------------------


@pytest.mark.parametrize("how", ["cli", "python"])
def test_concurrent_starts_start_one_emulator_that_down_stops(own, how):
    # GIVEN three starts at once, as three terminals or three notebooks' `lab.up()` do
    env = {**os.environ, "LAMBDA_LAB_PORT": str(own.port)}
    command = [CLI, "up"] if how == "cli" else [sys.executable, "-c", "from reference_app import lab; lab.up()"]
    for _trial in range(1):  # before the lock, 8 starts in 10 orphaned the emulator
        procs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(3)]
        outputs = [p.communicate(timeout=90)[0].decode(errors="replace") for p in procs]
        # THEN every one succeeds
        assert all(p.returncode == 0 for p in procs), outputs
        # AND the pid file names the one process that listens, and it is the only emulator on that port
        listener = _listener(own.port)
        assert embedded.owned_pid(own) == listener is not None
        assert [p.pid for p in _ministacks(own.port)] == [listener]
        # AND `down` stops it, leaving nothing behind
        message = emulator.down(own)
        assert message.startswith(f"Stopped the emulator at {own.endpoint} (pid {listener})"), message
        assert _listener(own.port) is None and not _ministacks(own.port)


# --- 8.6: state across down/up, after a kill, and reset ----------------------------------------


def _make_resources(backend, suffix: str) -> None:
    deploy.deploy_function(f"keep-fn-{suffix}", "reference_app.handlers.hello", backend=backend)
    ddb = clients.client("dynamodb", backend)
    ddb.create_table(
        TableName=f"keep-table-{suffix}",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.put_item(TableName=f"keep-table-{suffix}", Item={"id": {"S": "ada"}})
    s3 = clients.client("s3", backend)
    s3.create_bucket(Bucket=f"keep-bucket-{suffix}")
    s3.put_object(Bucket=f"keep-bucket-{suffix}", Key="note.txt", Body=b"tomorrow")
    sqs = clients.client("sqs", backend)
    sqs.send_message(QueueUrl=sqs.create_queue(QueueName=f"keep-queue-{suffix}")["QueueUrl"], MessageBody="m")


def _what_exists(backend, suffix: str) -> dict[str, bool]:
    def exists(call) -> bool:
        try:
            call()
            return True
        except ClientError:
            return False

    lam, ddb = clients.client("lambda", backend), clients.client("dynamodb", backend)
    s3, sqs = clients.client("s3", backend), clients.client("sqs", backend)
    return {
        "function": exists(lambda: lam.get_function(FunctionName=f"keep-fn-{suffix}")),
        "item": exists(lambda: ddb.get_item(TableName=f"keep-table-{suffix}", Key={"id": {"S": "ada"}})["Item"])
        if exists(lambda: ddb.describe_table(TableName=f"keep-table-{suffix}"))
        else False,
        "object": exists(lambda: s3.get_object(Bucket=f"keep-bucket-{suffix}", Key="note.txt")),
        "queue": exists(lambda: sqs.get_queue_url(QueueName=f"keep-queue-{suffix}")),
    }


def test_every_resource_survives_down_and_up_and_reset_starts_clean(own):
    # GIVEN a function, a table with an item, a bucket with an object, a queue, and a queue that triggers the function
    emulator.up(own)
    _make_resources(own, "a")
    sqs = clients.client("sqs", own)
    trigger = sqs.create_queue(QueueName="keep-trigger-a")["QueueUrl"]
    triggers.event_source_mapping("keep-fn-a", clients.arn("sqs", "keep-trigger-a"), batch_size=1, backend=own)
    # WHEN the emulator is stopped and started again (the laptop lid closed for the night)
    assert "`lambda-lab up` brings back every resource" in emulator.down(own)
    st = emulator.up(own)
    # THEN everything is back, with no warning; the function still runs, and its trigger still fires
    assert _what_exists(own, "a") == {"function": True, "item": True, "object": True, "queue": True}
    assert st.notice is None and "keep-fn-a" in emulator.status(own).functions
    assert deploy.invoke("keep-fn-a", {"name": "Ada"}, own).ok
    since = int(time.time() * 1000)
    sqs.send_message(QueueUrl=trigger, MessageBody='{"name": "from the queue"}')
    assert logs.wait_for_invocations("keep-fn-a", 1, since, timeout_s=30, backend=own)
    # AND `reset` is the way to start clean: nothing comes back after the next down/up
    assert "every resource is gone" in emulator.reset(own)
    emulator.down(own)
    emulator.up(own)
    assert not any(_what_exists(own, "a").values())


def test_reset_of_a_stopped_emulator_deletes_its_saved_state(own):
    emulator.up(own)
    _make_resources(own, "b")
    emulator.down(own)
    # WHEN the learner resets while the emulator is stopped
    result = runner.invoke(app, ["reset", "--yes", "--port", str(own.port)])
    said = " ".join(result.output.split())  # rich wraps at 80 columns here
    assert result.exit_code == 0 and "the next `lambda-lab up` starts clean" in said, said
    # THEN the next start is clean
    emulator.up(own)
    assert not any(_what_exists(own, "b").values())


def test_after_a_kill_the_learner_is_told_what_came_back(own):
    # GIVEN resources saved by a clean stop, then more made, then the emulator killed (no chance to save)
    emulator.up(own)
    _make_resources(own, "saved")
    emulator.down(own)
    pid = emulator.up(own).pid
    _make_resources(own, "lost")
    killed = psutil.Process(pid)
    os.kill(pid, signal.SIGKILL)
    psutil.wait_procs([killed], timeout=10)  # reaped by this process's emulator reaper, or a zombie until then
    # WHEN it is started again
    before = emulator.status(own)
    st = emulator.up(own)
    # THEN the learner is told, before and at the start, exactly what the notice says is true:
    for text in (before.notice, st.notice):
        assert text and "not stopped cleanly" in text and "S3 buckets and objects are as you left them" in text
    # the control plane is back to the last clean stop, S3 objects are as they were left
    assert _what_exists(own, "saved") == {"function": True, "item": True, "object": True, "queue": True}
    assert _what_exists(own, "lost") == {"function": False, "item": False, "object": True, "queue": False}
    # AND the notice is given once: the next clean cycle is quiet
    emulator.down(own)
    assert emulator.up(own).notice is None


def test_a_sigterm_saves_like_down(own):
    # GIVEN the emulator stopped by SIGTERM, not by `down` (the machine shutting down, a logout)
    pid = emulator.up(own).pid
    _make_resources(own, "term")
    os.kill(pid, signal.SIGTERM)
    psutil.Process(pid).wait(timeout=embedded.STOP_GRACE_S)
    # WHEN it is started again THEN everything is back, and nothing is said about a lost state
    st = emulator.up(own)
    assert st.notice is None
    assert _what_exists(own, "term") == {"function": True, "item": True, "object": True, "queue": True}
