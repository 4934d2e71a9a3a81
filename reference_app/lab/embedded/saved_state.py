"""What a stopped emulator saved, and what it could not: the notes a learner reads at the next up and status."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from ..config import Backend, writing
from ..emulator_patch.environment import persistence_enabled
from ..errors import LabError
from ..net import port_in_use
from .run_folder import (
    START_DEADLINE_S,
    STOP_GRACE_S,
    _ministack_pid_file,
    _port_lock,
    _read_pid,
    log_file,
    owned_pid,
    run_dir,
    run_path,
)

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
