"""Emulator lifecycle: start, reuse, refuse a foreign port, stop only what the kit started."""

import os
import signal
import socket
import subprocess
import sys
import time

import psutil
import pytest

from reference_app.lab import deploy, embedded, emulator
from reference_app.lab.config import lab_home, resolve_backend
from reference_app.lab.errors import LabError


def test_up_twice_is_harmless(backend):
    first = emulator.up(backend)
    second = emulator.up(backend)
    assert first.healthy and second.healthy
    assert first.pid == second.pid is not None


def test_embedded_emulator_is_confined(backend):
    # GIVEN the emulator the kit started
    pid = embedded.owned_pid(backend)
    proc = psutil.Process(pid)
    env = proc.environ()
    home = str(lab_home())
    # THEN its state, S3 data and temp files live under the per-user home, not /tmp/ministack-*
    for key in ("STATE_DIR", "S3_DATA_DIR", "TMPDIR"):
        assert env[key].startswith(home), key
    # AND it listens on loopback only, on one port (no MQTT 8883, no SFTP)
    listening = {c.laddr for c in proc.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN}
    assert listening == {("127.0.0.1", backend.port)}
    # AND the learner's AWS variables never reach it (or the functions it spawns)
    assert env["AWS_ACCESS_KEY_ID"] == "test" and "AWS_PROFILE" not in env


def test_require_without_emulator_says_run_up(free_port):
    backend = resolve_backend("embedded", free_port)
    with pytest.raises(LabError, match=rf"No emulator at http://127.0.0.1:{free_port} — run `lambda-lab up`\."):
        emulator.require(backend)


def test_port_taken_by_something_else_is_named(free_port):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", free_port))
        squatter.listen()
        backend = resolve_backend("embedded", free_port)
        with pytest.raises(LabError, match=rf"Port {free_port} is in use .* LAMBDA_LAB_PORT={free_port + 1}"):
            emulator.up(backend)
        with pytest.raises(LabError, match=f"Port {free_port} is in use"):
            emulator.require(backend)


def test_own_emulator_starts_fast_and_stops(free_port):
    backend = resolve_backend("embedded", free_port)
    started = time.monotonic()
    status = emulator.up(backend)
    took = time.monotonic() - started
    try:
        assert status.healthy and status.pid and psutil.pid_exists(status.pid)
        assert took < embedded.START_DEADLINE_S
    finally:
        message = emulator.down(backend)
    assert "Stopped" in message
    assert not psutil.pid_exists(status.pid) or psutil.Process(status.pid).status() == psutil.STATUS_ZOMBIE
    assert emulator.health(backend.endpoint) is None
    assert "No emulator is running" in emulator.down(backend)


def test_down_leaves_an_emulator_it_did_not_start(free_port, tmp_path):
    # GIVEN a ministack someone else started on a port
    env = {
        **os.environ,
        "GATEWAY_PORT": str(free_port),
        "BIND_HOST": "127.0.0.1",
        "IOT_MTLS_ENABLED": "0",
        "TMPDIR": str(tmp_path),
        "STATE_DIR": str(tmp_path / "s"),
        "S3_DATA_DIR": str(tmp_path / "d"),
    }
    foreign = subprocess.Popen(
        [sys.executable, "-m", "ministack"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    backend = resolve_backend("embedded", free_port)
    try:
        deadline = time.monotonic() + 20
        while emulator.health(backend.endpoint) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        # WHEN the kit is asked to bring it up, then down
        assert emulator.up(backend).pid is None  # reused, not owned
        message = emulator.down(backend)
        # THEN it says so and leaves it running
        assert "not started by lambda-lab" in message
        assert foreign.poll() is None and emulator.health(backend.endpoint) is not None
    finally:
        embedded.stop_pid(foreign.pid)


def test_a_frozen_emulator_of_the_kit_is_named_not_mistaken_for_a_stranger(free_port):
    # GIVEN the kit's own emulator, paused (SIGSTOP: Ctrl-Z, a debugger, a suspended VM)
    backend = resolve_backend("embedded", free_port)
    pid = emulator.up(backend).pid
    os.kill(pid, signal.SIGSTOP)
    try:
        # WHEN the learner asks for it
        status = emulator.status(backend)
        with pytest.raises(LabError) as up_error:
            emulator.up(backend)
        with pytest.raises(LabError) as require_error:
            emulator.require(backend)
        # AND an invoke or a deploy says so at once, instead of waiting out timeouts and retries
        started = time.monotonic()
        with pytest.raises(LabError) as invoke_error:
            deploy.invoke("anything", {}, backend)
        with pytest.raises(LabError) as deploy_error:
            deploy.deploy_function("anything", "reference_app.handlers.hello", backend=backend)
        assert time.monotonic() - started < 10
    finally:
        started = time.monotonic()
        message = emulator.down(backend)
        took = time.monotonic() - started
    # THEN every answer recognises it by its pid file and says what to do
    for text in (status.problem, *(str(e.value) for e in (up_error, require_error, invoke_error, deploy_error))):
        assert f"(pid {pid}) is paused" in text and f"kill -CONT {pid}" in text, text
        assert "not an AWS emulator" not in text
    # AND `down` stops it without waiting for the kill deadline (it is resumed to handle SIGTERM)
    assert "Stopped" in message and took < 5
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_up_with_a_read_only_home_is_one_sentence_and_starts_nothing(tmp_path, monkeypatch, free_port, refuse_writes):
    from typer.testing import CliRunner

    from reference_app.lab.cli import app

    home = refuse_writes(tmp_path / "ro-home")
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(home))
    monkeypatch.setenv("LAMBDA_LAB_PORT", str(free_port))
    result = CliRunner().invoke(app, ["up"])
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and "Traceback" not in result.output, said
    assert said.startswith(f"error: Cannot write to {home}") and "read-only" in said, said
    assert not emulator.port_in_use(free_port)


def test_a_full_disk_at_start_leaves_no_orphaned_emulator(tmp_path, monkeypatch, free_port, disk_full):
    home = tmp_path / "full-home"
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(home))
    backend = resolve_backend("embedded", free_port)
    run = home / f"embedded-{free_port}"
    disk_full(run)  # the log opens (appending needs no new file); the pid file cannot be written
    try:
        with pytest.raises(LabError, match=rf"Cannot write to {run}: the disk is full"):
            emulator.up(backend)
    finally:
        leftover = [c.pid for c in psutil.net_connections("inet") if c.laddr and c.laddr[1] == free_port and c.pid]
        for pid in leftover:  # only if the kit failed: do not leave it running after the test
            embedded.stop_pid(pid)
    assert not leftover, "an emulator was left running with no pid file"
    assert embedded.owned_pid(backend) is None and not embedded.pid_file(backend).exists()
