"""Small display helpers so notebook cells stay one or two lines."""

from __future__ import annotations

from html import escape

from .config import resolve_backend
from .doctor import Checks, run_checks
from .emulator import unreachable
from .errors import LabError


def show_checks() -> Checks:
    """The doctor's checks, shown whole as a table in a notebook (no cell is cut short);
    ``.ok`` is False when one failed, ``.to_frame()`` gives a DataFrame."""
    return run_checks()


class _Summary:
    def __init__(self, items: dict[str, bool]):
        self.items = items

    @property
    def ok(self) -> bool:
        return all(self.items.values())

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.ok else "#cf222e"
        rows = "".join(
            f"<li>{'✅ passed' if passed else '❌ failed'}: {escape(text)}</li>" for text, passed in self.items.items()
        )
        title = "All set: your lab works." if self.ok else "Something needs fixing (see ❌ failed above)."
        return f'<div style="border-left:6px solid {colour};padding:.5em 1em"><b>{title}</b><ul>{rows}</ul></div>'

    def __repr__(self) -> str:
        return "\n".join(f"[{'ok' if v else 'FAIL'}] {k}" for k, v in self.items.items())


def summary(items: dict[str, bool]) -> _Summary:
    """A green (or red) box listing what passed; ``.ok`` is True when all did."""
    return _Summary(items)


def friendly_error(exc: BaseException) -> str | None:
    """The one sentence a learner should see for ``exc``, or None for other errors."""
    from botocore.exceptions import (
        ConnectionClosedError,
        ConnectTimeoutError,
        EndpointConnectionError,
        ReadTimeoutError,
    )

    if isinstance(exc, LabError):
        return str(exc)
    if isinstance(exc, EndpointConnectionError):
        endpoint = str(exc.kwargs.get("endpoint_url", ""))
        parts = endpoint.split("/")
        base = "/".join(parts[:3]) if len(parts) >= 3 else endpoint
        return f"No emulator at {base} — run `lab.up()` here, or `lambda-lab up` in a terminal."
    if isinstance(exc, (ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError)):
        return str(unreachable(resolve_backend(), exc))
    return None


def frame_html(frame) -> str:
    """A pandas DataFrame as a notebook shows it, but whole: no cell cut at pandas' 50 characters
    (a review note, a source URL), and every URL a link that opens."""
    import pandas as pd

    with pd.option_context("display.max_colwidth", None):
        return (
            '<div class="tex2jax_ignore mathjax_ignore">'
            + frame.to_html(
                notebook=True,
                render_links=True,
                max_rows=pd.get_option("display.max_rows"),
                max_cols=pd.get_option("display.max_columns"),
                show_dimensions=pd.get_option("display.show_dimensions"),
            )
            + "</div>"
        )


def install_table_display(shell) -> None:
    """Every DataFrame a cell shows renders with :func:`frame_html` (pandas is not imported for this)."""
    html = shell.display_formatter.formatters["text/html"]
    for module in ("pandas", "pandas.core.frame"):  # pandas 3 names DataFrame's module "pandas", 2.x its file's
        html.for_type_by_name(module, "DataFrame", frame_html)


def install_error_display() -> bool:
    """In IPython/Jupyter, show the kit's errors as one red sentence, not a traceback, and the
    kit's tables whole (:func:`install_table_display`).

    Any other exception keeps IPython's usual traceback. The cell still fails
    (nbval and "Run All" stop there), only the display is shorter. Returns True
    when installed.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    from botocore.exceptions import (
        ConnectionClosedError,
        ConnectTimeoutError,
        EndpointConnectionError,
        ReadTimeoutError,
    )

    def handler(self, etype, value, tb, tb_offset=None):
        message = friendly_error(value)
        if message is None:
            stb = self.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
        else:
            stb = [f"\x1b[0;31m{etype.__name__}:\x1b[0m {message}"]
        # IPython discards what a custom handler returns; showing it is the handler's job.
        # In a kernel this sends the usual error message, so the cell still fails.
        self._showtraceback(etype, value, stb)
        return None

    install_table_display(shell)
    shell.set_custom_exc(
        (LabError, EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError), handler
    )
    return True
