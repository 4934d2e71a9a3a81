"""The whole proof matrix of the grader: every wrong variant must fail, every alternative must pass.

The suite runs a rotating sample (tests/emulator/test_exercises.py); this runs all of them, each
with two seeds, live checks included, on its own emulator, and prints one line per variant: the
verdict, the seconds, and the first failed check's reason (which must name the mistake).

    python benchmarks/grader_variants.py [exercise ...]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # tools/: the wrong variants
from _grader_bench import exercises, own_emulator

TESTS = Path(__file__).resolve().parents[1] / "tests" / "emulator"
SEEDS = (101, 202)


def main(wanted: list[str]) -> int:
    from reference_app.lab import grader
    from tools import variants

    chosen = exercises(wanted)
    found = [
        v
        for v in variants.load(TESTS / "exercise_variants") + variants.load(TESTS / "exercise_alternatives")
        if v.exercise in chosen
    ]
    wrong_verdicts = 0
    with own_emulator(), tempfile.TemporaryDirectory() as folder:
        print(f"{'variant':<58}{'seed':>6}{'s':>6}  verdict  reason")
        for variant in sorted(found, key=lambda v: (v.exercise, v.correct, v.name)):
            path = variant.write(Path(folder) / ("right" if variant.correct else "wrong"))
            for seed in SEEDS:
                started = time.perf_counter()
                report = grader.run(variant.exercise, path, seed=seed)
                seconds = time.perf_counter() - started
                ok = report.passed if variant.correct else report.status == "failed"
                wrong_verdicts += not ok
                reason = report.failed_checks[0].reason if report.failed_checks else ""
                label = ("right " if variant.correct else "wrong ") + variant.id
                print(f"{label:<58}{seed:>6}{seconds:>6.1f}  {'ok' if ok else 'WRONG':<7}  {reason[:160]}")
    print(f"{wrong_verdicts} wrong verdict(s) of {len(found) * len(SEEDS)}")
    return 1 if wrong_verdicts else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
