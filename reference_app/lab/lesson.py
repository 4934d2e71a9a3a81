"""The first code cell of every lesson: ``lab.start_lesson("02_handler")``."""

from __future__ import annotations

from . import course
from .emulator import Status, up


def start_lesson(module_id: str) -> Status:
    """Check the module id, bring the emulator up (or reuse the one running), and say where
    exercises load from; return the emulator's status.

    Safe to run again: ``up`` reuses a healthy emulator.
    """
    module = course.module(module_id)
    status = up()
    source = "solutions/ (LAMBDA_LAB_SOLUTIONS=1)" if course.solutions_mode() else "exercises/"
    print(
        f"{module.label}: {status.emulator} {status.version or ''} healthy at {status.backend.endpoint}; "
        f"exercises load from {source}."
    )
    return status
