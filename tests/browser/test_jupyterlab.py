"""The learner's real path: `lambda-lab lab`, a browser, 00_setup.ipynb, Run All Cells.

Drives Debian's Chromium through Playwright (``executable_path``; Playwright's own
browser download is not used). The notebooks are copied to a temp folder first, so
JupyterLab's autosave never writes outputs into the committed notebooks.

Skipped when Chromium or Playwright is missing, unless
``LAMBDA_LAB_BROWSER_TESTS=required`` (set by ``.ci/run``), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]



def _need_browser():
    missing = []
    if CHROMIUM is None:
        missing.append("chromium (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install playwright)")
    if missing:
        message = "browser test needs " + " and ".join(missing)
        if os.environ.get("LAMBDA_LAB_BROWSER_TESTS") == "required":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def jupyterlab(tmp_path, free_port):
    """`lambda-lab lab` serving a copy of notebooks/, on its own emulator port."""
    _need_browser()
    work = tmp_path / "work"
    shutil.copytree(ROOT / "notebooks", work / "notebooks")
    jupyter_port = free_port
    with __import__("socket").socket() as sock:
        sock.bind(("127.0.0.1", 0))
        emulator_port = sock.getsockname()[1]
    env = {**os.environ, "LAMBDA_LAB_PORT": str(emulator_port), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")}
    cli = Path(sys.executable).with_name("lambda-lab")
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(
        [str(cli), "lab", "--no-browser", f"--ServerApp.port={jupyter_port}", "--ServerApp.token=t0ken",
         "--ServerApp.port_retries=0"],
        cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{jupyter_port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen(f"{base}/api/status?token=t0ken", timeout=1).close()
            break
        except OSError:
            time.sleep(0.3)
    try:
        yield base, tmp_path
    finally:
        for child in psutil.Process(proc.pid).children():
            child.terminate()
        proc.wait(timeout=30)
        log.close()


def test_setup_notebook_runs_green_in_a_real_browser(jupyterlab):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    base, tmp_path = jupyterlab
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{base}/lab/tree/00_setup.ipynb?token=t0ken")
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
            # JupyterLab sometimes asks which kernel to start (a race with loading the
            # kernel specs); the notebook's own python3 is the preselected answer.
            kernel_dialog = page.locator(".jp-Dialog:has-text('Select Kernel')")
            try:
                kernel_dialog.wait_for(state="visible", timeout=5_000)
                kernel_dialog.locator("button.jp-mod-accept").click()
                kernel_dialog.wait_for(state="hidden")
            except PlaywrightTimeout:
                pass
            page.click("div.lm-MenuBar-itemLabel:text-is('Run')")
            page.click("li.lm-Menu-item:has-text('Run All Cells')")
            page.wait_for_selector("text=All set: your lab works.", timeout=180_000)
            # a traceback renders as stderr output; the setup notebook writes none
            errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            assert errors.count() == 0, errors.first.inner_text()
        finally:
            page.screenshot(path=str(tmp_path / "00_setup.png"))
            browser.close()


def test_interview_quiz_is_answerable_in_a_real_browser(jupyterlab):
    # 10_interview_prep: the quiz renders as widgets, a choice is checked, a recall card is revealed and
    # rated, and the score follows, with the kernel answering the clicks.
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    base, tmp_path = jupyterlab
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{base}/lab/tree/10_interview_prep.ipynb?token=t0ken")
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
            kernel_dialog = page.locator(".jp-Dialog:has-text('Select Kernel')")
            try:
                kernel_dialog.wait_for(state="visible", timeout=5_000)
                kernel_dialog.locator("button.jp-mod-accept").click()
                kernel_dialog.wait_for(state="hidden")
            except PlaywrightTimeout:
                pass
            page.click("div.lm-MenuBar-itemLabel:text-is('Run')")
            page.click("li.lm-Menu-item:has-text('Run All Cells')")
            page.wait_for_selector("text=Score: 0 / 0 answered", timeout=180_000)
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
            errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            assert errors.count() == 0, errors.first.inner_text()
        finally:
            page.screenshot(path=str(tmp_path / "10_interview_prep.png"), full_page=False)
            browser.close()
