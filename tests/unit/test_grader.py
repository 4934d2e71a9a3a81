"""The grader without an emulator: stubs, syntax errors, hints, resets and progress.

Live checks (deploy and drive) are in tests/emulator/test_exercises.py; here they are
skipped because the unit checks in front of them do not pass, which is itself asserted.
"""

import pytest

from reference_app.lab import course, grader
from reference_app.lab import progress_store as progress
from reference_app.lab.errors import LabError, UnknownName

EXERCISES = [e.id for e in course.load().exercises]


@pytest.fixture
def learner(tmp_path, monkeypatch):
    """A learner's course folder (a copy of exercises/) and a fresh per-user home."""
    import shutil

    shutil.copytree(course.kit_root() / "exercises", tmp_path / "exercises")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.setenv("LAMBDA_LAB_COURSE_DIR", str(tmp_path))
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LAMBDA_LAB_SOLUTIONS", raising=False)
    return tmp_path


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_a_stub_is_not_started_yet_and_shows_no_traceback(learner, exercise_id):
    report = grader.run(exercise_id)
    assert report.status == "not started yet"
    assert "Traceback" not in str(report)
    assert report.headline().startswith(f"⏳ {exercise_id}: not started yet")
    live = [r for r in report.results if r.kind == "live"]
    assert live and all(r.status == "skipped" for r in live)


def test_a_syntax_error_is_one_sentence_with_its_line(learner):
    path = learner / "exercises" / course.exercise("handler-validation").file
    path.write_text(path.read_text() + "\ndef broken(:\n")
    report = grader.run("handler-validation")
    assert report.status == "syntax error"
    assert len(report.results) == 1
    reason = report.results[0].reason
    assert f"line {len(path.read_text().splitlines())}" in reason and reason.count(".") <= 2


def test_an_exception_in_the_learners_code_names_its_line(learner):
    path = learner / "exercises" / course.exercise("handler-validation").file
    path.write_text("def lambda_handler(event, context):\n    return event['nope']\n")
    report = grader.run("handler-validation")
    assert report.status == "failed"
    assert report.results[0].reason == "your code raised KeyError: 'nope' (create_user.py, line 2)."


def test_an_unknown_exercise_is_one_sentence_with_a_suggestion():
    with pytest.raises(UnknownName, match="did you mean 'handler-validation'"):
        grader.run("handler-validaton")


def test_a_missing_exercise_file_says_how_to_get_it_back(learner):
    (learner / "exercises" / course.exercise("debug-s3-keys").file).unlink()
    with pytest.raises(LabError, match="lambda-lab exercise reset debug-s3-keys"):
        grader.run("debug-s3-keys")


def test_hints_go_one_level_at_a_time_and_the_last_is_the_solution_diff(learner):
    first, second, third = (grader.hint("handler-validation") for _ in range(3))
    assert (first.level, second.level, third.level) == (1, 2, 3)
    assert first.text == course.exercise("handler-validation").hints[0]
    assert "+    for field in FIELDS:" in third.text and "BEGIN SOLUTION" not in third.text
    assert grader.hint("handler-validation").level == 3  # stays at the solution


def test_reset_keeps_the_learners_version_beside_the_stub(learner):
    path = learner / "exercises" / course.exercise("handler-validation").file
    stub = path.read_text()
    path.write_text("# my attempt\n")
    target, saved = grader.reset_exercise("handler-validation")
    assert target == path and path.read_text() == stub
    assert saved.parent == path.parent and saved.read_text() == "# my attempt\n"
    assert grader.reset_exercise("handler-validation") == (path, None)  # nothing to keep the second time


def test_progress_survives_a_restart(learner):
    grader.run("sqs-partial-batch")
    grader.run("sqs-partial-batch")  # Run All checks an untouched stub more than once: one attempt
    rows = {r["exercise"]: r for r in progress.rows()}  # read back from the file, as after a restart
    assert rows["sqs-partial-batch"]["status"] == "not started yet"
    assert rows["sqs-partial-batch"]["attempts"] == 1
    mine = course.exercise_path("sqs-partial-batch")
    mine.write_text(mine.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    grader.run("sqs-partial-batch")  # a changed file is a new attempt
    assert {r["exercise"]: r for r in progress.rows()}["sqs-partial-batch"]["attempts"] == 2
    assert rows["handler-validation"]["status"] == "not tried"
    in_course_order = [x for m in course.modules() for x in m.exercises]  # module by module, as course.yml lists them
    assert [r["exercise"] for r in progress.rows()] == in_course_order
    assert in_course_order.index("handler-validation") < in_course_order.index("sqs-partial-batch")


def test_must_pass_mode_raises_for_a_stub(learner, monkeypatch):
    monkeypatch.setenv("LAMBDA_LAB_CHECKS_MUST_PASS", "1")
    with pytest.raises(grader.ExerciseNotPassed, match="not started yet"):
        grader.check("sqs-partial-batch")


def test_cli_check_all_and_hint_and_reset(learner, monkeypatch):
    from typer.testing import CliRunner

    from reference_app.lab.cli import app

    runner = CliRunner()
    checked = runner.invoke(app, ["check", "sqs-partial-batch"])
    assert checked.exit_code == 0 and "not started yet" in checked.output
    from reference_app.lab.cli import base

    monkeypatch.setattr(base.out, "_width", 200)  # a wide terminal, wherever the test runs
    table = runner.invoke(app, ["check", "--all"])
    assert table.exit_code == 0 and "sqs-partial-batch" in table.output and "not tried" in table.output
    assert "Hint 1 of 3" in runner.invoke(app, ["hint", "debug-s3-keys"]).output
    reset = runner.invoke(app, ["exercise", "reset", "debug-s3-keys"])
    assert reset.exit_code == 0 and "starting stub already" in reset.output
    unknown = runner.invoke(app, ["check", "nope"])
    assert unknown.exit_code == 1 and "There is no exercise 'nope'" in unknown.output
