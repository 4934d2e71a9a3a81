"""Function workers give their resources back (issue 8, items 20 and 21).

Tests that kill or reconfigure an emulator start one of their own (own port, own
home folder); the others use the session's emulator.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from reference_app.lab import deploy, embedded, emulator
from reference_app.lab.cli import app
from reference_app.lab.clients import client
from reference_app.lab.config import resolve_backend

PROBE = Path(__file__).parent / "fixtures" / "runtime_probe.py"


def all_workers(backend) -> list[psutil.Process]:
    """Every process running code from this emulator's temp folder, found by its command line."""
    tmp = str(embedded.run_dir(backend) / "tmp") + os.sep
    return [p for p in psutil.process_iter(["cmdline"]) if any(a.startswith(tmp) for a in p.info["cmdline"] or ())]


def workers_of(backend, function: str) -> list[psutil.Process]:
    return [p for p in all_workers(backend) if any(f"ministack-lambda-{function}-" in a for a in p.info["cmdline"])]


@pytest.fixture
def own_emulator(monkeypatch, tmp_path, free_port):
    """An emulator of this test's own; set its settings in the environment before ``emulator.up``."""
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(tmp_path / "home"))
    backend = resolve_backend("embedded", free_port)
    yield backend
    emulator.down(backend)
    for proc in all_workers(backend):  # whatever a failed test left behind
        proc.kill()


def wait_for(probe, timeout_s: float = 10.0):
    end = time.monotonic() + timeout_s
    while not (value := probe()) and time.monotonic() < end:
        time.sleep(0.1)
    return value


def invoke_async(backend, name: str, event: dict) -> None:
    client("lambda", backend).invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event).encode())


# --- item 20: a killed emulator leaves no worker behind ---------------------------------------------------


def start_sleeping(backend, name: str, marker: Path) -> list[psutil.Process]:
    """Start a 60 s invocation of ``name``; its worker once the handler is running."""
    deploy.deploy_function(name, PROBE, backend=backend, timeout=120)
    invoke_async(backend, name, {"action": "sleep", "seconds": 60, "marker": str(marker)})
    assert wait_for(marker.exists), "the handler did not start"
    return workers_of(backend, name)


def test_killing_the_emulator_mid_invoke_ends_the_functions_worker(own_emulator, tmp_path):
    backend = own_emulator
    pid = emulator.up(backend).pid
    # GIVEN a function in the middle of a 60 s invocation
    workers = start_sleeping(backend, "w-sleeper", tmp_path / "running")
    assert workers
    # WHEN the emulator is killed (SIGKILL: no chance to clean up)
    os.kill(pid, signal.SIGKILL)
    # THEN the worker does not wait for its handler to return
    _, alive = psutil.wait_procs(workers, timeout=5)
    assert not alive


def test_up_after_a_killed_emulator_stops_its_leftover_workers_and_code(own_emulator, tmp_path):
    backend = own_emulator
    pid = emulator.up(backend).pid
    workers = start_sleeping(backend, "w-stuck", tmp_path / "running")
    assert workers
    # GIVEN a worker that cannot notice its emulator is gone (stopped), and the emulator killed
    for proc in workers:
        proc.suspend()
    killed = psutil.Process(pid)  # before the kill: `up`'s process reaps its emulator the moment it exits
    os.kill(pid, signal.SIGKILL)
    psutil.wait_procs([killed], timeout=5)
    assert all(p.is_running() for p in workers)
    tmp = embedded.run_dir(backend) / "tmp"
    assert any(tmp.iterdir())
    # WHEN the next `up` starts an emulator on that port
    emulator.up(backend)
    # THEN the previous emulator's worker is gone, and so are its code folders
    _, alive = psutil.wait_procs(workers, timeout=5)
    assert not alive
    assert not [p for p in tmp.iterdir() if p.name.startswith("ministack-lambda-w-stuck-")]


# --- item 21: idle workers, code folders, memory ------------------------------------------------------------


def test_an_idle_functions_worker_is_reclaimed(own_emulator, monkeypatch):
    monkeypatch.setenv("LAMBDA_LAB_WARM_IDLE_S", "1")
    backend = own_emulator
    emulator.up(backend)
    deploy.deploy_function("w-idle", PROBE, backend=backend)
    first = deploy.invoke("w-idle", {"action": "silent"}, backend)
    assert first.ok and workers_of(backend, "w-idle")
    # WHEN the function stays idle past its warm lifetime
    # THEN its only worker is stopped, and the next invoke is a cold start
    assert wait_for(lambda: not workers_of(backend, "w-idle"), timeout_s=10)
    again = deploy.invoke("w-idle", {"action": "silent"}, backend)
    assert again.logs(backend).cold


def test_idle_workers_beyond_the_limit_are_reclaimed_least_recently_used_first(own_emulator, monkeypatch):
    monkeypatch.setenv("LAMBDA_LAB_WARM_WORKERS", "2")
    backend = own_emulator
    emulator.up(backend)
    names = [f"w-many-{i}" for i in range(4)]
    for name in names:
        deploy.deploy_function(name, PROBE, backend=backend)
        deploy.invoke(name, {"action": "silent"}, backend)
    # THEN at most two idle workers stay warm: the two used last
    assert wait_for(lambda: len(all_workers(backend)) <= 2)
    assert [bool(workers_of(backend, name)) for name in names] == [False, False, True, True]


def test_down_removes_the_workers_code_folders(own_emulator):
    backend = own_emulator
    emulator.up(backend)
    deploy.deploy_function("w-code", PROBE, backend=backend)
    deploy.invoke("w-code", {"action": "silent"}, backend)
    tmp = embedded.run_dir(backend) / "tmp"
    assert [p for p in tmp.iterdir() if p.name.startswith("ministack-lambda-w-code-")]
    emulator.down(backend)
    assert list(tmp.iterdir()) == []


def test_memory_size_is_enforced(backend):
    name = deploy.deploy_function("w-hungry", PROBE, backend=backend, memory_size=128).name
    # WHEN the function uses more than its 128 MB
    inv = deploy.invoke(name, {"action": "allocate", "mb": 300}, backend)
    # THEN Lambda stops it, as AWS does, and says so in the answer and the REPORT line
    assert inv.function_error == "Unhandled"
    assert inv.payload["errorType"] == "Runtime.OutOfMemory"
    assert inv.payload["errorMessage"] == (
        f"RequestId: {inv.request_id} Error: Runtime exited with error: signal: killed"
    )
    report = inv.logs(backend).lines[-1]
    assert "Max Memory Used: 128 MB" in report and "Error Type: Runtime.OutOfMemory" in report
    # AND a request within the limit runs, in a fresh environment
    fine = deploy.invoke(name, {"action": "allocate", "mb": 16}, backend)
    assert fine.ok and fine.logs(backend).cold


def test_a_functions_workers_stop_when_it_is_updated_or_deleted(backend, tmp_path):
    handler = tmp_path / "w_versions.py"
    handler.write_text("def lambda_handler(event, context):\n    return 1\n")
    deploy.deploy_function("w-versions", handler, backend=backend)
    deploy.invoke("w-versions", {}, backend)
    old = workers_of(backend, "w-versions")
    assert old
    # WHEN its code is updated THEN the old environment goes
    handler.write_text("def lambda_handler(event, context):\n    return 2\n")
    assert deploy.deploy_function("w-versions", handler, backend=backend).action == "updated"
    _, alive = psutil.wait_procs(old, timeout=5)
    assert not alive
    assert deploy.invoke("w-versions", {}, backend).payload == 2
    # WHEN it is deleted THEN its environment goes too
    new = workers_of(backend, "w-versions")
    assert new
    deploy.delete_function("w-versions", backend)
    _, alive = psutil.wait_procs(new, timeout=5)
    assert not alive


def test_status_shows_the_emulators_memory(own_emulator, monkeypatch):
    backend = own_emulator
    monkeypatch.setenv("LAMBDA_LAB_PORT", str(backend.port))
    emulator.up(backend)
    deploy.deploy_function("w-status", PROBE, backend=backend)
    deploy.invoke("w-status", {"action": "silent"}, backend)
    memory = emulator.status(backend).memory
    assert memory.workers == len(all_workers(backend)) == 1
    assert memory.emulator_mb > 0 and memory.workers_mb > 0
    assert memory.total_mb == memory.emulator_mb + memory.workers_mb
    shown = CliRunner().invoke(app, ["status"], terminal_width=200)
    assert shown.exit_code == 0
    assert re.search(r"memory +[\d,]+ MB \(emulator [\d,]+ MB, 1 worker [\d,]+ MB\)", shown.output), shown.output
