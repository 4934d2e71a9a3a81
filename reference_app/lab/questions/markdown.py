"""The bank's text is Markdown (`code`, **bold**): HTML for the notebook and the Anki deck, rich markup for
the terminal. Raw HTML and rich markup in the bank are shown as text, never interpreted."""

from __future__ import annotations

import functools
import re

from rich.markup import escape


@functools.cache
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def html(text: str, block: bool = False) -> str:
    """``text`` as HTML: inline (a choice, a key point) or as paragraphs (a model answer)."""
    if block:
        return _parser().render(text).strip()
    return _parser().renderInline(text).replace("\n", "<br>")


_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"\*\*([^*\n]+)\*\*")


def rich(text: str) -> str:
    """``text`` as rich markup: escaped first (a ``[red]`` in the bank stays text), then `code` and **bold**."""
    parts = []
    for index, piece in enumerate(_CODE.split(text)):
        if index % 2:  # inside backticks: shown as code, nothing else interpreted
            parts.append(f"[bold cyan]{escape(piece)}[/]")
        else:
            parts.append(_BOLD.sub(lambda m: f"[bold]{m.group(1)}[/]", escape(piece)))
    return "".join(parts)
