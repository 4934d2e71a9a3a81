"""What more than one section of module 12 uses: a run counter and a reference handler's file."""

from __future__ import annotations

import itertools
from pathlib import Path

from ...packaging import find_module_file
from ..common import new_run_id as new_run_id  # re-exported for the lesson

_counter = itertools.count()


def handler_file(name: str) -> Path:
    """The file of the reference handler ``name`` (what :func:`restore` imports)."""
    return find_module_file(f"reference_app.handlers.{name}")
