"""The first code cell of every lesson: ``lab.start_lesson("02_handler")``."""

from __future__ import annotations

from .. import course
from ..emulator import Status, up
from ..errors import UnknownName
from ..packaging import find_module_file
from ..reference_deploys import handler_names


def show_source(handler: str):
    """A reference handler's source, highlighted (``lab.show_source("hello")``): the notebooks show
    code this way rather than linking to files, so they work in a folder made by ``lambda-lab init``."""
    from IPython.display import Code

    if handler not in handler_names():
        raise UnknownName("reference handler", handler, handler_names())
    return Code(find_module_file(f"reference_app.handlers.{handler}").read_text(encoding="utf-8"), language="python")


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
