"""The learner's seat in JupyterLab (issue 21): one folder to work in, a terminal with the kit on PATH,
checks that link to their exercise, marks that read without an emoji font, tables shown whole,
and Markdown that renders as written (no `$` read as math)."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from reference_app.lab import course, grader
from reference_app.lab.cli.lifecycle import jupyter_config, terminal_rc
from reference_app.lab.notebook_shell import frame_html, summary
from reference_app.lab.rendering import file_link

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_learner_mode_hides_the_solutions_and_never_asks_pypi(tmp_path):
    learner = jupyter_config(tmp_path, solutions=False)
    assert "solutions" in learner["ContentsManager"]["hide_globs"]
    assert "__pycache__" in learner["ContentsManager"]["hide_globs"]  # JupyterLab's own defaults are kept
    assert learner["LabApp"]["extension_manager"] == "readonly"
    assert "solutions" not in jupyter_config(tmp_path, solutions=True)["ContentsManager"]["hide_globs"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_terminal_has_the_kit_first_on_path_even_when_bashrc_resets_it(tmp_path):
    # GIVEN a ~/.bashrc that resets PATH, as /etc/profile does for a login shell
    (tmp_path / ".bashrc").write_text("export PATH=/usr/bin:/bin\n")
    shell = jupyter_config(tmp_path, solutions=False)["ServerApp"]["terminado_settings"]["shell_command"]
    assert "-l" not in shell
    # WHEN JupyterLab's terminal starts with a bare PATH
    found = subprocess.run(
        [*shell, "-c", "command -v python"],
        capture_output=True,
        text=True,
        timeout=30,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "TERM": "dumb"},
    )
    # THEN the kit's interpreter (and its lambda-lab beside it) comes first
    assert found.stdout.strip().splitlines()[-1] == str(Path(sys.executable).parent / "python"), found
    assert str(Path(sys.executable).parent) in terminal_rc(Path(sys.executable).parent)


def test_a_check_that_has_not_passed_links_to_its_exercise(tmp_path, monkeypatch):
    # GIVEN a learner's course folder, the kernel in notebooks/ as JupyterLab starts it
    shutil.copytree(course.kit_root() / "exercises", tmp_path / "exercises")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.setenv("LAMBDA_LAB_COURSE_DIR", str(tmp_path))
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LAMBDA_LAB_SOLUTIONS", raising=False)
    monkeypatch.chdir(tmp_path / "notebooks")
    # WHEN a stub is checked
    report = grader.run("handler-validation")
    html = report._repr_html_()
    # THEN the output links to the file, relative to the notebook, so JupyterLab opens it in its editor
    relative = "../exercises/" + course.exercise("handler-validation").file
    assert f'<a href="{relative}"' in html
    assert "⏳ not started" in html and "⏭️ skipped" in str(report)  # each mark says it in words too


def test_a_link_is_relative_to_the_working_folder_and_escaped(tmp_path, monkeypatch):
    (tmp_path / "nb").mkdir()
    monkeypatch.chdir(tmp_path / "nb")
    link = file_link(tmp_path / "ex" / "a b.py", "ex/a b.py")
    assert link == '<a href="../ex/a%20b.py" target="_blank">ex/a b.py</a>'


def test_summary_marks_carry_words():
    html = summary({"python": True, "emulator": False})._repr_html_()
    assert "✅ passed" in html and "❌ failed" in html


def test_teaching_tables_are_shown_whole_with_working_links():
    url = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html#function-configuration-limits"
    note = "A review note that goes on well past pandas' fifty characters, and must be read to its end."
    html = frame_html(pd.DataFrame({"source": [url], "note": [note]}))
    assert f'<a href="{url}" target="_blank">{url}</a>' in html
    assert note.replace("'", "&#39;") in html or note in html
    assert "..." not in html and "…" not in html


def test_a_notebook_shows_every_dataframe_whole():
    from IPython.core.interactiveshell import InteractiveShell

    from reference_app.lab.notebook_shell import install_table_display

    shell = InteractiveShell.instance()
    try:
        install_table_display(shell)
        note = "x" * 80
        data, _ = shell.display_formatter.format(pd.DataFrame({"note": [note]}))
    finally:
        InteractiveShell.clear_instance()  # later tests see no IPython shell, as before
    assert note in data["text/html"] and "mathjax_ignore" in data["text/html"]


def _prose(source: str) -> str:
    """A Markdown cell without its code (fences, spans): the text MathJax scans."""
    source = re.sub(r"```.*?```", "", source, flags=re.S)
    return re.sub(r"`[^`\n]*`", "", source)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_no_dollar_sign_is_read_as_math(notebook):
    # JupyterLab reads $...$ in Markdown as TeX: "$12 in requests and $28" became italic "12inrequestsand28".
    # Escaping does not help there: JupyterLab's Markdown step turns \$ back into $ before MathJax runs.
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for number, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            prose = _prose("".join(cell["source"]))
            assert "$" not in prose, f"cell {number}: write USD: {prose[prose.index('$') - 40 :][:120]!r}"


def _history(states: list[str], durations_ms: list[int]) -> list[dict]:
    from datetime import datetime, timedelta

    at = datetime(2026, 1, 1)
    events = []
    for name, duration in zip(states, durations_ms, strict=True):
        events.append({"timestamp": at, "type": "TaskStateEntered", "stateEnteredEventDetails": {"name": name}})
        at += timedelta(milliseconds=duration)
        events.append({"timestamp": at, "type": "TaskStateExited", "stateExitedEventDetails": {"name": name}})
    return events


def _piled_up(spec: dict, label_px: int) -> list[str]:
    """Why the names on a faceted Gantt chart's y axis could share a place (nothing: [])."""
    view, problems = spec["spec"], []
    step = view.get("height", {}).get("step") if isinstance(view.get("height"), dict) else None
    if step is None or step < 1.6 * label_px:
        problems.append(f"rows {view.get('height')} px high for {label_px} px names")
    y = view["encoding"]["y"]
    if y["type"] not in ("nominal", "ordinal"):
        problems.append(f"a {y['type']} y axis: names placed by value, not one per row")
    if y.get("axis", {}).get("labelOverlap") is not False:
        problems.append("Vega may hide names that would overlap")
    if spec.get("resolve", {}).get("scale", {}).get("y") != "independent":
        problems.append("every run's rows repeated in every block")
    rows = spec["data"].get("values") or spec["datasets"][spec["data"]["name"]]
    for run in {r[spec["facet"]["row"]["field"]] for r in rows}:
        names = [r[y["field"]] for r in rows if r[spec["facet"]["row"]["field"]] == run]
        if len(set(names)) != len(names):
            problems.append(f"{run}: two states on one row")
    return problems


def test_the_saga_timeline_labels_do_not_pile_up():
    # GIVEN a cold first step, then states a few ms apart, as the emulator runs them
    import altair as alt

    from reference_app.lab.lesson_helpers.patterns.saga import SagaRun, timeline

    states = ["ReserveStock", "ChargePayment", "ShipOrder", "RefundPayment", "ReleaseStock", "OrderFailed"]
    history = _history(states, [600, 3, 3, 3, 3, 3])
    runs = {label: SagaRun(label, {}, "arn", {"status": "FAILED"}, history) for label in ("a", "b")}
    spec = timeline(runs).to_dict()
    label_px = spec["config"]["axis"]["labelFontSize"]
    # THEN every state is named on a row of its own, high enough for its name, in its run's block
    assert label_px >= 11
    assert sorted(r["state"].split(". ", 1)[1] for r in spec["data"]["values"]) == sorted(states * 2)
    assert _piled_up(spec, label_px) == []
    # (a timeline squeezed into 120 px, or placing names by time, piles them up: the check says so)
    squeezed = alt.Chart.from_dict({**spec, "spec": {**spec["spec"], "height": 120}}).to_dict()
    assert _piled_up(squeezed, label_px) != []
    encoding = {**spec["spec"]["encoding"], "y": {"field": "start_ms", "type": "quantitative"}}
    assert _piled_up({**spec, "spec": {**spec["spec"], "encoding": encoding}}, label_px) != []


def _fractional_counts(spec: dict) -> list[str]:
    """Panels counting invocations whose axis could show a fraction, or a whole number twice (nothing: [])."""
    views = [v for v in spec.get("hconcat", [spec]) if v["encoding"]["y"].get("title") == "invocations"]
    if not views:
        return ["no panel counts invocations"]
    problems = []
    for view in views:
        axis = view["encoding"]["y"].get("axis", {})
        ticks = axis.get("values", [])
        # Vega-Lite 5 ignores tickMinStep on a small domain (vega/vega-lite#9034): the ticks must be listed
        if not ticks or any(not float(t).is_integer() for t in ticks) or axis.get("format") != "d":
            problems.append(f"{view['title']}: {axis}")
        counts = [v[view["encoding"]["y"]["field"]] for v in view["data"]["values"]]
        if ticks and max(counts) > max(ticks):
            problems.append(f"{view['title']}: a count of {max(counts)} above the last tick {max(ticks)}")
    return problems


def test_the_cold_warm_histogram_counts_in_whole_invocations():
    from reference_app.lab.lesson_helpers.performance import plot_cold_warm

    df = pd.DataFrame(
        {"cold": [True, False, False], "billed_ms": [120, 3, 4], "init_ms": [100, 0, 0], "duration_ms": [20, 3, 4]}
    )
    spec = plot_cold_warm(df).to_dict()
    assert _fractional_counts(spec) == []
    histogram = spec["hconcat"][0]
    assert histogram["encoding"]["y"]["axis"]["values"] == [0, 1, 2]  # two warm ones share a bin
    assert sorted((v["start"], v["invocations"]) for v in histogram["data"]["values"]) == [("cold", 1), ("warm", 2)]
    # (the same histogram with Vega's own ticks shows 0.5, 1.5, or "1" twice with format d: the check says so)
    for axis in ({}, {"tickMinStep": 1, "format": "d"}):
        bad = {**histogram, "encoding": {**histogram["encoding"], "y": {**histogram["encoding"]["y"], "axis": axis}}}
        assert _fractional_counts({**spec, "hconcat": [bad, spec["hconcat"][1]]}) != []


def test_a_terraform_apply_shows_progress_while_it_runs(tmp_path, monkeypatch, capsys):
    # GIVEN a tflocal that is slow to start, then creates two resources
    from reference_app.lab import terraform

    fake = tmp_path / "tflocal"
    fake.write_text(
        "#!/bin/sh\nsleep 1.5\necho 'aws_iam_role.fn: Creating...'\n"
        "echo 'aws_iam_role.fn: Creation complete after 0s [id=r]'\n"
        "echo 'Apply complete! Resources: 1 added, 0 changed, 0 destroyed.'\n"
    )
    fake.chmod(0o755)
    monkeypatch.setattr(terraform, "tflocal_path", lambda: str(fake))
    monkeypatch.setattr(terraform, "_HEARTBEAT_S", 0.5)
    # WHEN it runs with progress
    output = terraform._run(["apply"], tmp_path, {"PATH": "/usr/bin:/bin"}, timeout=30, progress=True)
    # THEN the learner sees that it works, each resource done and the end, and the output is kept whole
    shown = capsys.readouterr().out
    assert "terraform apply: still working" in shown
    assert "aws_iam_role.fn: Creation complete" in shown and "Apply complete!" in shown
    assert "Creating..." not in shown and "Creating..." in output


def test_a_long_wait_says_what_it_waits_for(monkeypatch, capsys):
    from reference_app.lab.lesson_helpers.patterns import infra

    monkeypatch.setattr(infra, "PROGRESS_S", 0.2)
    answers = iter([None] * 6 + ["here"])
    assert infra.wait_until(lambda: next(answers), "the read model", timeout_s=10) == "here"
    assert "still waiting for the read model" in capsys.readouterr().out
