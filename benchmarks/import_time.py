"""What importing the kit costs: the notebook's first cell and the console script's start.

    python benchmarks/import_time.py [--runs 7] [--cli PATH]

Each figure is the wall time of a fresh interpreter (``python -c``), the fastest and the median
of ``--runs`` (on a shared machine the fastest is the steadier figure), so imports made at
module top count in full:

* ``import reference_app.lab``: what ``from reference_app import lab`` costs a notebook
  (the package exports lazily: each ``lab.X`` imports its module on first use);
* ``lab.client`` / ``lab.deploy_function`` / ``lab.check``: the first use of a
  platform, an AWS-wiring and a course export;
* ``lambda-lab --help``, ``lambda-lab status`` (no emulator running) and the quick path's
  imports (``cli.main``), through the console script;
* the heavy third-party imports the kit keeps inside functions (boto3, moto, pandas, ...),
  each alone, so a lazy import can be weighed against what it saves.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SNIPPETS = {
    "import reference_app.lab": "import reference_app.lab",
    "lab.client (platform)": "from reference_app import lab; lab.client",
    "lab.deploy_function (AWS wiring)": "from reference_app import lab; lab.deploy_function",
    "lab.check (course)": "from reference_app import lab; lab.check",
    "import reference_app.lab.cli.main (quick path)": "import reference_app.lab.cli.main",
    "import reference_app.lab.cli (full command line)": "import reference_app.lab.cli",
}
THIRD_PARTY = ("boto3", "moto", "pandas", "altair", "cfnlint", "ministack", "typer", "rich", "yaml")


def _times_s(argv: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(argv, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode not in (0, 1):  # ``status`` exits 1 when the emulator is not running
            raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.strip().splitlines()[-1:]}")
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--cli",
        default=str(Path(sys.executable).with_name("lambda-lab")),
        help="the console script to time (default: beside this Python)",
    )
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="lambda-lab-import-time-")
    # a port nothing listens on: ``status`` answers "not running" at once
    env = {**os.environ, "LAMBDA_LAB_HOME": home, "LAMBDA_LAB_PORT": "4999", "LAMBDA_LAB_BACKEND": "embedded"}
    try:
        rows = [("python -c pass (the interpreter alone)", _times_s([sys.executable, "-c", "pass"], args.runs, env))]
        rows += [(label, _times_s([sys.executable, "-c", code], args.runs, env)) for label, code in SNIPPETS.items()]
        if Path(args.cli).exists():
            for command in (["--help"], ["status"]):
                rows.append((f"lambda-lab {' '.join(command)}", _times_s([args.cli, *command], args.runs, env)))
        for name in THIRD_PARTY:
            rows.append((f"import {name}", _times_s([sys.executable, "-c", f"import {name}"], args.runs, env)))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{args.runs} fresh interpreters each, Python {sys.version.split()[0]}, {os.cpu_count()} cores, load {load:.1f}"
    )
    print(f"{'':<52}{'fastest':>9}{'median':>9}")
    for label, (fastest, median) in rows:
        print(f"{label:<52}{fastest * 1000:>6.0f} ms{median * 1000:>6.0f} ms")


if __name__ == "__main__":
    main()
