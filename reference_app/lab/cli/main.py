"""``lambda-lab up`` without building the command line first.

``up`` is the command a learner types most, and the emulator itself starts in under 0.2 s: loading
Typer, rich and the command table (about 0.25 s) would more than double that wait
(``benchmarks/lab_startup.py``, the ``up`` ratio). :func:`main`, the console script, starts the
emulator directly when the command is exactly ``lambda-lab up``, says what it says, and leaves
everything else (options, other commands, and any error it does not word itself) to the full
command line, which :mod:`reference_app.lab.cli` builds as before.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["up"] and _up():
        return
    from . import app

    app()


def _up() -> bool:
    """Start (or find) the emulator and say so, as ``up`` does; False when the full command should
    run instead (a LocalStack backend's spinner and Docker messages, or an error worded there)."""
    from ..config import resolve_backend
    from ..errors import LabError

    try:
        backend = resolve_backend()
        if backend.kind != "embedded":
            return False
        from .. import emulator

        st = emulator.up(backend)
    except LabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    except Exception:  # the full command line words the rest (friendly)
        return False
    owner = f"started by lambda-lab, pid {st.pid}" if st.pid else "already running"
    tick = "\033[32m✓\033[0m" if sys.stdout.isatty() else "✓"
    print(f"{tick} {st.emulator} {st.version or ''} healthy at {backend.endpoint} ({owner})")
    if st.notice:
        print(f"note: {st.notice}", file=sys.stderr)
    return True
