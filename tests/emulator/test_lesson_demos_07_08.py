"""The break-and-debug demo of lesson 08 shows the failure, and lesson 07's boundaries hold, on the emulator."""

from __future__ import annotations

from reference_app.lab import course, grader
from reference_app.lab.lesson_helpers import performance as perf


def test_the_swallowed_errors_stub_hides_its_failures_from_every_observer_but_the_log(backend):
    stub = course.kit_root() / "exercises" / course.exercise("debug-swallowed-errors").file
    shown = grader.try_exercise("debug-swallowed-errors", stub)
    assert shown.function_errors == 0 and shown.errors_metric == 0 and shown.alarm != "ALARM"
    assert len(shown.error_lines) >= 3 and all("Unexpected error" in line for line in shown.error_lines)
    assert all(answer["statusCode"] == 500 for answer in shown.answers)


def test_payload_boundaries_one_byte_either_side(backend):
    perf.deploy_probe("lab-07-limits-test", setup_ms=0)
    table = perf.payload_boundaries("lab-07-limits-test")
    assert list(table["status"]) == ["200", "413", "202", "413", "200", "200 Unhandled"]
