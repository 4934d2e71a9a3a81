"""How long a learner waits: emulator start, first deploy, cold and warm invokes.

    python benchmarks/lab_startup.py [--runs 5] [--warm 50]

Each run uses a fresh port and a fresh home folder (so nothing is cached) and
measures, through the kit's own code paths:

* ``lambda-lab up`` as a learner types it (process start to healthy, CLI included),
* deploy of the hello function until it is Active (package, isolated import
  check, create, wait),
* the first (cold) invoke and warm invoke p50/p95 through the kit's client.
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
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def one_run(warm_invokes: int) -> dict[str, float]:
    home = tempfile.mkdtemp(prefix="lambda-lab-bench-")
    port = _free_port()
    os.environ.update(LAMBDA_LAB_HOME=home, LAMBDA_LAB_PORT=str(port), LAMBDA_LAB_BACKEND="embedded")
    from reference_app.lab import clients, deploy, emulator
    from reference_app.lab.config import resolve_backend

    clients._session.cache_clear()
    backend = resolve_backend()
    cli = Path(sys.executable).with_name("lambda-lab")
    try:
        t0 = time.perf_counter()
        subprocess.run([str(cli), "up"], check=True, capture_output=True)
        up_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        deploy.deploy_function("bench-hello", "reference_app.handlers.hello", backend=backend)
        deploy_s = time.perf_counter() - t0

        cold_ms = deploy.invoke("bench-hello", {}, backend).elapsed_ms
        warm = [deploy.invoke("bench-hello", {}, backend).elapsed_ms for _ in range(warm_invokes)]
        return {
            "up_s": up_s,
            "deploy_s": deploy_s,
            "cold_ms": cold_ms,
            "warm_p50_ms": statistics.median(warm),
            "warm_p95_ms": _pct(warm, 0.95),
        }
    finally:
        emulator.down(backend)
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warm", type=int, default=50, help="warm invokes per run")
    args = parser.parse_args()
    results = [one_run(args.warm) for _ in range(args.runs)]
    print(f"{args.runs} runs, {args.warm} warm invokes each, Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print(f"{'metric':<34}{'min':>9}{'median':>9}{'max':>9}")
    labels = {
        "up_s": "`lambda-lab up` to healthy (s)",
        "deploy_s": "deploy hello to Active (s)",
        "cold_ms": "first (cold) invoke (ms)",
        "warm_p50_ms": "warm invoke p50 (ms)",
        "warm_p95_ms": "warm invoke p95 (ms)",
    }
    for key, label in labels.items():
        values = [r[key] for r in results]
        print(f"{label:<34}{min(values):>9.3f}{statistics.median(values):>9.3f}{max(values):>9.3f}")


if __name__ == "__main__":
    main()
