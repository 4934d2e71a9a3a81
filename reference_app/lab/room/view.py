"""The instructor's view of a room: who finished which exercise, and where the room is stuck.

:func:`fetch` reads the collector (``lambda-lab room serve``); :class:`RoomView` turns it into
a table with a row per learner and a column per exercise (``✅`` passed, ``❌`` failing,
``…`` started, blank: not tried), and a summary per exercise: how many finished, how many
are failing and on which check most. ``lambda-lab room`` shows it live in a terminal,
``lab.room_view()`` in a notebook (pandas tables and a bar chart).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from html import escape
from typing import Any

from .. import course
from ..charts import altair, readable, whole_numbers
from ..errors import LabError
from ..net import open_url
from .collector import instructor

URL_ENV = "LAMBDA_LAB_ROOM_URL"
KEY_ENV = "LAMBDA_LAB_ROOM_KEY"
MARK = {"passed": "✅", "failed": "❌", "syntax error": "❌", "not started yet": "…"}


def _where(url: str | None, key: str | None) -> tuple[str, str]:
    url = url or os.environ.get(URL_ENV)
    key = key or os.environ.get(KEY_ENV)
    if not url or not key:
        mine = instructor()
        if mine is None:
            raise LabError(
                "No room runs on this machine: start one with `lambda-lab room serve` "
                f"(or give its address and key: --url and --key, or {URL_ENV} and {KEY_ENV})."
            )
        url, key = url or mine.url, key or mine.key
    return url.rstrip("/"), key


def fetch(url: str | None = None, key: str | None = None) -> dict[str, Any]:
    """The room's progress from its collector (this machine's, unless ``url`` and ``key`` say otherwise)."""
    url, key = _where(url, key)
    request = urllib.request.Request(url + "/progress", headers={"Authorization": f"Bearer {key}"})
    try:
        with open_url(request, timeout=5) as resp:
            return json.loads(resp.read())
    except LabError:
        raise
    except urllib.error.HTTPError as exc:
        if exc.code == 401:
            raise LabError(
                f"The room at {url} refused the instructor's key; use the one `lambda-lab room serve` printed."
            ) from None
        raise LabError(f"The room at {url} answered {exc.code}.") from None
    except (OSError, ValueError) as exc:
        raise LabError(f"No room answers at {url} ({exc}); is `lambda-lab room serve` running?") from None


@dataclass
class Stuck:
    exercise: str
    passed: int
    failing: int
    started: int
    not_tried: int
    top_failure: str = ""
    top_failure_count: int = 0
    median_attempts: float = 0.0


@dataclass
class RoomView:
    """One snapshot of the room."""

    learners: dict[str, dict[str, Any]]
    exercises: list[str] = field(default_factory=lambda: [ex for m in course.modules() for ex in m.exercises])

    @classmethod
    def from_collector(cls, url: str | None = None, key: str | None = None) -> RoomView:
        return cls(fetch(url, key)["learners"])

    def cell(self, name: str, exercise: str) -> str:
        entry = self.learners[name]["progress"].get(exercise)
        return MARK.get(entry["status"], "?") if entry else ""

    def rows(self) -> list[dict[str, Any]]:
        """One row per learner: name, exercises done, then a mark per exercise."""
        table = []
        for name in sorted(self.learners, key=str.lower):
            progress = self.learners[name]["progress"]
            row = {"learner": name, "done": sum(1 for e in progress.values() if e["status"] == "passed")}
            row.update({ex: self.cell(name, ex) for ex in self.exercises})
            row["last seen"] = self.learners[name].get("seen", "")[11:19]
            table.append(row)
        return table

    def stuck(self) -> list[Stuck]:
        """Per exercise, in course order: finished, failing, started, not tried, the most failed check."""
        summary = []
        for ex in self.exercises:
            entries = [lr["progress"][ex] for lr in self.learners.values() if ex in lr["progress"]]
            statuses = Counter(e["status"] for e in entries)
            failing = [e for e in entries if e["status"] in ("failed", "syntax error")]
            failures = Counter(check for e in failing for check in e.get("failed_checks", []))
            top, top_n = failures.most_common(1)[0] if failures else ("", 0)
            attempts = sorted(e.get("attempts", 0) for e in entries)
            summary.append(
                Stuck(
                    ex,
                    statuses["passed"],
                    len(failing),
                    statuses["not started yet"],
                    len(self.learners) - len(entries),
                    top,
                    top_n,
                    attempts[len(attempts) // 2] if attempts else 0.0,
                )
            )
        return summary

    def where_stuck(self) -> str:
        """One sentence: the exercise most learners are failing, and the check they fail most."""
        worst = max(self.stuck(), key=lambda s: (s.failing, -s.passed), default=None)
        if worst is None or worst.failing == 0:
            return "Nobody is stuck."
        on = f", most on “{worst.top_failure}” ({worst.top_failure_count})" if worst.top_failure else ""
        return f"{worst.failing} of {len(self.learners)} are failing {worst.exercise}{on}."

    # --- notebook --------------------------------------------------------------------------------------
    def table(self):
        """Who finished what, as a pandas DataFrame indexed by learner."""
        import pandas as pd

        columns = ["learner", "done", *self.exercises, "last seen"]
        return pd.DataFrame(self.rows(), columns=columns).set_index("learner")

    def summary(self):
        """Where the room is stuck, as a pandas DataFrame indexed by exercise."""
        import pandas as pd

        return pd.DataFrame([s.__dict__ for s in self.stuck()]).set_index("exercise")

    def plot(self):
        """An Altair chart: a horizontal stacked bar per exercise (course order, top down): passed,
        failing, started, not tried."""
        alt = altair()
        colours = {"passed": "#1a7f37", "failing": "#cf222e", "started": "#9a6700", "not tried": "#d0d7de"}
        rows = [
            {"exercise": s.exercise, "status": status, "learners": getattr(s, status.replace(" ", "_")), "order": order}
            for s in self.stuck()
            for order, status in enumerate(colours)
        ]
        exercises = [s.exercise for s in self.stuck()]
        # A check's name comes from a learner: Vega draws a title as plain text (no TeX, no markup).
        chart = (
            alt.Chart(
                alt.Data(values=rows),
                title=f"{len(self.learners)} learners · {self.where_stuck()}",
                width=520,
                height=alt.Step(26),
            )
            .mark_bar()
            .encode(
                x=alt.X(
                    "learners:Q", stack="zero", title="learners", axis=alt.Axis(**whole_numbers(len(self.learners)))
                ),
                y=alt.Y("exercise:N", sort=exercises, title=None),
                color=alt.Color(
                    "status:N",
                    title=None,
                    legend=alt.Legend(orient="bottom"),
                    scale=alt.Scale(domain=list(colours), range=list(colours.values())),
                ),
                order=alt.Order("order:Q"),
                tooltip=["exercise:N", "status:N", "learners:Q"],
            )
        )
        return readable(chart)

    def _repr_html_(self) -> str:
        # Names and check names come from the learners' machines: pandas escapes its cells, and so does this.
        return (
            f"<h4>Room: {len(self.learners)} learners</h4>{self.table().to_html()}"
            f"<p>{escape(self.where_stuck())}</p>{self.summary().to_html()}"
        )

    def _ipython_display_(self) -> None:
        """In a notebook: the tables (HTML), then the chart (Vega-Lite, drawn by JupyterLab)."""
        from IPython.display import HTML, display

        display(HTML(self._repr_html_()), self.plot())

    def __str__(self) -> str:
        lines = [f"{len(self.learners)} learners. {self.where_stuck()}"]
        for row in self.rows():
            marks = " ".join(row[ex] or "·" for ex in self.exercises)
            lines.append(f"{row['learner']:<20} {row['done']:>2} done  {marks}")
        return "\n".join(lines)

    __repr__ = __str__


def room_view(
    url: str | None = None, key: str | None = None, *, live: float | None = None, until: float | None = None
) -> RoomView:
    """The room as it is now: a table of who finished what, where it is stuck, and a plot.

    ``live=5`` redraws it every 5 seconds in place (until ``until`` seconds have passed, or
    the cell is interrupted) and returns the last snapshot.
    """
    view = RoomView.from_collector(url, key)
    if not live:
        return view
    import time

    from IPython.display import HTML, display

    tables, chart = display(HTML(view._repr_html_()), display_id=True), display(view.plot(), display_id=True)
    started = time.monotonic()
    try:
        while until is None or time.monotonic() - started < until:
            time.sleep(live)
            view = RoomView.from_collector(url, key)
            tables.update(HTML(view._repr_html_()))
            chart.update(view.plot())
    except KeyboardInterrupt:
        pass
    return view
