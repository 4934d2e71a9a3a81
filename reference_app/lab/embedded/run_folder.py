"""This port's run folder: its paths, the kit's pid file, and the lock that serialises every start and stop."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import psutil

try:
    import fcntl
except ImportError:  # Windows: msvcrt locks instead
    fcntl = None  # type: ignore[assignment]

from ..config import Backend, lab_home_path, writing
from ..errors import LabError
from ..poll import attempts

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


def _ministack_pid_file(backend: Backend) -> Path:
    # ministack writes this in its TMPDIR when it starts and removes it when it exits cleanly,
    # which is after it has saved its state: left behind, it means the emulator was killed.
    return run_path(backend) / "tmp" / f"ministack-{backend.port}.pid"


def _read_pid(backend: Backend) -> int | None:
    try:
        return int(pid_file(backend).read_text().strip())
    except (OSError, ValueError):
        return None


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
