"""The learner's progress across the course, kept in the per-user home (``progress.json``).

``lambda-lab check`` records every attempt here, so ``lambda-lab check --all`` (and
``lab.progress()`` in a notebook) can show, after a restart, which exercises are
done, which are in progress and where the learner is stuck.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from . import course
from .config import lab_home
from .errors import LabError

FILE = "progress.json"


def path() -> Path:
    return lab_home() / FILE


def load() -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # a damaged file is not worth a traceback; the next attempt rewrites it
    return data if isinstance(data, dict) else {}


def save(data: dict[str, dict[str, Any]]) -> None:
    target = path()
    tmp = target.with_name(f".{FILE}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(target)  # atomic: a reader sees the old file or the new one
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise LabError(
            f"Cannot save your progress in {target.parent} ({exc.strerror}); free some space there."
        ) from None


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
            table.append({
                "module": module.id,
                "exercise": exercise_id,
                "status": entry.get("status", "not tried"),
                "attempts": entry.get("attempts", 0),
                "last attempt": entry.get("last_attempt", ""),
            })
    return table


def progress():
    """The progress table as a pandas DataFrame (for a notebook)."""
    import pandas as pd

    return pd.DataFrame(rows()).set_index("exercise")
