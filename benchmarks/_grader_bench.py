"""What the grader benchmarks share: their own emulator on a spare port, with a throw-away home."""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile


@contextlib.contextmanager
def own_emulator():
    """Start an embedded emulator on a free port for the benchmark, and stop it after."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    os.environ.update(LAMBDA_LAB_PORT=str(port), LAMBDA_LAB_HOME=tempfile.mkdtemp(prefix="lab-bench-"))
    os.environ.pop("LAMBDA_LAB_EMULATOR", None)
    from reference_app.lab import emulator

    emulator.up()
    try:
        yield port
    finally:
        print(emulator.down())


def exercises(wanted: list[str]) -> list[str]:
    from reference_app.lab import course

    known = [e.id for e in course.load().exercises]
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise SystemExit(f"unknown exercise(s): {', '.join(unknown)}; known: {', '.join(known)}")
    return wanted or known
