"""A choice card in a real browser: each option's radio selects that option, even when options wrap.

ipywidgets' RadioButtons gives each label one line's height; a long option wrapped over the option
below it, and a click on its radio selected the next one. This serves a one-cell notebook holding a
card of the bank's longest options with plain JupyterLab (no emulator needed), drives Debian's
Chromium through Playwright at a narrow and a wide viewport, clicks every radio and checks that
exactly that option is selected, and that no two options' boxes overlap; then starts a mock interview
and waits for its countdown to tick in the page.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys

import psutil
import pytest
from browser_support import CHROMIUM, CHROMIUM_FLAGS, need_browser, open_notebook, wait_for_jupyterlab

CELL = """\
from reference_app.lab.questions import load
from reference_app.lab.questions.widget import Quiz
q = max((q for q in load() if q.is_choice), key=lambda q: sum(map(len, q.choices)))
quiz = Quiz([q], title="long options", record=False)
quiz
"""
MOCK = """\
from reference_app.lab.questions.mock import mock_interview
mock_interview(1, seed=1, record=False)
"""


@pytest.fixture
def lab_with_a_card(tmp_path, free_port):
    need_browser()
    work = tmp_path / "work"
    work.mkdir()
    notebook = {
        "cells": [
            {"cell_type": "code", "execution_count": None, "id": name, "metadata": {}, "outputs": [], "source": source}
            for name, source in (("card", CELL), ("mock", MOCK))
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (work / "card.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
        "LAMBDA_LAB_HOME": str(tmp_path / "home"),
    }
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--ServerApp.port={free_port}",
            "--ServerApp.token=t0ken",
            "--ServerApp.port_retries=0",
            "--ServerApp.ip=127.0.0.1",
            "--allow-root",
        ],
        cwd=work,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{free_port}"
    wait_for_jupyterlab(proc, base)
    assert proc.poll() is None, (tmp_path / "lab.log").read_text()[-2000:]
    try:
        yield base, tmp_path
    finally:
        for child in psutil.Process(proc.pid).children(recursive=True):
            child.terminate()
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_each_radio_selects_its_own_option_and_the_mock_counts_down(lab_with_a_card):
    from playwright.sync_api import sync_playwright

    base, tmp_path = lab_with_a_card
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            open_notebook(page, f"{base}/lab/tree/card.ipynb?token=t0ken")
            page.click("div.lm-MenuBar-itemLabel:text-is('Run')")
            page.click("li.lm-Menu-item:has-text('Run All Cells')")
            radios = page.locator(".lambda-lab-choices input[type='radio']")
            radios.first.wait_for(state="visible", timeout=120_000)
            for width in (1280, 640):  # wide, and narrow enough that every option wraps
                page.set_viewport_size({"width": width, "height": 900})
                page.wait_for_timeout(300)
                labels = page.locator(".lambda-lab-choices label:has(input[type='radio'])")
                boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
                assert len(boxes) == 4
                for i in range(labels.count()):
                    fits = labels.nth(i).evaluate("e => e.scrollHeight <= e.clientHeight + 1")
                    assert fits, f"option {i + 1}'s text overflows its box onto the next option at {width} px"
                for upper, lower in itertools.pairwise(boxes):
                    assert upper["y"] + upper["height"] <= lower["y"] + 0.5, f"options overlap at {width} px"
                if width == 640:
                    assert max(b["height"] for b in boxes) > 30, "the narrow viewport did not wrap any option"
                for i in range(radios.count()):
                    radios.nth(i).click(timeout=5_000)  # fails if another option's label covers this radio
                    checked = [radios.nth(j).is_checked() for j in range(radios.count())]
                    assert checked == [j == i for j in range(radios.count())], (width, i, checked)
            # the mock interview's countdown runs in the browser: Start, and the time left goes down
            page.set_viewport_size({"width": 1280, "height": 900})
            start = page.locator("button:has-text('Start the clock')")
            start.scroll_into_view_if_needed()
            start.click()
            page.wait_for_selector("text=/1:2[0-8] left/", timeout=30_000)  # basic: 1:30, then ticking
        finally:
            page.screenshot(path=str(tmp_path / "quiz_widget.png"), full_page=True)
            browser.close()
