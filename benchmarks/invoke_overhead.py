"""What ``lab.invoke()`` costs on top of the invoke it makes: raw boto3 and ``lab.invoke`` side by side.

    python benchmarks/invoke_overhead.py [--rounds 200] [--port 4690]

Starts an embedded emulator of its own (a fresh home folder, a port of its own), deploys
``hello``, warms it, then alternates the two calls in one run so both see the same load:

* raw: one boto3 Lambda client, built once, ``invoke(FunctionName=..., Payload=...)`` and the
  payload read, which is the least any caller does;
* lab: ``lab.invoke(name, event)``, which also decodes the payload and the log tail and guards
  the call (issue 17.8: the goal is at most 1.5x the raw invoke).

Prints the median and 90th percentile of each, and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout's reference_app


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--port", type=int, default=4690)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="lambda-lab-bench-")
    os.environ.update(LAMBDA_LAB_HOME=home, LAMBDA_LAB_BACKEND="embedded", LAMBDA_LAB_PORT=str(args.port))

    from reference_app import lab
    from reference_app.lab import clients, emulator
    from reference_app.lab.config import resolve_backend

    backend = resolve_backend()
    try:
        emulator.up(backend)
        name = lab.deploy_handler("hello", "bench-invoke", backend=backend).name
        raw_client = clients.client("lambda", backend)
        event = {"name": "bench"}
        body = json.dumps(event).encode()

        def raw() -> None:
            resp = raw_client.invoke(FunctionName=name, Payload=body)
            resp["Payload"].read()

        def kit() -> None:
            assert lab.invoke(name, event, backend).ok

        for _ in range(10):  # warm both: the environment, the clients, the connection pools
            raw()
            kit()
        timings: dict[str, list[float]] = {"raw boto3 invoke": [], "lab.invoke": []}
        for _ in range(args.rounds):
            for label, call in (("raw boto3 invoke", raw), ("lab.invoke", kit)):
                started = time.perf_counter()
                call()
                timings[label].append((time.perf_counter() - started) * 1000)
        print(f"{args.rounds} rounds, alternating, against the embedded emulator on port {args.port}")
        print(f"{'call':<20}{'median ms':>11}{'p90 ms':>9}{'mean ms':>9}")
        for label, values in timings.items():
            print(
                f"{label:<20}{statistics.median(values):>11.2f}{_percentile(values, 0.9):>9.2f}"
                f"{statistics.fmean(values):>9.2f}"
            )
        ratio = statistics.median(timings["lab.invoke"]) / statistics.median(timings["raw boto3 invoke"])
        print(f"ratio of medians (lab.invoke / raw): {ratio:.2f}x (goal: at most 1.5x)")
    finally:
        emulator.down(backend)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
