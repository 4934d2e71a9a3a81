"""`lambda-lab lab` for real: emulator up, JupyterLab serving notebooks/, emulator down on exit."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

from reference_app.lab import emulator
from reference_app.lab.config import resolve_backend


def _get(url: str):
    with urllib.request.urlopen(url, timeout=2) as resp:
        return json.loads(resp.read())


def test_lab_serves_the_notebooks_and_stops_its_emulator(tmp_path, free_port):
    emulator_port = free_port
    jupyter_port = free_port + 1 if free_port < 65000 else free_port - 1
    cli = Path(sys.executable).with_name("lambda-lab")
    env = {**os.environ, "LAMBDA_LAB_PORT": str(emulator_port), "JUPYTER_RUNTIME_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [
            str(cli),
            "lab",
            "--no-browser",
            f"--ServerApp.port={jupyter_port}",
            "--ServerApp.token=t0ken",
            "--ServerApp.port_retries=0",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    backend = resolve_backend("embedded", emulator_port)
    try:
        listing = None
        deadline = time.monotonic() + 60
        while listing is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                listing = _get(f"http://127.0.0.1:{jupyter_port}/api/contents?token=t0ken")
            except OSError:
                time.sleep(0.3)
        assert listing is not None, (
            proc.stdout.read().decode(errors="replace")[-2000:]
            if proc.poll() is not None
            else "JupyterLab did not answer"
        )
        assert "00_setup.ipynb" in {item["name"] for item in listing["content"]}
        assert emulator.health(backend.endpoint) is not None
    finally:
        for child in psutil.Process(proc.pid).children():
            child.terminate()  # what Ctrl-C and its confirmation do in a terminal
        proc.wait(timeout=30)
    assert emulator.health(backend.endpoint) is None
