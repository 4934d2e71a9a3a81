"""A function's execution environment is its whole process tree (issue 17, section 6).

AWS freezes the environment between invocations: a process the handler left running does
nothing until the next invocation, counts against the function's memory, and goes with it.
"""

from pathlib import Path

import psutil
import pytest

from reference_app.lab import deploy

HANDLER = Path(__file__).parent / "fixtures" / "forking_handler.py"


def _count(path: Path) -> int:
    text = path.read_text() if path.exists() else ""
    return int(text) if text.strip().isdigit() else 0


def _stopped(proc: psutil.Process, wait_s: float = 5.0) -> bool:
    """SIGSTOP takes effect when the process is next scheduled: on a busy machine, a moment later."""
    import time

    end = time.monotonic() + wait_s
    while proc.status() != psutil.STATUS_STOPPED and time.monotonic() < end:
        time.sleep(0.02)
    return proc.status() == psutil.STATUS_STOPPED


def _settled(path: Path, wait_s: float = 0.6) -> tuple[int, int]:
    import time

    first = _count(path)
    time.sleep(wait_s)
    return first, _count(path)


def test_a_process_left_running_is_frozen_between_invocations_and_ends_with_the_function(backend, tmp_path):
    name = deploy.deploy_function("tree-freeze", HANDLER, backend=backend).name
    counter = tmp_path / "counter"
    # WHEN the handler starts a process and returns
    child = psutil.Process(deploy.invoke(name, {"action": "spawn", "counter": str(counter)}, backend).payload["pid"])
    # THEN between invocations it is stopped and does nothing
    assert _stopped(child)
    first, later = _settled(counter)
    assert first == later
    # AND the next invocation thaws it while it runs, then it is frozen again
    # (2 s: a child that has not reached its first write yet, on a loaded machine, gets there in that time)
    assert deploy.invoke(name, {"seconds": 2.0}, backend).ok
    thawed = _count(counter)
    assert thawed > later and _stopped(child)
    # AND when the function is deleted, the environment goes with every process it started
    deploy.delete_function(name, backend)
    _, alive = psutil.wait_procs([child], timeout=5)
    assert not alive


def test_the_memory_size_applies_to_the_whole_tree(backend, tmp_path):
    name = deploy.deploy_function("tree-memory", HANDLER, backend=backend, memory_size=128).name
    counter = tmp_path / "counter"
    # GIVEN a process the handler left behind, that grows 10 MB every 50 ms while it runs
    child = psutil.Process(
        deploy.invoke(name, {"action": "spawn", "counter": str(counter), "grow_mb": 10}, backend).payload["pid"]
    )
    # THEN it cannot grow while the environment is frozen
    _settled(counter)
    assert child.memory_info().rss < 128 * 2**20
    # AND when the next invocation thaws it, the environment passes 128 MB and Lambda stops it, all of it
    inv = deploy.invoke(name, {"seconds": 5}, backend)
    assert inv.function_error == "Unhandled" and inv.payload["errorType"] == "Runtime.OutOfMemory"
    _, alive = psutil.wait_procs([child], timeout=5)
    assert not alive


@pytest.fixture(autouse=True)
def _no_leftovers():
    yield
    for proc in psutil.process_iter(["cmdline"]):  # a failed test's child, were it left
        if "counter.write(str(n))" in " ".join(proc.info["cmdline"] or ()):
            proc.kill()


def test_up_after_a_killed_emulator_ends_what_its_functions_left_frozen(free_port, tmp_path):
    import os
    import signal

    from reference_app.lab import emulator
    from reference_app.lab.config import resolve_backend

    backend = resolve_backend("embedded", free_port)
    pid = emulator.up(backend).pid
    try:
        name = deploy.deploy_function("tree-orphan", HANDLER, backend=backend).name
        child = psutil.Process(
            deploy.invoke(name, {"action": "spawn", "counter": str(tmp_path / "c")}, backend).payload["pid"]
        )
        # GIVEN an emulator killed (SIGKILL) while a process its function left is frozen
        killed = psutil.Process(pid)
        os.kill(pid, signal.SIGKILL)
        psutil.wait_procs([killed], timeout=5)
        assert _stopped(child)
        # WHEN the next `up` starts THEN that process is ended too
        emulator.up(backend)
        _, alive = psutil.wait_procs([child], timeout=5)
        assert not alive
    finally:
        emulator.down(backend)
