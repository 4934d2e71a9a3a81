"""Every exercise's checks can pass and can fail, end to end on the emulator.

Three ways per exercise: the solution passes every check (live ones included: a
real zip, deployed and driven through its trigger); the stub is "not started yet"
with no traceback; each deliberately wrong variant kept in exercise_variants/
(the solution with one mistake, :mod:`reference_app.lab.grader.variants`) fails at
least one check, with a reason.
"""

from pathlib import Path

import pytest

from reference_app.lab import course, grader
from reference_app.lab.grader import variants

VARIANTS = Path(__file__).parent / "exercise_variants"
EXERCISES = [e.id for e in course.load().exercises]
WRONG = variants.load(VARIANTS)


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_the_solution_passes_every_check(backend, exercise_id):
    report = grader.run(exercise_id, course.solution_path(exercise_id))
    assert report.passed, str(report)
    assert any(r.kind == "live" for r in report.results)


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_the_stub_is_not_started_yet(backend, exercise_id):
    report = grader.run(exercise_id, course.kit_root() / "exercises" / course.exercise(exercise_id).file)
    assert report.status == "not started yet" and "Traceback" not in str(report)


@pytest.mark.parametrize("variant", WRONG, ids=lambda v: v.id)
def test_a_wrong_variant_fails_with_a_reason(backend, variant, tmp_path):
    report = grader.run(variant.exercise, variant.write(tmp_path))
    assert report.status == "failed", str(report)
    assert all(r.reason for r in report.failed_checks)


def test_every_exercise_has_a_wrong_variant():
    assert {v.exercise for v in WRONG} == set(EXERCISES)


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
