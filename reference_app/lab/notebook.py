"""Small display helpers so notebook cells stay one or two lines."""

from __future__ import annotations

from html import escape

import pandas as pd

from .doctor import run_checks

_ICON = {"ok": "✅", "warn": "⚠️", "fail": "❌"}


def show_checks() -> pd.DataFrame:
    """The doctor's checks as a table; raises a LabError-free summary for the notebook."""
    rows = [{"": _ICON[c.level], "check": c.name, "detail": c.detail} for c in run_checks()]
    return pd.DataFrame(rows).set_index("check")


class _Summary:
    def __init__(self, items: dict[str, bool]):
        self.items = items

    @property
    def ok(self) -> bool:
        return all(self.items.values())

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.ok else "#cf222e"
        rows = "".join(
            f"<li>{'✅' if passed else '❌'} {escape(text)}</li>" for text, passed in self.items.items()
        )
        title = "All set: your lab works." if self.ok else "Something needs fixing (see ❌ above)."
        return f'<div style="border-left:6px solid {colour};padding:.5em 1em"><b>{title}</b><ul>{rows}</ul></div>'

    def __repr__(self) -> str:
        return "\n".join(f"[{'ok' if v else 'FAIL'}] {k}" for k, v in self.items.items())


def summary(items: dict[str, bool]) -> _Summary:
    """A green (or red) box listing what passed; ``.ok`` is True when all did."""
    return _Summary(items)
