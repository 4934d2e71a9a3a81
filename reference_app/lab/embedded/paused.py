"""A paused emulator (SIGSTOP, Ctrl-Z) and one that does not answer: found at once, told in one sentence."""

from __future__ import annotations

import psutil

from ..config import Backend
from ..errors import LabError
from .run_folder import _read_pid, log_file


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
