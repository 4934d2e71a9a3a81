"""The numbers in classroom/GUIDE.md that come from runs: module timings and the pitfalls.

    python benchmarks/room_guide.py            # both tables, as Markdown
    python benchmarks/room_guide.py --pitfalls # the pitfalls only (no notebooks run)

**Timings per module**: the course map's minutes for a learner, and what the machine spends
on each written notebook (run once by nbval against a fresh emulator: the time a learner
waits on cells, on top of reading and thinking) and on each exercise's check (a first run:
build, deploy and wiring included).

**Pitfalls**: each exercise's wrong variants (``tests/emulator/exercise_variants``: the
mistakes learners make most, each a change to the solution that names its mistake) run through the grader, with the
check that catches the mistake and the sentence the learner reads. A room's own most common
failures show live in ``lambda-lab room`` ("most failed check").
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(1, str(ROOT))  # tools/: the wrong variants
VARIANTS = ROOT / "tests" / "emulator" / "exercise_variants"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _setup() -> None:
    os.environ.update(
        LAMBDA_LAB_PORT=str(_port()),
        LAMBDA_LAB_HOME=tempfile.mkdtemp(prefix="lab-guide-"),
        LAMBDA_LAB_BACKEND="embedded",
        LAMBDA_LAB_TERRAFORM="0",
    )
    for key in ("LAMBDA_LAB_SOLUTIONS", "LAMBDA_LAB_CHECKS_MUST_PASS"):
        os.environ.pop(key, None)


def pitfalls() -> list[str]:
    from reference_app.lab import course, grader
    from tools import variants

    rows = ["| exercise | the mistake | the check that catches it | what the learner reads |", "|---|---|---|---|"]
    folder = Path(tempfile.mkdtemp(prefix="lab-variants-"))
    for exercise in course.load().exercises:
        for variant in variants.load(VARIANTS, exercise.id):
            report = grader.run(exercise.id, variant.write(folder))
            failed = report.failed_checks[0] if report.failed_checks else None
            reason = (failed.reason if failed else report.status).replace("|", "\\|").replace("\n", " ")
            rows.append(f"| `{exercise.id}` | {variant.mistake} | {failed.name if failed else '-'} | {reason} |")
    return rows


def timings() -> list[str]:
    from reference_app.lab import course, grader

    rows = [
        "| module | course map (min) | notebook, machine time (s) | exercise checks, first run (s) |",
        "|---|---|---|---|",
    ]
    for module in course.modules():
        notebook = ROOT / "notebooks" / module.notebook
        seconds = "-"
        if module.written and notebook.is_file():
            env = dict(os.environ, LAMBDA_LAB_SOLUTIONS="1", LAMBDA_LAB_CHECKS_MUST_PASS="1")
            started = time.perf_counter()
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    "--nbval-lax",
                    "--nbval-cell-timeout=300",
                    "-o",
                    "addopts=",
                    str(notebook),
                ],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            seconds = f"{time.perf_counter() - started:.0f}" + ("" if done.returncode == 0 else " (failed)")
        checks = []
        for exercise_id in module.exercises:
            started = time.perf_counter()
            report = grader.run(exercise_id, course.solution_path(exercise_id))
            checks.append(
                f"`{exercise_id}` {time.perf_counter() - started:.1f}"
                + ("" if report.passed else f" ({report.status})")
            )
        rows.append(f"| {module.label} | {module.minutes} | {seconds} | {', '.join(checks) or '-'} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pitfalls", action="store_true", help="only the pitfalls table")
    args = parser.parse_args(argv)
    _setup()
    from reference_app.lab import emulator

    emulator.up()
    try:
        if not args.pitfalls:
            print("\n".join(timings()), "\n", flush=True)
        print("\n".join(pitfalls()))
    finally:
        emulator.down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
