"""How the kit's result objects show themselves: in a notebook (``_repr_html_``) and as text.

A leaf module (standard library only), so the classes in :mod:`.emulator`,
:mod:`.deploy` and :mod:`.doctor` can all use it. Every display is built from
``(label, value)`` rows: the text form lines them up, the HTML form is a small table
with a coloured edge (green ok, amber warning, red failure). Nothing is cut short:
long values wrap, multi-line values (a payload, a stack trace, a log) keep their lines.
Nothing is typeset as math either: a price's ``$`` stays a dollar (classes ``mathjax_ignore``,
which JupyterLab's MathJax 3 skips, and ``tex2jax_ignore`` for MathJax 2).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

COLOURS = {"ok": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e", "info": "#57606a"}
# A mark is an emoji AND a word: without an emoji font the word still says it.
ICONS = {"ok": "✅ ok", "warn": "⚠️ warning", "fail": "❌ failed"}

Row = tuple[str, str]


def pretty(value: Any) -> str:
    """A payload as a reader wants it: JSON indented, a string as it is."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, indent=2, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def text(title: str, rows: Iterable[Row]) -> str:
    """``title`` then one ``label  value`` line per row; a multi-line value is indented under its label."""
    rows = [(label, value) for label, value in rows if value not in (None, "")]
    width = max((len(label) for label, _ in rows), default=0)
    lines = [title]
    for label, value in rows:
        first, *rest = str(value).splitlines() or [""]
        if rest:
            lines.append(f"  {label}:")
            lines.extend(f"    {line}" for line in (first, *rest))
        else:
            lines.append(f"  {label.ljust(width)}  {first}")
    return "\n".join(lines)


def html(title: str, rows: Iterable[Row], level: str = "ok", preformatted: Sequence[str] = ()) -> str:
    """A titled two-column table; values whose label is in ``preformatted`` keep their lines and spacing."""
    body = []
    for label, value in rows:
        if value in (None, ""):
            continue
        if label in preformatted or "\n" in str(value):
            cell = f'<pre style="margin:0;white-space:pre-wrap">{escape(str(value))}</pre>'
        else:
            cell = escape(str(value))
        body.append(
            f'<tr><th style="text-align:left;vertical-align:top;padding-right:1em;white-space:nowrap">'
            f'{escape(label)}</th><td style="text-align:left">{cell}</td></tr>'
        )
    colour = COLOURS.get(level, COLOURS["info"])
    return (
        f'<div class="tex2jax_ignore mathjax_ignore" style="border-left:6px solid {colour};padding:.4em 1em">'
        f"<b>{escape(title)}</b><table>{''.join(body)}</table></div>"
    )


def html_grid(header: Sequence[str], rows: Iterable[Sequence[str]], level: str = "ok", title: str = "") -> str:
    """A table with a header row; no cell is truncated (pandas cuts cells at 50 characters)."""
    head = "".join(f'<th style="text-align:left">{escape(h)}</th>' for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td style="text-align:left;vertical-align:top">{escape(str(c))}</td>' for c in row) + "</tr>"
        for row in rows
    )
    colour = COLOURS.get(level, COLOURS["info"])
    caption = f"<b>{escape(title)}</b>" if title else ""
    return (
        f'<div class="tex2jax_ignore mathjax_ignore" style="border-left:6px solid {colour};padding:.4em 1em">{caption}'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def file_link(path: str | os.PathLike, label: str = "") -> str:
    """An HTML link to ``path``, relative to the kernel's working folder (the notebook's own folder
    in JupyterLab), so that clicking it opens the file in JupyterLab's editor."""
    target = Path(path).resolve()
    try:
        href = os.path.relpath(target, Path.cwd().resolve())
    except ValueError:  # another drive (Windows)
        href = str(target)
    href = Path(href).as_posix()
    return f'<a href="{escape(quote(href))}" target="_blank">{escape(label or href)}</a>'
