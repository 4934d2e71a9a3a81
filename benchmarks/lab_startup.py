"""How long a learner waits: emulator start, first deploy, cold and warm invokes.

    python benchmarks/lab_startup.py [--runs 5] [--warm 50]

Each run uses a fresh port and a fresh home folder (so nothing is cached) and
measures, through the kit's own code paths:

* the raw emulator's own start (``python -m ministack`` to healthy, health polled
  every 10 ms), then ``lambda-lab up`` as a learner types it (process start to
  healthy, CLI and the kit's runtime included), and their ratio;
* deploy of the hello function until it is Active (package, isolated import
  check, create, wait);
* the first (cold) invoke, and warm invoke p50/p95 through the kit's client, of a
  handler that prints a line (hello) and of one that logs nothing.

Goals (issue 7): silent warm invoke p50 <= 15 ms; ``up`` <= 2x the raw start.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

SILENT_HANDLER = "def lambda_handler(event, context):\n    return {'ok': True}\n"
GOALS = {"silent_warm_p50_ms": 15.0, "up_ratio": 2.0}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def raw_start_s(home: Path) -> float:
    """``python -m ministack`` to healthy, with the environment the kit gives it, health polled every 10 ms."""
    from reference_app.lab import embedded
    from reference_app.lab.config import resolve_backend
    from reference_app.lab.emulator_patch import environment as emulator_env

    backend = resolve_backend("embedded", _free_port())
    raw_home = home / "raw"
    for sub in ("state", "s3", "tmp"):
        (raw_home / sub).mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ministack"],
        env=emulator_env.emulator_env(backend, raw_home),
        cwd=raw_home,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while True:
            try:
                urllib.request.urlopen(f"{backend.endpoint}/_localstack/health", timeout=0.5).read()
                return time.perf_counter() - started
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("the raw emulator exited during start-up") from None
                time.sleep(0.01)
    finally:
        embedded.stop_pid(proc.pid)


def warm_invokes(deploy, name: str, backend, count: int) -> list[float]:
    return [deploy.invoke(name, {}, backend).elapsed_ms for _ in range(count)]


def one_run(warm_count: int) -> dict[str, float]:
    home = Path(tempfile.mkdtemp(prefix="lambda-lab-bench-"))
    port = _free_port()
    os.environ.update(LAMBDA_LAB_HOME=str(home), LAMBDA_LAB_PORT=str(port), LAMBDA_LAB_BACKEND="embedded")
    from reference_app.lab import clients, deploy, emulator
    from reference_app.lab.config import resolve_backend

    clients._session.cache_clear()
    backend = resolve_backend()
    cli = Path(sys.executable).with_name("lambda-lab")
    silent = home / "silent_handler.py"
    silent.write_text(SILENT_HANDLER)
    try:
        raw_s = raw_start_s(home)
        t0 = time.perf_counter()
        subprocess.run([str(cli), "up"], check=True, capture_output=True)
        up_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        deploy.deploy_function("bench-hello", "reference_app.handlers.hello", backend=backend)
        deploy_s = time.perf_counter() - t0
        deploy.deploy_function("bench-silent", silent, backend=backend)

        cold_ms = deploy.invoke("bench-hello", {}, backend).elapsed_ms
        deploy.invoke("bench-silent", {}, backend)
        printing = warm_invokes(deploy, "bench-hello", backend, warm_count)
        quiet = warm_invokes(deploy, "bench-silent", backend, warm_count)
        return {
            "raw_start_s": raw_s,
            "up_s": up_s,
            "up_ratio": up_s / raw_s,
            "deploy_s": deploy_s,
            "cold_ms": cold_ms,
            "warm_p50_ms": statistics.median(printing),
            "warm_p95_ms": _pct(printing, 0.95),
            "silent_warm_p50_ms": statistics.median(quiet),
            "silent_warm_p95_ms": _pct(quiet, 0.95),
        }
    finally:
        emulator.down(backend)
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warm", type=int, default=50, help="warm invokes per run and handler")
    args = parser.parse_args()
    results = [one_run(args.warm) for _ in range(args.runs)]
    from reference_app.lab import emulator_patch

    raw = "the raw emulator (LAMBDA_LAB_RAW_EMULATOR or another version)"
    mode = "the kit's runtime" if emulator_patch.applies() else raw
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{args.runs} runs, {args.warm} warm invokes each, Python {sys.version.split()[0]}, {os.cpu_count()} cores, "
        f"load {load:.1f}; functions run by {mode}"
    )
    print(f"{'metric':<40}{'min':>9}{'median':>9}{'max':>9}")
    labels = {
        "raw_start_s": "raw `python -m ministack` to healthy (s)",
        "up_s": "`lambda-lab up` to healthy (s)",
        "up_ratio": "`up` / raw start",
        "deploy_s": "deploy hello to Active (s)",
        "cold_ms": "first (cold) invoke, hello (ms)",
        "warm_p50_ms": "warm invoke p50, prints a line (ms)",
        "warm_p95_ms": "warm invoke p95, prints a line (ms)",
        "silent_warm_p50_ms": "warm invoke p50, logs nothing (ms)",
        "silent_warm_p95_ms": "warm invoke p95, logs nothing (ms)",
    }
    medians = {}
    for key, label in labels.items():
        values = [r[key] for r in results]
        medians[key] = statistics.median(values)
        print(f"{label:<40}{min(values):>9.3f}{medians[key]:>9.3f}{max(values):>9.3f}")
    for key, goal in GOALS.items():
        verdict = "met" if medians[key] <= goal else "NOT met"
        print(f"goal {labels[key]} <= {goal:g}: {verdict} (median {medians[key]:.3f})")


if __name__ == "__main__":
    main()
