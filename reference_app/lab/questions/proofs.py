"""Where a proof cell is: its notebook, the section it sits in, and a link that gets there.

A link opens the notebook (in JupyterLab, ``<notebook>.ipynb`` relative to the interview notebook). It
carries the section's heading id as its fragment (the heading's text with spaces as dashes), but
JupyterLab 4 drops a fragment when it opens a notebook from a link in a widget (checked with
Chromium), and a cell tag is not searchable in the page; so the text beside the link says plainly where
to look: the section heading above the tagged cell, and the cell's first line (what Ctrl+F finds).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .. import course
from .bank import Question


@dataclass(frozen=True)
class ProofPlace:
    notebook: str  # 05_error_handling.ipynb
    section: str | None  # "3. Asynchronous retries", the last heading above the cell
    first_line: str | None  # the tagged cell's first line of code
    found: bool  # the notebook exists and carries the tag

    @property
    def href(self) -> str:
        """A link relative to a notebook in the same folder (the interview notebook's)."""
        anchor = f"#{quote(self.section.replace(' ', '-'), safe='')}" if self.section else ""
        return quote(self.notebook) + anchor

    def describe(self) -> str:
        """One plain line: where to look, and what to search for once there."""
        where = self.notebook + (f', section "{self.section}"' if self.section else "")
        if self.first_line:
            return f"{where}, the cell starting `{self.first_line}`"
        return where


def _notebook_path(module_id: str) -> Path | None:
    for root in (course.course_root(), course.kit_root()):
        path = root / "notebooks" / f"{module_id}.ipynb"
        if path.is_file():
            return path
    return None


@functools.cache
def _cells(module_id: str) -> tuple[dict, ...]:
    path = _notebook_path(module_id)
    if path is None:
        return ()
    try:
        return tuple(json.loads(path.read_text(encoding="utf-8")).get("cells", []))
    except (OSError, ValueError):
        return ()


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def place(q: Question) -> ProofPlace:
    """Where the cell tagged ``q.proof.tag`` is in its notebook."""
    section = None
    for cell in _cells(q.proof.module):
        if cell.get("cell_type") == "markdown":
            for line in _source(cell).splitlines():
                if line.startswith("#"):
                    section = line.lstrip("#").strip()
        if q.proof.tag in cell.get("metadata", {}).get("tags", []):
            first = next((ln.strip() for ln in _source(cell).splitlines() if ln.strip()), None)
            return ProofPlace(course.module(q.proof.module).notebook, section, first, True)
    return ProofPlace(course.module(q.proof.module).notebook, None, None, False)
