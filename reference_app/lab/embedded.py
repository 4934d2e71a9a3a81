"""The embedded backend: ministack, started and stopped by the kit.

ministack runs as a background process bound to 127.0.0.1, in a session of its
own, with its state, S3 data, temp files (the function workers live there), log
and pid file in a per-user folder (``lambda-lab paths`` prints it), and its extra
listeners (IoT MQTT on 8883, SFTP) switched off. If a healthy emulator already
answers on the endpoint, the kit uses it and starts nothing.

The command that starts it comes from :mod:`.runtime` (ministack, through the kit's
Lambda runtime when it applies). ``down``, and the next ``up`` after an emulator was
killed, stop leftover function workers and clear the code folders in ``tmp/``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import psutil

try:
    import fcntl
except ImportError:  # Windows: msvcrt locks instead
    fcntl = None  # type: ignore[assignment]

from . import emulator_patch
from .config import Backend, lab_home_path, writing
from .emulator_patch.environment import emulator_env, persistence_enabled
from .errors import LabError
from .net import health, port_in_use
from .poll import attempts

START_DEADLINE_S = 20.0
STOP_GRACE_S = 15.0  # a clean stop saves every resource to state/ first
LOCK_NAME = "start.lock"


def run_path(backend: Backend) -> Path:
    """This port's folder (not created): state/, s3/, tmp/, ministack.pid and ministack.log."""
    return lab_home_path() / f"embedded-{backend.port}"


def run_dir(backend: Backend) -> Path:
    """:func:`run_path`, with its state/, s3/ and tmp/ folders created."""
    path = run_path(backend)
    with writing(path):
        for sub in ("state", "s3", "tmp"):
            (path / sub).mkdir(parents=True, exist_ok=True)
    return path


def pid_file(backend: Backend) -> Path:
    return run_path(backend) / "ministack.pid"


def log_file(backend: Backend) -> Path:
    return run_path(backend) / "ministack.log"


def _read_pid(backend: Backend) -> int | None:
    try:
        return int(pid_file(backend).read_text().strip())
    except (OSError, ValueError):
        return None


def owned_pid(backend: Backend) -> int | None:
    """The pid of the emulator this kit started on this port, if it is still running."""
    pid = _read_pid(backend)
    if pid is None:
        return None
    try:
        proc = psutil.Process(pid)
        written = pid_file(backend).stat().st_mtime
        if (
            "ministack" in " ".join(proc.cmdline())
            and proc.status() != psutil.STATUS_ZOMBIE
            and proc.create_time() <= written + 1  # not a later process that reuses the number
        ):
            return pid
    except (OSError, psutil.Error):
        pass
    return None


def port_taken_error(backend: Backend) -> LabError:
    other = backend.port + 1 if backend.port < 65535 else backend.port - 1
    return LabError(
        f"Port {backend.port} is in use by something that is not an AWS emulator; pick another: "
        f"`lambda-lab up --port {other}` (or set LAMBDA_LAB_PORT={other} for every command and notebook)."
    )


def not_answering_error(backend: Backend, pid: int) -> LabError:
    """The kit's own emulator (its pid file names a live ministack) does not answer."""
    restart = "restart it: `lambda-lab down`, then `lambda-lab up`"
    try:
        paused = psutil.Process(pid).status() == psutil.STATUS_STOPPED
    except psutil.Error:
        paused = False
    if paused:
        return LabError(
            f"The emulator lambda-lab started at {backend.endpoint} (pid {pid}) is paused and does not answer; "
            f"resume it with `kill -CONT {pid}`, or {restart}."
        )
    return LabError(
        f"The emulator lambda-lab started at {backend.endpoint} (pid {pid}) is running but does not answer; "
        f"{restart} (its log is {log_file(backend)})."
    )


def paused_pid(backend: Backend) -> int | None:
    """The pid of the kit's emulator on this port when it is paused (SIGSTOP, Ctrl-Z); None otherwise.

    Cheap enough to ask before every request: one small file and one /proc read."""
    pid = _read_pid(backend)
    if pid is None:
        return None
    try:
        return pid if psutil.Process(pid).status() == psutil.STATUS_STOPPED else None
    except psutil.Error:
        return None


def refuse_while_paused(endpoint: str):
    """A botocore ``before-send`` hook: a request to the kit's own emulator while it is paused fails at
    once with one sentence, instead of waiting out three read timeouts (about a minute) for an answer
    that cannot come."""
    backend = Backend("embedded", endpoint)
    local = backend.host in ("127.0.0.1", "localhost", "::1")  # the kit's emulator listens on loopback only

    def before_send(**_) -> None:
        pid = paused_pid(backend) if local else None
        if pid is not None:
            raise not_answering_error(backend, pid)

    return before_send


# --- start and stop -------------------------------------------------------------------------
#
# One lock per port, a file lock in the run folder, serialises every start and stop: three
# `lambda-lab up` (or three notebooks' `lab.up()`) at once start one emulator, and the pid
# file always names the process that listens. The OS releases the lock if its holder dies.


@contextmanager
def _port_lock(backend: Backend, wait_s: float):
    path = run_dir(backend) / LOCK_NAME
    with writing(path.parent):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by the emulator (O_CLOEXEC)
    try:
        for _ in attempts(wait_s, first=0.05, cap=0.25):
            if _try_lock(fd):
                break
        else:
            raise LabError(
                f"Another lambda-lab has been starting or stopping the emulator at {backend.endpoint} "
                f"for over {wait_s:.0f} s; wait for it, or see {log_file(backend)}."
            )
        yield
    finally:
        os.close(fd)


def _try_lock(fd: int) -> bool:
    if fcntl is None:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def busy(backend: Backend) -> bool:
    """True while some process holds this port's start/stop lock (an emulator is starting or stopping)."""
    try:
        fd = os.open(run_path(backend) / LOCK_NAME, os.O_RDWR)
    except OSError:
        return False
    try:
        return not _try_lock(fd)
    finally:
        os.close(fd)


def _ministack_pid_file(backend: Backend) -> Path:
    # ministack writes this in its TMPDIR when it starts and removes it when it exits cleanly,
    # which is after it has saved its state: left behind, it means the emulator was killed.
    return run_path(backend) / "tmp" / f"ministack-{backend.port}.pid"


def unclean_stop(backend: Backend) -> str | None:
    """What the learner should know when the kit's last emulator on this port ended without
    saving its state (killed, crashed, the machine lost power); None otherwise."""
    if not persistence_enabled() or _read_pid(backend) is None or owned_pid(backend) is not None:
        return None
    if not _ministack_pid_file(backend).exists():
        return None  # it exited cleanly (a SIGTERM at shutdown saves, as `down` does)
    return (
        f"The emulator on port {backend.port} was not stopped cleanly last time (killed, crashed, or the "
        "machine lost power): functions, tables, queues and the other resources are back as they were at its "
        "last clean stop, while S3 buckets and objects are as you left them; re-run your notebook's deploy "
        "cells (they are idempotent), or run `lambda-lab reset` to start clean."
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


def _write_pid(backend: Backend, pid: int) -> None:
    """Write the pid file whole or not at all."""
    path = pid_file(backend)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with writing(path.parent):
            tmp.write_text(str(pid))
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


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


NO_PERSIST_NAME = "no-persist"  # the emulator running on this port saves nothing when it stops
UNSAVED_NAME = "unsaved.txt"  # what the last stop could not save, until a stop saves everything
_SAVE_FAILED = re.compile(rb"Persistence: failed to save (\w+): ([^\n]*)")
# The state files' names (ministack's service keys), as a learner knows them.
_SERVICE_WORDS = {
    "lambda": "functions and event source mappings",
    "dynamodb": "tables and their items",
    "sqs": "queues",
    "sns": "topics",
    "s3": "buckets",
    "cloudwatch_logs": "log groups",
    "iam": "roles and policies",
    "eventbridge": "rules",
    "kinesis": "streams",
    "apigateway_v1": "REST APIs",
    "apigateway": "HTTP APIs",
    "stepfunctions": "state machines",
    "ssm": "parameters",
    "secretsmanager": "secrets",
}


def unsaved_services(log_tail: bytes) -> dict[str, str]:
    """Service key -> why, for each ``Persistence: failed to save`` line in the emulator's log."""
    return {m.group(1).decode(): m.group(2).decode(errors="replace").strip() for m in _SAVE_FAILED.finditer(log_tail)}


def unsaved_note(services: dict[str, str]) -> str:
    """One sentence naming what a stop could not save, and why."""
    what = ", ".join(f"{_SERVICE_WORDS.get(name, name)} ({name})" for name in sorted(services))
    why = next(iter(services.values()), "")
    return (
        f"it could not save its {what} ({why}), so those come back as they were at the last stop that saved them; "
        "free some disk space, then re-run your notebook's deploy cells"
    )


def stale_state(state_dir: Path, since: float) -> dict[str, str]:
    """Service key -> why, for each saved state file the stop did not rewrite.

    The emulator loads every state file when it starts and saves each again when it stops,
    so one older than the stop was not saved; on a full disk its log line saying so may
    not have been written either."""
    found = {}
    for path in state_dir.glob("*.json"):
        try:
            if path.stat().st_mtime < since - 1:
                found[path.stem] = "not rewritten when it stopped"
        except OSError:
            continue
    return found


def _stop_note(backend: Backend, killed: bool, log_offset: int, started: float | None = None) -> str | None:
    """What the stop just made could not save (None: everything), remembered for the next up and status."""
    note = None
    if persistence_enabled():
        if killed:
            note = (
                f"it did not shut down within {STOP_GRACE_S:.0f} s and was killed, so the resources it held since "
                "its last clean stop are gone at the next start (S3 objects are kept)"
            )
        else:
            try:
                with open(log_file(backend), "rb") as log:
                    log.seek(log_offset)
                    failed = unsaved_services(log.read())
            except OSError:
                failed = {}
            if started is not None and not (run_path(backend) / NO_PERSIST_NAME).exists():
                failed = {**stale_state(run_path(backend) / "state", started), **failed}
            if failed:
                note = unsaved_note(failed)
    path = run_path(backend) / UNSAVED_NAME
    try:
        if note is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(note)
    except OSError:  # a full disk: the stop's own message still says it
        pass
    return note


def last_stop_notice(backend: Backend) -> str | None:
    """What the learner should know about the last stop: a kill, a crash, or state it could not save."""
    killed = unclean_stop(backend)
    if killed:
        return killed
    try:
        note = (run_path(backend) / UNSAVED_NAME).read_text().strip()
    except OSError:
        return None
    return f"When the emulator on port {backend.port} last stopped, {note}." if note else None


def has_saved_state(backend: Backend) -> bool:
    """True when a stopped emulator left state (or S3 objects) that the next start loads."""
    run = run_path(backend)
    return any(any((run / sub).iterdir()) for sub in ("state", "s3") if (run / sub).is_dir())


def wipe_saved_state(backend: Backend) -> None:
    """Delete the saved state of a stopped emulator, so the next start is clean."""
    run = run_dir(backend)
    with _port_lock(backend, START_DEADLINE_S + STOP_GRACE_S + 5), writing(run):
        if owned_pid(backend) is not None or port_in_use(backend.port):
            raise LabError(f"The emulator on port {backend.port} is running again; reset it with `lambda-lab reset`.")
        for sub in ("state", "s3"):
            shutil.rmtree(run / sub, ignore_errors=False)
            (run / sub).mkdir()
        _ministack_pid_file(backend).unlink(missing_ok=True)
        (run / UNSAVED_NAME).unlink(missing_ok=True)
