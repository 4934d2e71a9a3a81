"""Every chart the lessons show is a Vega-Lite 5 spec that JupyterLab draws offline, readable at a glance.

No browser: the specs (``chart.to_dict()``) and the mimebundle a notebook cell gets are checked against
what JupyterLab's own Vega renderer knows (its static bundle), so an Altair upgrade that emits Vega-Lite 6,
or a renderer that loads Vega from a CDN, fails here. Each check also fails on a deliberately bad chart.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from reference_app.lab import charts
from reference_app.lab.lesson_helpers import architecture as arch
from reference_app.lab.lesson_helpers import error_handling, observability, performance
from reference_app.lab.lesson_helpers.patterns.saga import SagaRun, timeline
from reference_app.lab.logs import LoggedInvocation
from reference_app.lab.room.view import RoomView

MIN_PX = 11
FONT_KEYS = re.compile(r"(?i).*fontsize$")


# --- the charts, from data shaped as the lessons' ------------------------------------------------------------------
def saga_runs(
    states=("ReserveStock", "ChargePayment", "ShipOrder", "RefundPayment", "ReleaseStock", "OrderFailed"),
    durations=(600, 3, 3, 3, 3, 3),
) -> dict[str, SagaRun]:
    at, events = datetime(2026, 1, 1), []
    for name, duration in zip(states, durations, strict=True):
        events.append({"timestamp": at, "type": "TaskStateEntered", "stateEnteredEventDetails": {"name": name}})
        at += timedelta(milliseconds=duration)
        events.append({"timestamp": at, "type": "TaskStateExited", "stateExitedEventDetails": {"name": name}})
    return {label: SagaRun(label, {}, "arn", {"status": "FAILED"}, events) for label in ("a", "b")}


def invocations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cold": [True, True, False, False, False],
            "billed_ms": [120, 130, 3, 4, 4],
            "init_ms": [100, 110, 0, 0, 0],
            "duration_ms": [20, 20, 3, 4, 4],
        }
    )


def ramp() -> arch.Ramp:
    def row(wave, env, cold, start, end):
        return {
            "wave": wave,
            "parallel": 0,
            "function": "f",
            "environment": env,
            "cold_start": cold,
            "started_ms": start,
            "ended_ms": end,
            "request_id": f"{env}-{start}",
        }

    return arch.Ramp([row(1, "a", True, 0, 100), row(2, "a", False, 200, 300), row(2, "b", True, 250, 350)])


def metrics() -> pd.DataFrame:
    index = ["Invocations", "Errors", "Throttles", "Duration (average ms)", "Duration (maximum ms)"]
    return pd.DataFrame(
        {"lab-08-checkout": [6, 3, 0, 12.5, 30.1], "lab-08-plain-logging": [2, 0, 0, 1.2, 2.0]}, index=index
    )


def room() -> RoomView:
    def learner(**progress):
        return {"joined": "", "seen": "", "progress": progress}

    failing = {"status": "failed", "attempts": 2, "failed_checks": ["a second user is a 409"]}
    return RoomView(
        {
            "Ada": learner(**{"handler-validation": {"status": "passed", "attempts": 1, "failed_checks": []}}),
            "Bob": learner(**{"handler-validation": failing}),
            "Cy": learner(),
        }
    )


def quiz():
    from reference_app import lab

    quiz = lab.quiz("02_handler", record=False)
    card = next(c for c in quiz.cards if not c.question.is_choice)
    card.reveal.click()
    card.rate_buttons["partly"].click()
    return quiz


CHARTS = {
    "01 ramp": lambda: ramp().plot(),
    "05 retry timeline": lambda: error_handling.plot_retry_timeline(
        [LoggedInvocation("r-1", t) for t in (0, 1000, 3000)], since_ms=0
    ),
    "07 cold and warm": lambda: performance.plot_cold_warm(invocations()),
    "07 cost": lambda: performance.plot_cost({128: 300.0, 1769: 30.0, 3008: 30.0}),
    "08 metrics": lambda: observability.plot_lambda_metrics(metrics()),
    "09 saga timeline": lambda: timeline(saga_runs()),
    "09 bars": lambda: charts.bar_chart(
        pd.DataFrame({"clicks": [3, 5]}, index=pd.Index(["/", "/cart"], name="page")),
        "clicks",
        ylabel="views",
        title="page views",
    ),
    "10 quiz scores": lambda: quiz().plot(),
    "room": lambda: room().plot(),
}


# --- the checks --------------------------------------------------------------------------------------------------
def jupyterlab_vegalite_types() -> set[str]:
    """The Vega-Lite mimetypes the installed JupyterLab draws with its built-in renderer."""
    from jupyterlab.commands import get_app_dir

    found: set[str] = set()
    for bundle in (Path(get_app_dir()) / "static").glob("*.js"):
        found |= set(re.findall(r"application/vnd\.vegalite\.v\d+\+json", bundle.read_text(errors="replace")))
    return found


def drawn_by_jupyterlab(chart, known: set[str]) -> list[str]:
    """What keeps ``chart`` from being drawn, offline, by JupyterLab's built-in renderer (nothing: [])."""
    problems = []
    schema = chart.to_dict()["$schema"]
    if not re.search(r"/vega-lite/v5\.[\d.]+\.json$", schema):
        problems.append(f"not a Vega-Lite 5 spec: {schema}")
    bundle = chart._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    vegalite = [kind for kind in bundle if kind.startswith("application/vnd.vegalite")]
    if not vegalite or not set(vegalite) <= known:
        problems.append(f"a cell would output {sorted(bundle)}; JupyterLab draws {sorted(known)}")
    if "text/html" in bundle:
        problems.append("HTML output (Altair's default renderer loads Vega from a CDN)")
    return problems


def _walk(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield f"{path}.{key}", key, value
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _walk(value, f"{path}[{n}]")


def too_small(spec: dict) -> list[str]:
    """Text under 11 px: every font size set anywhere, and the defaults Vega would use (10 px labels)."""
    config = spec.get("config", {})
    small = [
        f"config.{part}.{key} unset"
        for part, key in (
            ("axis", "labelFontSize"),
            ("axis", "titleFontSize"),
            ("legend", "labelFontSize"),
            ("title", "fontSize"),
        )
        if key not in config.get(part, {})
    ]
    small += [
        f"{path} = {value}"
        for path, key, value in _walk(spec)
        if FONT_KEYS.match(key) and isinstance(value, int | float) and value < MIN_PX
    ]
    return small


# --- the tests ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def known() -> set[str]:
    return jupyterlab_vegalite_types()


@pytest.mark.parametrize("name", list(CHARTS))
def test_every_lesson_chart_is_vega_lite_5_that_jupyterlab_draws_offline(name, known):
    assert "application/vnd.vegalite.v5+json" in known  # the installed JupyterLab's own renderer
    assert drawn_by_jupyterlab(CHARTS[name](), known) == []


@pytest.mark.parametrize("name", list(CHARTS))
def test_every_lesson_chart_is_readable(name):
    assert too_small(CHARTS[name]().to_dict()) == []


def test_the_checks_fail_on_charts_jupyterlab_would_not_draw_or_nobody_could_read(known):
    alt = charts.altair()
    plain = alt.Chart(alt.Data(values=[{"x": 1}])).mark_bar().encode(x="x:Q")
    # Vega-Lite 6 (what Altair 6 emits): JupyterLab 4.6 shows nothing but the text/plain fallback
    assert any("not a Vega-Lite 5 spec" in p for p in drawn_by_jupyterlab(_schema(plain, "v6.4.1"), known))
    with alt.renderers.enable("default"):  # Altair 5's default: HTML that fetches Vega from a CDN
        assert any("CDN" in p for p in drawn_by_jupyterlab(plain, known))
    assert drawn_by_jupyterlab(plain, {"application/vnd.vegalite.v4+json"}) != []
    # Vega's defaults (10 px axis labels) and a 9 px label set by hand
    assert too_small(plain.to_dict()) != []
    assert too_small(charts.readable(plain.encode(x=alt.X("x:Q", axis=alt.Axis(labelFontSize=9)))).to_dict()) != []
    assert too_small(charts.readable(plain).to_dict()) == []


def _schema(chart, version: str):
    class Later(type(chart)):
        def to_dict(self, *args, **kwargs):
            spec = super().to_dict(*args, **kwargs)
            return {**spec, "$schema": f"https://vega.github.io/schema/vega-lite/{version}.json"}

    return Later.from_dict(chart.to_dict())


def guessed_counts(spec: dict) -> list[str]:
    """Axes formatted as whole numbers whose ticks Vega would pick (and could repeat: 0, 1, 1, 2, 2)."""
    return [
        path
        for path, key, value in _walk(spec)
        if key == "axis"
        and isinstance(value, dict)
        and value.get("format") == "d"
        and not (value.get("values") and all(float(v).is_integer() for v in value["values"]))
    ]


@pytest.mark.parametrize("name", list(CHARTS))
def test_every_count_axis_lists_whole_ticks(name):
    assert guessed_counts(CHARTS[name]().to_dict()) == []


@pytest.mark.parametrize("top", [0, 1, 2, 3, 7, 9, 23, 100, 1234])
def test_whole_number_ticks_cover_the_count(top):
    ticks = charts.whole_numbers(top)["values"]
    assert ticks[0] == 0 and ticks[-1] >= top and len(ticks) <= 9
    assert all(isinstance(t, int) for t in ticks) and len(set(ticks)) == len(ticks)
    # (an axis that says "d" and leaves the ticks to Vega is caught)
    assert guessed_counts({"encoding": {"y": {"axis": {"format": "d", "tickMinStep": 1}}}}) != []


ROOT = Path(__file__).resolve().parents[2]
# the functions behind CHARTS above: a new chart helper fails the test below until it is added there
COVERED = {
    "Ramp.plot",
    "plot_retry_timeline",
    "plot_cold_warm",
    "plot_cost",
    "plot_lambda_metrics",
    "timeline",
    "bar_chart",
    "Quiz.plot",
    "RoomView.plot",
}


def chart_helpers() -> set[str]:
    """Every function of reference_app/lab that builds an Altair chart (calls ``charts.altair()``)."""
    import ast

    found = set()
    for source in (ROOT / "reference_app" / "lab").rglob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        owners = [tree, *(n for n in tree.body if isinstance(n, ast.ClassDef))]
        for owner in owners:
            for function in (n for n in owner.body if isinstance(n, ast.FunctionDef)):
                calls = {
                    c.func.id for c in ast.walk(function) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
                }
                if "altair" in calls:
                    found.add(f"{owner.name}.{function.name}" if isinstance(owner, ast.ClassDef) else function.name)
    return found


def test_every_chart_helper_is_among_the_charts_checked_here():
    assert chart_helpers() == COVERED


def test_no_lesson_plots_with_pandas_or_matplotlib():
    # pandas' .plot draws with matplotlib, which the kit does not install
    for lesson in sorted((ROOT / "lessons").glob("*.py")):
        text = lesson.read_text(encoding="utf-8")
        assert not re.search(r"\.plot\.\w+\(|\.hist\(|matplotlib|pyplot", text), lesson.name
