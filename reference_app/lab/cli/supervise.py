"""Run JupyterLab for ``lambda-lab lab`` so that the emulator stops however the session ends.

JupyterLab runs in a process group of its own, so a signal meant for the session
reaches ``lambda-lab`` alone and ``lambda-lab`` decides, the same way every time:

* JupyterLab exits by itself (File > Shut Down, a crash, a kill): ``lab`` carries on
  to stop the emulator it started.
* SIGHUP (the terminal was closed) or SIGTERM (a logout, ``kill``): JupyterLab is
  stopped (SIGTERM: it shuts its kernels down), then the emulator.
* SIGINT: in a terminal (Ctrl-C), ``lab`` asks "Stop JupyterLab and the emulator?"
  as JupyterLab itself would (y, or a second Ctrl-C, stops; no answer in 5 s carries
  on); with no terminal to ask (``kill -INT``, a supervisor), it stops at once.

Only SIGKILL of ``lambda-lab`` itself cannot be handled: then ``lambda-lab down`` stops
the emulator, and JupyterLab is left to stop by hand.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

WATCHED = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
ANSWER_S = 5.0
STOP_GRACE_S = 30.0


class Signals:
    """The signals received since :func:`watching` began, oldest first."""

    def __init__(self) -> None:
        self.pending: list[int] = []

    def pop(self) -> int | None:
        return self.pending.pop(0) if self.pending else None


@contextmanager
def watching() -> Iterator[Signals]:
    """Record SIGINT, SIGTERM and SIGHUP instead of dying of them, for the block's duration."""
    signals = Signals()
    previous = {}
    for signum in WATCHED:
        previous[signum] = signal.signal(signum, lambda received, _frame: signals.pending.append(received))
    try:
        yield signals
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def interactive() -> bool:
    """True when there is a terminal to ask on (Ctrl-C then means "ask", as JupyterLab does)."""
    return os.name == "posix" and sys.stdin is not None and sys.stdin.isatty()


def run(command: list[str], signals: Signals, say: Callable[[str], None]) -> int:
    """Run ``command`` (JupyterLab) until it ends or a signal says to stop it; its exit code,
    or 128 + the signal's number when a signal stopped it."""
    options: dict = {"stdin": subprocess.DEVNULL}  # it never needs the terminal; lambda-lab asks
    if os.name == "posix":
        options["process_group"] = 0  # the terminal's signals reach lambda-lab, not JupyterLab
    jupyter = subprocess.Popen(command, **options)
    try:
        while True:
            try:
                return jupyter.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
            signum = signals.pop()
            if signum is None:
                continue
            if signum == signal.SIGINT and interactive():
                if not _confirm(signals, say):
                    continue
                signum = 0  # asked for and confirmed: a clean exit
            stop(jupyter)
            return 128 + signum if signum else 0
    finally:
        if jupyter.poll() is None:  # an error in this loop: JupyterLab must not outlive it
            stop(jupyter)


def _confirm(signals: Signals, say: Callable[[str], None]) -> bool:
    _write("\nStop JupyterLab and the emulator? (y/[n]) ")
    deadline = time.monotonic() + ANSWER_S
    while time.monotonic() < deadline:
        if signals.pop() is not None:  # a second Ctrl-C, or the terminal going away
            return True
        try:
            ready, _, _ = select.select([sys.stdin], [], [], 0.2)
            if ready:
                if sys.stdin.readline().strip().lower().startswith("y"):
                    return True
                say("JupyterLab keeps running.")
                return False
        except (OSError, ValueError):  # the terminal is gone
            return True
    say(f"\nNo answer within {ANSWER_S:.0f} s: JupyterLab keeps running.")
    return False


def _write(text: str) -> None:
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def stop(jupyter: subprocess.Popen) -> None:
    """SIGTERM JupyterLab's process group (it shuts its kernels down); SIGKILL after a grace period."""
    for signum, wait_s in ((signal.SIGTERM, STOP_GRACE_S), (getattr(signal, "SIGKILL", signal.SIGTERM), 5.0)):
        try:
            if os.name == "posix":
                os.killpg(jupyter.pid, signum)
            else:
                jupyter.terminate()
        except (ProcessLookupError, PermissionError):
            pass
        try:
            jupyter.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue
