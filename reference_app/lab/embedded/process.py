"""Starting and stopping the emulator process, and clearing what a killed one left behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from typing import NamedTuple

import psutil

try:
    import fcntl
except ImportError:  # Windows: no process groups
    fcntl = None  # type: ignore[assignment]

from .. import emulator_patch
from ..config import Backend, writing
from ..emulator_patch.environment import emulator_env
from ..errors import LabError
from ..net import health, port_in_use
from ..poll import attempts
from .paused import not_answering_error
from .run_folder import (
    START_DEADLINE_S,
    STOP_GRACE_S,
    _ministack_pid_file,
    _port_lock,
    _read_pid,
    _write_pid,
    log_file,
    owned_pid,
    pid_file,
    run_dir,
)
from .saved_state import NO_PERSIST_NAME, _stop_note


def port_taken_error(backend: Backend) -> LabError:
    other = backend.port + 1 if backend.port < 65535 else backend.port - 1
    return LabError(
        f"Port {backend.port} is in use by something that is not an AWS emulator; pick another: "
        f"`lambda-lab up --port {other}` (or set LAMBDA_LAB_PORT={other} for every command and notebook)."
    )


def start(
    backend: Backend, deadline_s: float = START_DEADLINE_S, extra_env: dict[str, str] | None = None
) -> int | None:
    """Start ministack for ``backend`` unless a healthy emulator already answers there;
    return the pid of the process started, or None when one was already running.

    ``extra_env`` adds ministack settings to the process started (see :func:`emulator_env`);
    an emulator that already answers is reused as it is, whatever it was started with.
    """
    if health(backend.endpoint) is not None:
        return None
    with _port_lock(backend, deadline_s + STOP_GRACE_S + 5):
        if health(backend.endpoint) is not None:
            return None  # started by another caller while this one waited for the lock
        pid = owned_pid(backend)
        if pid is not None:
            raise not_answering_error(backend, pid)
        if port_in_use(backend.port):
            raise port_taken_error(backend)
        clean_leftovers(backend)  # of an emulator that was killed: its workers, its code folders
        return _spawn(backend, deadline_s, extra_env)


def _spawn(backend: Backend, deadline_s: float, extra_env: dict[str, str] | None = None) -> int | None:
    """Start the process and wait until it answers; on any failure, leave nothing running."""
    home = run_dir(backend)
    env = emulator_env(backend, home, extra_env)  # refuses a bad extra_env before anything starts
    log_path = log_file(backend)
    with writing(home):
        _ministack_pid_file(backend).unlink(missing_ok=True)  # a killed emulator's; reported before this
        unsaving = home / NO_PERSIST_NAME  # an emulator that saves nothing (extra_env PERSIST_STATE=0)
        if env.get("PERSIST_STATE") == "1":
            unsaving.unlink(missing_ok=True)
        else:
            unsaving.touch()
        log = open(log_path, "ab")  # noqa: SIM115 - handed to the child, closed below
    with log:
        proc = subprocess.Popen(
            emulator_patch.emulator_command(),
            cwd=home,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives the CLI; `down` stops the whole group
        )
    try:
        _write_pid(backend, proc.pid)
        for _ in attempts(deadline_s, first=0.01, cap=0.02):  # a learner waits for `up`: look often
            alive = proc.poll() is None
            if health(backend.endpoint, timeout=0.5) is not None:
                if alive and _listens(proc.pid, backend.port):
                    _reap_when_it_exits(proc)
                    return proc.pid
                if not alive:  # another emulator took the port first: use it, own nothing
                    pid_file(backend).unlink(missing_ok=True)
                    return None
            elif not alive:
                tail = log_path.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
                raise LabError(f"The emulator exited during start-up ({tail[0]}); see {log_path}.")
        raise LabError(f"The emulator did not become healthy within {deadline_s:.0f} s; see {log_path}.")
    except BaseException:  # including Ctrl-C: never leave an emulator the pid file does not name
        stop_pid(proc.pid)
        pid_file(backend).unlink(missing_ok=True)
        raise


def _reap_when_it_exits(proc: subprocess.Popen) -> None:
    """Collect the emulator's exit status the moment it exits (``down`` from another process, a
    crash), so it never lingers as a zombie that looks alive to the next ``down`` or ``up``."""
    import threading

    threading.Thread(target=proc.wait, name="lambda-lab-reap-emulator", daemon=True).start()


def _listens(pid: int, port: int) -> bool:
    """True when process ``pid`` listens on ``port`` (assumed when the OS will not say)."""
    try:
        proc = psutil.Process(pid)
        conns = proc.net_connections(kind="inet") if hasattr(proc, "net_connections") else proc.connections("inet")
    except psutil.AccessDenied:
        return True
    except psutil.Error:
        return False
    return any(c.status == psutil.CONN_LISTEN and c.laddr and c.laddr[1] == port for c in conns)


def stop_pid(pid: int, grace_s: float = 5.0) -> bool:
    """SIGTERM the process group led by ``pid``; SIGKILL whatever is left after ``grace_s``.

    True when ``pid`` itself had to be killed (so it did not shut down, or save, on its own).
    A process that has exited counts as gone even while it waits for its parent to reap it
    (a zombie): ``down`` from a second terminal, while ``lambda-lab lab`` or a notebook
    owns the emulator, must not wait out the grace period for it.
    """
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
        os.killpg(pid, signal.SIGCONT)  # a paused emulator handles SIGTERM (and saves its state) once resumed
    except (ProcessLookupError, PermissionError):
        for p in procs:
            try:
                p.terminate()
                p.resume()
            except psutil.NoSuchProcess:
                pass
    alive = _wait_gone(procs, grace_s)
    for p in alive:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    _wait_gone(alive, grace_s)
    return proc in alive


def _gone(proc: psutil.Process) -> bool:
    try:
        if proc.status() == psutil.STATUS_ZOMBIE:
            try:
                os.waitpid(proc.pid, os.WNOHANG)  # ours to reap when this process started it
            except ChildProcessError:
                pass
            return True
        return not proc.is_running()
    except psutil.NoSuchProcess:
        return True


def _wait_gone(procs: list[psutil.Process], timeout_s: float) -> list[psutil.Process]:
    """Wait until every process has exited (reaped or not); those still running after ``timeout_s``."""
    alive = list(procs)
    for _ in attempts(timeout_s, first=0.02, cap=0.1):
        alive = [p for p in alive if not _gone(p)]
        if not alive:
            break
    return [p for p in alive if not _gone(p)]


class Stopped(NamedTuple):
    pid: int
    note: str | None  # set when its state could not be saved


def stop(backend: Backend) -> Stopped | None:
    """Stop the emulator this kit started on this port (it saves its state as it goes)."""
    if owned_pid(backend) is None:
        return None
    with _port_lock(backend, START_DEADLINE_S + STOP_GRACE_S + 5):
        pid = owned_pid(backend)
        if pid is None:
            return None  # stopped by another caller meanwhile
        log_path = log_file(backend)
        offset = log_path.stat().st_size if log_path.exists() else 0
        started = time.time()
        killed = stop_pid(pid, grace_s=STOP_GRACE_S)
        pid_file(backend).unlink(missing_ok=True)
        note = _stop_note(backend, killed, offset, started)
        clean_leftovers(backend)
        return Stopped(pid, note)


def worker_processes(backend: Backend) -> list[psutil.Process]:
    """Function workers running from this port's ``tmp/`` folder, whichever emulator started them."""
    tmp = str(run_dir(backend) / "tmp") + os.sep
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if any(arg.startswith(tmp) for arg in proc.info["cmdline"] or ()):
            found.append(proc)
    return found


def _function_processes(group: int | None) -> list[psutil.Process]:
    """Processes a killed emulator's functions started (frozen between invocations, so never ending on
    their own): in the emulator's process group, with a function's variables in their environment."""
    if group is None or fcntl is None:  # no process groups on Windows
        return []
    found = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) == group and "AWS_LAMBDA_FUNCTION_NAME" in proc.environ():
                found.append(proc)
        except (OSError, psutil.Error):
            continue
    return found


def clean_leftovers(backend: Backend) -> None:
    """Stop the workers and remove the code folders an emulator left in this port's ``tmp/``.

    Only for an emulator that is not running: a stopped one leaves its code folders,
    a killed one (SIGKILL, out of memory) its workers too. ministack's own pid file
    there is kept: it is how the next start tells a clean stop from a kill.
    """
    tmp = run_dir(backend) / "tmp"
    keep = _ministack_pid_file(backend)
    if not any(entry != keep for entry in tmp.iterdir()):
        return  # a worker runs from its code folder there: none, so no process to look for
    workers = worker_processes(backend) + _function_processes(_read_pid(backend))
    for proc in workers:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(workers, timeout=5)
    for entry in tmp.iterdir():
        if entry == keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
