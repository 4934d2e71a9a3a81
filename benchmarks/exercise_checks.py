"""How long a learner waits for `lambda-lab check`: every exercise, solution and stub.

Starts its own emulator on a spare port with a throw-away home, runs each exercise's
checks against its solution twice (first: cold build, deploy and wiring; second:
everything cached) and against its stub, and prints the times.

    python benchmarks/exercise_checks.py
"""

from __future__ import annotations

import os
import socket
import tempfile
import time


def main() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    os.environ.update(LAMBDA_LAB_PORT=str(port), LAMBDA_LAB_HOME=tempfile.mkdtemp(prefix="lab-bench-"))
    from reference_app.lab import course, emulator, grader

    emulator.up()
    try:
        print(f"{'exercise':<22}{'first (s)':>10}{'again (s)':>10}{'stub (s)':>10}  status")
        for exercise in course.load().exercises:
            times = []
            for path in (course.solution_path(exercise.id),) * 2 + (course.kit_root() / "exercises" / exercise.file,):
                started = time.perf_counter()
                report = grader.run(exercise.id, path)
                times.append(time.perf_counter() - started)
            print(f"{exercise.id:<22}{times[0]:>10.2f}{times[1]:>10.2f}{times[2]:>10.2f}  {report.status}")
    finally:
        print(emulator.down())


if __name__ == "__main__":
    main()
