"""The learner's progress across the course, kept in the per-user home (``progress.json``), and the
helpers every state file uses (this one and the drill's ``drill.json``): nothing a learner earned is
ever overwritten because it could not be read.

``lambda-lab check`` records every attempt here, so ``lambda-lab check --all`` (and
``lab.progress()`` in a notebook) can show, after a restart, which exercises are
done, which are in progress and where the learner is stuck.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import course
from .config import HOME_ENV, lab_home, lab_home_path, write_error
from .errors import LabError

FILE = "progress.json"

# --- state files: read without losing anything, write atomically, explain failures ------------------


def notify(message: str) -> None:
    """Tell the learner something happened to a state file (one sentence, on stderr)."""
    print(message, file=sys.stderr, flush=True)


def state_home() -> Path:
    """The per-user folder, created if missing; a file standing in its place is one sentence."""
    try:
        return lab_home()
    except (FileExistsError, NotADirectoryError):
        home = lab_home_path()
        raise LabError(
            f"{home} is a file, where the lab keeps its folder; move that file away or set {HOME_ENV} to a folder."
        ) from None


def _read_error(path: Path, what: str, exc: OSError) -> LabError:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return LabError(
            f"Cannot read your {what} file {path}: permission denied; fix its permissions "
            f"(it is kept as it is, and nothing is written until it can be read)."
        )
    if exc.errno == errno.EISDIR:
        return LabError(f"{path} is a folder where your {what} file should be; move that folder away.")
    return LabError(f"Cannot read your {what} file {path} ({exc.strerror or exc}); it is left as it is.")


def set_aside(path: Path, move: bool) -> Path:
    """Keep ``path`` under a new, unique name beside it (moved, or copied when it stays in use)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        extra = f"-{n}" if n else ""
        kept = path.with_name(f"{path.stem}.unreadable-{stamp}{extra}{path.suffix}")
        if not kept.exists():
            break
    try:
        if move:
            os.replace(path, kept)
        else:
            shutil.copy2(path, kept)
    except OSError as exc:
        raise write_error(path.parent, exc) from None
    return kept


def load_state(path: Path, what: str, clean: Callable[[Any], tuple[Any, list[str]]]) -> Any:
    """Read a JSON state file; ``clean(raw)`` returns the usable data and a list of what was wrong in it.

    Nothing is lost: a file that is not JSON (or not the right shape) is moved aside under a new name,
    a file with wrong-typed values is copied aside before they are dropped, and either is reported in one
    sentence before anything new is written. A file that cannot be read at all is left alone, and the
    learner is told why (permissions, a folder in its place).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return clean(None)[0]
    except UnicodeDecodeError:
        text = None
    except OSError as exc:
        raise _read_error(path, what, exc) from None
    try:
        raw = json.loads(text) if text is not None else None
        if text is None or not isinstance(raw, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        kept = set_aside(path, move=True)
        reason = f"{exc.msg}, line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else str(exc)
        notify(
            f"Your {what} file {path} could not be read ({reason}); it is kept as {kept.name} and a new one starts now."
        )
        return clean(None)[0]
    data, problems = clean(raw)
    if problems:
        kept = set_aside(path, move=False)
        more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
        notify(
            f"Your {what} file {path} had values of the wrong type ({problems[0]}{more}); they were "
            f"dropped, and the file as it was is kept as {kept.name}."
        )
    return data


def save_state(path: Path, data: Any, what: str) -> None:
    """Write atomically (a reader sees the old file or the new one); a failure says why, from its errno."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        error = write_error(path.parent, exc)
        raise LabError(f"Your {what} was not saved. {error}") from None


def _typed(entry: dict, key: str, kind: type | tuple[type, ...], where: str, problems: list[str]) -> None:
    value = entry.get(key)
    if key in entry and (not isinstance(value, kind) or isinstance(value, bool)):
        problems.append(f"{where}.{key} = {value!r}")
        del entry[key]


# --- the course progress ---------------------------------------------------------------------


def path() -> Path:
    return state_home() / FILE


def _clean(raw: Any) -> tuple[dict[str, dict[str, Any]], list[str]]:
    if raw is None:
        return {}, []
    data, problems = {}, []
    for exercise, entry in raw.items():
        if not isinstance(entry, dict):
            problems.append(f"{exercise} = {entry!r}")
            continue
        entry = dict(entry)
        for key, kind in (
            ("attempts", int),
            ("hint_level", int),
            ("status", str),
            ("last_attempt", str),
            ("passed_at", str),
            ("failed_checks", list),
        ):
            _typed(entry, key, kind, exercise, problems)
        data[exercise] = entry
    return data, problems


def load() -> dict[str, dict[str, Any]]:
    return load_state(path(), "course progress", _clean)


def save(data: dict[str, dict[str, Any]]) -> None:
    save_state(path(), data, "course progress")


def record_attempt(exercise_id: str, status: str, failed: list[str]) -> dict[str, Any]:
    data = load()
    entry = data.setdefault(exercise_id, {"attempts": 0})
    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    entry.update(status=status, last_attempt=now, attempts=entry.get("attempts", 0) + 1, failed_checks=failed)
    if status == "passed":
        entry.setdefault("passed_at", now)
    save(data)
    return entry


def record_hint(exercise_id: str, level: int) -> None:
    data = load()
    entry = data.setdefault(exercise_id, {"attempts": 0})
    entry["hint_level"] = max(level, int(entry.get("hint_level", 0)))
    save(data)


def hint_level(exercise_id: str) -> int:
    return int(load().get(exercise_id, {}).get("hint_level", 0))


def rows() -> list[dict[str, Any]]:
    """One row per exercise in course order: module, exercise, status, attempts, last attempt."""
    data = load()
    table = []
    for module in course.modules():
        for exercise_id in module.exercises:
            entry = data.get(exercise_id, {})
            table.append(
                {
                    "module": module.id,
                    "exercise": exercise_id,
                    "status": entry.get("status", "not tried"),
                    "attempts": entry.get("attempts", 0),
                    "last attempt": entry.get("last_attempt", ""),
                }
            )
    return table


def progress():
    """The progress table as a pandas DataFrame (for a notebook)."""
    import pandas as pd

    return pd.DataFrame(rows()).set_index("exercise")
