"""The kit's charts: Altair (Vega-Lite 5), drawn by JupyterLab's own renderer, offline.

Every plotting helper builds its chart with :func:`altair` and returns it, so the notebook cell
that calls it displays it. Two settings make that work without a network and stay readable:

* the ``mimetype`` renderer: the cell's output is the Vega-Lite spec
  (``application/vnd.vegalite.v5+json``), which JupyterLab 4 draws with the Vega it ships.
  Altair 5's ``default`` renderer emits HTML that loads Vega from a CDN instead;
* :func:`readable`: axis labels, titles and legends at 12-14 px.

Altair stays at 5.x (pyproject): Altair 6 emits Vega-Lite 6, which JupyterLab 4.6 does not draw.
"""

from __future__ import annotations

import math
from typing import Any

LABEL_PX = 12  # axis labels, legend labels, text marks
TITLE_PX = 13  # axis and legend titles
HEADING_PX = 14  # chart titles


def altair():
    """The ``altair`` module, with the offline renderer on (unless the user chose another one)."""
    import altair as alt

    if alt.renderers.active == "default":
        alt.renderers.enable("mimetype")
    return alt


def readable(chart):
    """``chart`` with fonts a learner reads at a glance (top-level charts only)."""
    return (
        chart.configure_axis(labelFontSize=LABEL_PX, titleFontSize=TITLE_PX, labelLimit=0)
        .configure_legend(labelFontSize=LABEL_PX, titleFontSize=TITLE_PX, labelLimit=0)
        .configure_title(fontSize=HEADING_PX, subtitleFontSize=LABEL_PX, anchor="start")
        .configure_header(labelFontSize=LABEL_PX, titleFontSize=TITLE_PX)
        .configure_text(fontSize=LABEL_PX)
    )


def whole_numbers(top: float) -> dict[str, Any]:
    """Axis settings for a count from 0 to ``top``: ticks on whole numbers only (0, 1, 2 or 0, 5, 10...).

    The ticks are listed, not left to ``tickMinStep``: Vega-Lite 5 ignores it on a small domain
    (vega/vega-lite#9034), and with ``format="d"`` a 0-2 axis then reads 0, 1, 1, 2, 2."""
    step = next(s * 10**e for e in range(12) for s in (1, 2, 5) if max(top, 1) / (s * 10**e) <= 8)
    last = step * math.ceil(max(top, 1) / step)
    return {"values": list(range(0, last + 1, step)), "format": "d", "tickMinStep": 1}


def bar_chart(frame, column: str, *, ylabel: str, title: str, width: int = 420):
    """One bar per row of ``frame`` (its index on the x axis), the height ``frame[column]``."""
    alt = altair()
    index = frame.index.name or "index"
    data = frame.reset_index()
    chart = (
        alt.Chart(data, title=title, width=width, height=260)
        .mark_bar(color="#4c72b0")
        .encode(
            x=alt.X(field=index, type="nominal", sort=None, title=index, axis=alt.Axis(labelAngle=-30)),
            y=alt.Y(field=column, type="quantitative", title=ylabel),
            tooltip=[alt.Tooltip(field=index, type="nominal"), alt.Tooltip(field=column, type="quantitative")],
        )
    )
    return readable(chart)
