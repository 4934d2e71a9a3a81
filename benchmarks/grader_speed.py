"""How long `lambda-lab check ID` takes, as a learner runs it: a new process each time.

On its own emulator, runs `lambda-lab check ID --solutions --seed N` RUNS times per exercise
(the first run pays for building and deploying; later ones find them done, as a learner's
second attempt does) and prints the median and the maximum per exercise, against the targets
(median <= 10 s, max <= 20 s on the course's 2-core machine).

    python benchmarks/grader_speed.py [--runs N] [exercise ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _grader_bench import exercises, own_emulator

MEDIAN_TARGET, MAX_TARGET = 10.0, 20.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("exercise", nargs="*")
    args = parser.parse_args()
    chosen = exercises(args.exercise)
    cli = [sys.executable, "-c", "from reference_app.lab.cli.main import main; main()"]
    missed = 0
    with own_emulator():
        env = dict(os.environ)
        print(f"{'exercise':<24}{'median s':>10}{'max s':>8}  runs (s)")
        for exercise in chosen:
            times, verdicts = [], set()
            for run in range(args.runs):
                started = time.perf_counter()
                done = subprocess.run(
                    [*cli, "check", exercise, "--solutions", "--seed", str(1000 + run)],
                    env=env,
                    capture_output=True,
                    text=True,
                )
                times.append(time.perf_counter() - started)
                verdicts.add("passed" if done.returncode == 0 else "FAILED")
            median, worst = statistics.median(times), max(times)
            flag = "" if median <= MEDIAN_TARGET and worst <= MAX_TARGET else "  over target"
            missed += bool(flag)
            print(
                f"{exercise:<24}{median:>10.1f}{worst:>8.1f}  {' '.join(f'{t:.1f}' for t in times)}"
                f"  {'/'.join(sorted(verdicts))}{flag}"
            )
    print(f"{missed} exercise(s) over target (median <= {MEDIAN_TARGET:.0f} s, max <= {MAX_TARGET:.0f} s)")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
