"""Every exercise's checks can pass and can fail, end to end on the emulator.

Four ways per exercise: the solution passes every check (live ones included: a
real zip, deployed and driven through its trigger); the stub is "not started yet"
with no traceback; deliberately wrong variants kept in exercise_variants/ (the
solution with one mistake, :mod:`tools.variants`) fail at least
one check, with a reason; correct answers written differently (exercise_alternatives/)
pass.

The suite runs a sample, to stay cheap: one wrong variant per exercise and a third of
the alternatives, rotating with ``LAMBDA_LAB_VARIANT_SAMPLE`` (default: the day's
number, so each day's CI covers others; set it to replay a day). Every check draws
fresh inputs per run: a failure's report prints the seed that replays it. The whole
matrix, every variant with two seeds, is ``python benchmarks/grader_variants.py``.
"""

import datetime
import os
import random
from pathlib import Path

import pytest

from reference_app.lab import course, grader
from tools import variants

VARIANTS = Path(__file__).parent / "exercise_variants"
ALTERNATIVES = Path(__file__).parent / "exercise_alternatives"
EXERCISES = [e.id for e in course.load().exercises]
WRONG = variants.load(VARIANTS)
RIGHT = variants.load(ALTERNATIVES)
SAMPLE = int(os.environ.get("LAMBDA_LAB_VARIANT_SAMPLE") or datetime.date.today().toordinal())


def _sample(found: list, per_exercise: int, share: float = 1.0) -> list:
    """``per_exercise`` of each exercise's variants, then ``share`` of the exercises, picked by SAMPLE."""
    pick = random.Random(SAMPLE)
    chosen = []
    for exercise in EXERCISES:
        mine = [v for v in found if v.exercise == exercise]
        chosen += pick.sample(mine, min(per_exercise, len(mine)))
    return sorted(pick.sample(chosen, max(1, round(len(chosen) * share))), key=lambda v: v.id)


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_the_solution_passes_every_check(backend, exercise_id):
    report = grader.run(exercise_id, course.solution_path(exercise_id))
    assert report.passed, str(report)
    assert any(r.kind == "live" for r in report.results)


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_the_stub_is_not_started_yet(backend, exercise_id):
    report = grader.run(exercise_id, course.kit_root() / "exercises" / course.exercise(exercise_id).file)
    assert report.status == "not started yet" and "Traceback" not in str(report)


@pytest.mark.parametrize("variant", _sample(WRONG, 1), ids=lambda v: v.id)
def test_a_wrong_variant_fails_with_a_reason(backend, variant, tmp_path):
    report = grader.run(variant.exercise, variant.write(tmp_path))
    assert report.status == "failed", str(report)
    assert all(r.reason for r in report.failed_checks)


@pytest.mark.parametrize("variant", _sample(RIGHT, 1, share=1 / 3), ids=lambda v: v.id)
def test_a_correct_answer_written_differently_passes(backend, variant, tmp_path):
    report = grader.run(variant.exercise, variant.write(tmp_path))
    assert report.passed, str(report)


def test_every_exercise_has_a_wrong_variant_and_an_alternative():
    assert {v.exercise for v in WRONG} == set(EXERCISES)
    assert {v.exercise for v in RIGHT} == set(EXERCISES)


def test_the_debug_exercise_shows_the_failure_in_the_functions_log(backend):
    stub = course.kit_root() / "exercises" / course.exercise("debug-s3-keys").file
    shown = grader.try_exercise("debug-s3-keys", stub)
    assert len(shown.invocations) == 2 and len(shown.failed) == 1
    assert "with+spaces" in str(shown)


def test_the_async_debug_exercise_shows_one_attempt_and_an_empty_destination(backend):
    stub = course.kit_root() / "exercises" / course.exercise("async-on-failure").file
    shown = grader.try_exercise("async-on-failure", stub)
    assert shown.attempts == 1 and shown.records == []
    assert '"refund failed"' in str(shown) and "records in the on-failure destination: 0" in str(shown)
    fixed = grader.try_exercise("async-on-failure", course.solution_path("async-on-failure"))
    assert fixed.attempts == 2 and len(fixed.records) == 1
