"""The learner's real path: `lambda-lab lab`, a browser, the course folder, every notebook.

Drives Debian's Chromium through Playwright (``executable_path``; Playwright's own
browser download is not used). One `lambda-lab lab` serves a copy of the course folder
(notebooks/ and exercises/, so JupyterLab's autosave and the learner's edits never touch
the committed files) in learner mode: exercises are the stubs, as a learner gets them.

- every notebook opens with its Mermaid diagrams drawn (no warning box), and no `$` in its
  prose typeset as math;
- 00, 04 and 10 run to the end (Run All) with no error output and no table cell cut short;
- the edit-check loop: a check links to its exercise, JupyterLab's editor opens it, the
  learner's fix is saved, and the check, run again, passes;
- 10's quiz answers clicks;
- the lessons' charts (Altair's Vega-Lite 5) are drawn by JupyterLab's own renderer, offline.

Skipped when Chromium or Playwright is missing, unless
``LAMBDA_LAB_BROWSER_TESTS=required`` (set by ``.ci/run``), where that is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from browser_support import CHROMIUM, CHROMIUM_FLAGS, need_browser, open_notebook, wait_for_jupyterlab

from reference_app.lab import course

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
ERRORS = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
MERMAID_OK = ".jp-RenderedMermaid:not(.jp-mod-warning):has(svg, img[src^='data:image/svg'])"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """`lambda-lab lab` in learner mode, serving a copy of the course folder, on its own emulator."""
    need_browser()
    tmp_path = tmp_path_factory.mktemp("seat")
    work = tmp_path / "course"
    for folder in ("notebooks", "exercises"):
        shutil.copytree(ROOT / folder, work / folder)
    jupyter_port = _port()
    env = {
        **os.environ,
        "LAMBDA_LAB_PORT": str(_port()),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
        "LAMBDA_LAB_HOME": str(tmp_path / "home"),
    }
    for learner_mode in ("LAMBDA_LAB_SOLUTIONS", "LAMBDA_LAB_CHECKS_MUST_PASS", "LAMBDA_LAB_COURSE_DIR"):
        env.pop(learner_mode, None)
    cli = Path(sys.executable).with_name("lambda-lab")
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(
        [
            str(cli),
            "lab",
            "--no-browser",
            f"--ServerApp.port={jupyter_port}",
            "--ServerApp.token=t0ken",
            "--ServerApp.port_retries=0",
        ],
        cwd=work,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{jupyter_port}"
    wait_for_jupyterlab(proc, base)
    try:
        yield base, tmp_path, work
    finally:
        for child in psutil.Process(proc.pid).children():
            child.terminate()
        proc.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def browser(jupyterlab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, jupyterlab, request):
    _, tmp_path, _ = jupyterlab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        yield page
    finally:
        page.screenshot(path=str(tmp_path / f"{request.node.name}.png"))
        page.close()


def _open(page, base: str, notebook: str, kernel: bool = True) -> None:
    """Open a notebook in a fresh workspace and (``kernel``) wait for its kernel."""
    open_notebook(page, f"{base}/lab/tree/notebooks/{notebook}?token=t0ken&reset", kernel=kernel)


def _markdown_cells(notebook: str) -> list[str]:
    cells = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]


def _mermaid_blocks(notebook: str) -> int:
    return sum(text.count("```mermaid") for text in _markdown_cells(notebook))


def _run_all(page, timeout_ms: int) -> None:
    """Run > Run All Cells, then wait until no cell is queued or running."""
    page.click("div.lm-MenuBar-itemLabel:text-is('Run')")
    page.click("li.lm-Menu-item:has-text('Run All Cells')")
    page.wait_for_function(  # the run has started: a cell is queued, running or done
        "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].some(p => /[*0-9]/.test(p.textContent))",
        timeout=30_000,
        polling=200,
    )
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent);
            const idle = document.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']");
            return idle && prompts.length && !prompts.some(p => p.includes('*'));
        }""",
        timeout=timeout_ms,
        polling=500,
    )


def _assert_clean_run(page) -> None:
    """Every code cell ran (an error stops Run All), nothing on stderr, no table cell cut short."""
    prompts = page.locator(".jp-CodeCell .jp-InputPrompt").evaluate_all("ps => ps.map(p => p.textContent)")
    assert all(re.search(r"\[\d+\]", p) for p in prompts), prompts
    errors = page.locator(ERRORS)
    assert errors.count() == 0, errors.first.inner_text()
    cut = page.locator(".jp-OutputArea-output table td").evaluate_all(
        "cells => cells.map(c => c.textContent.trim()).filter(t => t.endsWith('...') || t.endsWith('…'))"
    )
    assert cut == [], cut
    assert page.locator(".jp-OutputArea-output .jp-RenderedMermaid.jp-mod-warning").count() == 0
    assert page.locator(".jp-Notebook mjx-container").count() == 0


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_diagram_draws_and_no_dollar_is_math(jupyterlab, page, notebook):
    base, _, _ = jupyterlab
    _open(page, base, notebook, kernel=False)  # only what JupyterLab renders is read here
    page.wait_for_function(  # every Markdown cell rendered
        "n => document.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown').length >= n",
        arg=len(_markdown_cells(notebook)),
        timeout=60_000,
        polling=100,
    )
    expected = _mermaid_blocks(notebook)
    if expected:  # JupyterLab's own Mermaid renderer draws each block as an SVG, or shows a warning box
        page.wait_for_function(
            "([ok, n]) => document.querySelectorAll(ok).length + "
            "document.querySelectorAll('.jp-RenderedMermaid.jp-mod-warning').length >= n",
            arg=[MERMAID_OK, expected],
            timeout=60_000,
            polling=250,
        )
        warnings = page.locator(".jp-MarkdownCell .jp-RenderedMermaid.jp-mod-warning")
        assert warnings.count() == 0, warnings.first.inner_text()
        assert page.locator(f".jp-MarkdownCell {MERMAID_OK}").count() == expected
    page.wait_for_timeout(1_000)  # MathJax typesets after the Markdown is in the page
    maths = page.locator(".jp-MarkdownCell mjx-container")
    assert maths.count() == 0, maths.first.evaluate("m => m.closest('.jp-RenderedMarkdown').textContent")


def test_setup_notebook_runs_green_in_a_real_browser(jupyterlab, page):
    base, _, _ = jupyterlab
    _open(page, base, "00_setup.ipynb")
    _run_all(page, 180_000)
    page.wait_for_selector("text=All set: your lab works.", timeout=10_000)
    _assert_clean_run(page)
    assert page.locator("text=official Jupyter news").count() == 0  # the announcements plugin is off


def test_triggers_run_in_learner_mode_and_a_fix_made_in_the_editor_passes_its_check(jupyterlab, page):
    # GIVEN 04 run to the end by a learner who has not touched the exercises
    base, _, work = jupyterlab
    _open(page, base, "04_triggers.ipynb")
    _run_all(page, 300_000)
    _assert_clean_run(page)
    exercise = course.exercise("debug-s3-keys")
    check = page.locator(".jp-CodeCell").filter(has_text='lab.check("debug-s3-keys")')
    # WHEN the learner follows the check's link, JupyterLab opens the exercise in its editor
    link = check.locator(f".jp-OutputArea a:has-text('exercises/{exercise.file}')")
    check.scroll_into_view_if_needed()  # cells out of view are not laid out (content-visibility)
    assert "not started yet" in check.locator(".jp-OutputArea").text_content()
    link.click()
    editor = page.locator(".jp-FileEditor .cm-content").last
    editor.wait_for(state="visible", timeout=30_000)
    # AND they write the fix there and save it (Ctrl+S)
    solution = course.solution_path("debug-s3-keys").read_text(encoding="utf-8")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(solution)
    page.keyboard.press("Control+S")
    target = work / "exercises" / exercise.file
    deadline = time.monotonic() + 20
    while target.read_text(encoding="utf-8") != solution and time.monotonic() < deadline:
        time.sleep(0.2)
    assert target.read_text(encoding="utf-8") == solution
    # AND run the check again from the notebook
    page.locator("li.lm-TabBar-tab:has-text('04_triggers.ipynb')").click()
    check.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    # THEN it passes
    check.locator("text=/debug-s3-keys: all \\d+ checks passed/").wait_for(timeout=120_000)
    assert check.locator(ERRORS).count() == 0


def test_interview_notebook_runs_and_its_quiz_answers_clicks(jupyterlab, page):
    # 10_interview_prep: the quiz renders as widgets, a choice is checked, a recall card is revealed and
    # rated, and the score follows, with the kernel answering the clicks.
    base, _, _ = jupyterlab
    _open(page, base, "10_interview_prep.ipynb")
    _run_all(page, 180_000)
    _assert_clean_run(page)
    page.wait_for_selector("text=Score: 0 / 0 answered", timeout=10_000)
    score = page.locator("text=/Score: .* answered/").first
    page.locator("button:has-text('Check answer')").first.scroll_into_view_if_needed()
    page.locator("input[type='radio']").first.check()
    page.locator("button:has-text('Check answer')").first.click()
    page.wait_for_selector("text=/Score: [01] \\/ 1 answered/", timeout=30_000)
    page.locator("button:has-text('Reveal model answer')").first.click()
    partly = page.locator("button:has-text('Partly')").first  # the revealed card's rating row
    partly.wait_for(state="visible", timeout=30_000)
    partly.click()
    page.wait_for_selector("text=/Score: [0-9.]+ \\/ 2 answered/", timeout=30_000)
    assert "2 answered" in score.inner_text()
    assert page.locator(ERRORS).count() == 0


def _lesson_charts() -> dict:
    """Charts from the lessons' helpers, on small data shaped as theirs."""
    from datetime import datetime, timedelta

    import pandas as pd

    from reference_app.lab.charts import bar_chart
    from reference_app.lab.lesson_helpers import error_handling, observability, performance
    from reference_app.lab.lesson_helpers.architecture import Ramp
    from reference_app.lab.lesson_helpers.patterns.saga import SagaRun, timeline
    from reference_app.lab.logs import LoggedInvocation
    from reference_app.lab.room.view import RoomView

    at, events = datetime(2026, 1, 1), []
    for state, ms in (("ReserveStock", 600), ("ChargePayment", 3), ("RefundPayment", 3), ("OrderFailed", 3)):
        events.append({"timestamp": at, "type": "TaskStateEntered", "stateEnteredEventDetails": {"name": state}})
        at += timedelta(milliseconds=ms)
        events.append({"timestamp": at, "type": "TaskStateExited", "stateExitedEventDetails": {"name": state}})
    ramp = [
        {"wave": w, "environment": e, "cold_start": c, "started_ms": s, "ended_ms": s + 100}
        for w, e, c, s in ((1, "a", True, 0), (2, "a", False, 200), (2, "b", True, 250))
    ]
    runs = pd.DataFrame(
        {"cold": [True, False, False], "billed_ms": [120, 3, 4], "init_ms": [100, 0, 0], "duration_ms": [20, 3, 4]}
    )
    return {
        "01": Ramp(ramp).plot(),
        "05": error_handling.plot_retry_timeline([LoggedInvocation("r", t) for t in (0, 1000, 3000)], since_ms=0),
        "07": performance.plot_cold_warm(runs),
        "07-cost": performance.plot_cost({128: 300.0, 1769: 30.0, 3008: 30.0}),
        "08": observability.plot_lambda_metrics(
            pd.DataFrame(
                {"lab-08-checkout": [6, 3, 0, 12.5, 30.1], "lab-08-plain-logging": [2, 0, 0, 1.2, 2.0]},
                index=["Invocations", "Errors", "Throttles", "Duration (average ms)", "Duration (maximum ms)"],
            )
        ),
        "09": timeline({"ok": SagaRun("ok", {}, "arn", {"status": "FAILED"}, events)}),
        "09-bars": bar_chart(
            pd.DataFrame({"clicks": [3, 5]}, index=pd.Index(["/", "/cart"], name="page")),
            "clicks",
            ylabel="views",
            title="page views",
        ),
        "room": RoomView(
            {
                "Ada": {
                    "joined": "",
                    "seen": "",
                    "progress": {"handler-validation": {"status": "failed", "attempts": 1, "failed_checks": ["a 409"]}},
                }
            }
        ).plot(),
    }


def test_the_lessons_charts_are_drawn_by_jupyterlab_offline(jupyterlab, page):
    # GIVEN a notebook holding what the lessons' chart cells output (Vega-Lite 5 specs, no HTML, no script)
    import nbformat

    base, tmp_path, work = jupyterlab
    charts = _lesson_charts()
    notebook = nbformat.v4.new_notebook()
    for name, chart in charts.items():
        bundle = chart._repr_mimebundle_()[0]
        assert "text/html" not in bundle  # Altair's default renderer: HTML that loads Vega from a CDN
        cell = nbformat.v4.new_code_cell(f"# {name}")
        cell.outputs = [nbformat.v4.new_output("display_data", data=bundle)]
        notebook.cells.append(cell)
    nbformat.write(notebook, work / "notebooks" / "charts.ipynb")
    # WHEN JupyterLab opens it
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    _open(page, base, "charts.ipynb")
    # THEN JupyterLab's own Vega renderer draws every chart
    drawn = ".jp-RenderedVegaLite .vega-embed .marks"  # Vega's canvas (or SVG), not the menu's icon
    page.wait_for_function(
        "([css, n]) => document.querySelectorAll(css).length >= n",
        arg=[drawn, len(charts)],
        timeout=60_000,
        polling=250,
    )
    assert page.locator(drawn).count() == len(charts)
    assert page.locator(".jp-OutputArea-output[data-mime-type='text/plain']").count() == 0  # no fallback text
    assert [url for url in asked if not url.startswith((base, "data:", "blob:"))] == []  # no CDN, no network
    for name, drawing in zip(charts, page.locator(".jp-RenderedVegaLite").all(), strict=True):
        drawing.scroll_into_view_if_needed()
        drawing.screenshot(path=str(tmp_path / f"chart-{name}.png"))  # for a reviewer's eyes
