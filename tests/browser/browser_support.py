"""What both browser tests share (imported by name: pytest puts this folder on its tests' path):
Debian's Chromium with the flags this machine needs, the check that it and Playwright are there,
and opening a notebook in JupyterLab until its kernel is idle."""

from __future__ import annotations

import os
import shutil
import time
import urllib.request

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# As root, with no network but loopback: no sandbox, no GPU, no background look-ups of Google's hosts.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def need_browser() -> None:
    """Skip (or, with ``LAMBDA_LAB_BROWSER_TESTS=required``, fail) when Chromium or Playwright is missing."""
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


KERNEL_UP_OR_ASKED = """() => {
    const dialog = document.querySelector('.jp-Dialog');
    if (dialog && dialog.textContent.includes('Select Kernel')) return true;
    const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
    const name = document.querySelector('.jp-Toolbar-kernelName');
    return status && status.getAttribute('data-status') === 'idle' && name && !/No Kernel/.test(name.textContent);
}"""


def open_notebook(page, url: str, timeout_ms: int = 60_000, kernel: bool = True) -> None:
    """Open ``url`` (a notebook in JupyterLab) and wait until its kernel is idle (``kernel=False``:
    until the notebook is in the page, for tests that only read what it renders).

    The indicator says 'idle' with "No Kernel" before the kernel starts, so the wait is for an idle
    kernel with a name. JupyterLab sometimes asks which kernel to start instead (a race with
    loading the kernel specs); the notebook's own python3 is the preselected answer."""
    page.goto(url)
    page.wait_for_selector(".jp-Notebook", timeout=timeout_ms)
    if not kernel:
        return
    page.wait_for_function(KERNEL_UP_OR_ASKED, timeout=timeout_ms, polling=100)
    kernel_dialog = page.locator(".jp-Dialog:has-text('Select Kernel')")
    if kernel_dialog.count():
        kernel_dialog.locator("button.jp-mod-accept").click()
        kernel_dialog.wait_for(state="hidden")
        page.wait_for_function(KERNEL_UP_OR_ASKED, timeout=timeout_ms, polling=100)


def wait_for_jupyterlab(proc, base: str, timeout_s: float = 60) -> None:
    """Until the JupyterLab started as ``proc`` answers at ``base`` (token ``t0ken``), or it ends, or time is up."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen(f"{base}/api/status?token=t0ken", timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
