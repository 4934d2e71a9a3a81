"""Mutation testing of the grader: mutants of each solution, `lambda-lab check` as the test.

For each exercise, cosmic-ray (a maintained mutation tool, in the dev extra) mutates the
solution's marked block (the lines a learner writes, between ``BEGIN SOLUTION`` and ``END
SOLUTION``; what the exercise gives is not the learner's to get wrong), and runs the grader on
each mutant, on this benchmark's own emulator, with a fresh seed each time. A mutant the grader
fails is killed; one it passes survived: either a check is missing (add it) or the mutant
behaves as the solution does (explain it in ``grader/checks/<exercise>.survivors.md``).
Prints the kill score per exercise and every survivor with its diff.

    python benchmarks/grader_mutation.py [exercise ...]      # all exercises: an hour or more

An exercise whose marked block is data (a template in a string, a policy as a dict literal)
has few or no mutants: cosmic-ray mutates operators, comparisons, numbers and keywords, not
strings; their checks are proven by the wrong variants instead.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _grader_bench import exercises, own_emulator

TARGET = 0.90
RUNNER = textwrap.dedent("""
    import sys
    from reference_app.lab import grader
    report = grader.run(sys.argv[1], sys.argv[2])
    print(report)
    sys.exit(0 if report.passed else 1)
""")


def solution_lines(text: str) -> list[tuple[int, int]]:
    """1-based line ranges of the marked solution blocks (without the markers and BROKEN parts)."""
    ranges, start = [], None
    for number, line in enumerate(text.splitlines(), 1):
        if re.search(r"#\s*BEGIN SOLUTION", line):
            start = number + 1
        elif start is not None and re.search(r"#\s*(BROKEN|END SOLUTION)", line):
            if number - 1 >= start:
                ranges.append((start, number - 1))
            start = None
    return ranges


def keep_only(session: Path, module: Path, ranges: list[tuple[int, int]]) -> None:
    """Mark every mutation outside ``ranges`` as skipped (what cosmic-ray's line filter does)."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    with use_db(str(session), WorkDB.Mode.open) as db:
        outside = [
            item.job_id
            for item in db.pending_work_items
            if not any(a <= m.start_pos[0] <= b for m in item.mutations for a, b in ranges)
        ]
        if outside:
            db.set_multiple_results(
                outside, WorkResult(output="outside the solution block", worker_outcome=WorkerOutcome.SKIPPED)
            )


def measure(exercise: str, folder: Path) -> dict:
    from reference_app.lab import course

    source = course.solution_path(exercise)
    module = folder / source.name
    module.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    runner = folder / "run_check.py"
    runner.write_text(RUNNER, encoding="utf-8")
    config, session = folder / "cosmic-ray.toml", folder / "session.sqlite"
    config.write_text(
        textwrap.dedent(f'''
        [cosmic-ray]
        module-path = "{module}"
        timeout = 240.0
        excluded-modules = []
        test-command = "{sys.executable} {runner} {exercise} {module}"

        [cosmic-ray.distributor]
        name = "local"
    '''),
        encoding="utf-8",
    )
    baseline = subprocess.run([sys.executable, str(runner), exercise, str(module)], capture_output=True, text=True)
    if baseline.returncode != 0:  # the unmutated solution must pass, or every "kill" means nothing
        raise SystemExit(f"{exercise}: the solution itself does not pass here:\n{baseline.stdout[-2000:]}")
    subprocess.run(["cosmic-ray", "init", str(config), str(session)], check=True, capture_output=True)
    keep_only(session, module, solution_lines(module.read_text(encoding="utf-8")))
    subprocess.run(["cosmic-ray", "exec", str(config), str(session)], check=True, capture_output=True)
    dumped = subprocess.run(["cosmic-ray", "dump", str(session)], check=True, capture_output=True, text=True)
    killed, survived, other = 0, [], 0
    for line in dumped.stdout.splitlines():
        item, result = json.loads(line)
        if not result or result.get("worker_outcome") == "skipped":
            continue
        outcome = result.get("test_outcome")
        if result.get("worker_outcome") != "normal":
            other += 1  # abnormal or timed out: not counted either way, listed
        elif outcome == "killed":
            killed += 1
        elif outcome == "survived":
            mutation = item["mutations"][0]
            survived.append((mutation["operator_name"], mutation["start_pos"][0], result.get("diff", "")))
        else:
            other += 1
    return {"killed": killed, "survived": survived, "other": other}


def main(wanted: list[str]) -> int:
    chosen = exercises(wanted)
    below = 0
    with own_emulator():
        scores = {}
        for exercise in chosen:
            with tempfile.TemporaryDirectory(prefix=f"mut-{exercise}-") as folder:
                scores[exercise] = found = measure(exercise, Path(folder))
            total = found["killed"] + len(found["survived"])
            score = found["killed"] / total if total else 1.0
            below += score < TARGET
            print(
                f"{exercise:<24} mutants {total:>3}  killed {found['killed']:>3}  survived "
                f"{len(found['survived']):>3}  score {score:>5.0%}"
                + (f"  ({found['other']} abnormal)" if found["other"] else ""),
                flush=True,
            )
            for operator, line, diff in found["survived"]:
                print(f"    survivor: {operator} at line {line}")
                print(textwrap.indent(diff.strip(), "      "))
    print(
        f"{below} exercise(s) below {TARGET:.0%} (before equivalent mutants are set aside: see "
        "reference_app/lab/grader/checks/<exercise>.survivors.md)"
    )
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
