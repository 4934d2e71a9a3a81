"""The instructor's view: two simulated learners' check results, live.

GIVEN the instructor's collector and two learners who joined it (each on a laptop of their
own: a home folder and a course folder), WHEN they run real checks (Ada's passes, Bob's
exercise has a bug), THEN ``lambda-lab room``, ``lab.room_view()`` and its plot show who
finished what and where the room is stuck; WHEN Bob fixes his file and checks again, THEN
the next view shows it.
"""

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reference_app import lab
from reference_app.lab import course
from reference_app.lab.cli import app
from reference_app.lab.errors import LabError
from tools import variants

ROOT = Path(__file__).resolve().parents[2]
EXERCISE = "handler-validation"
runner = CliRunner()


def _laptop(learner, solution: Path) -> Path:
    """The learner's own course folder (``lambda-lab init``), with ``solution`` as their exercise file."""
    from reference_app.lab.workspace import init_course

    folder = init_course(learner.home / "workshop")
    target = folder / "exercises" / course.exercise(EXERCISE).file
    shutil.copy(solution, target)
    return folder


def _check(learner, monkeypatch, folder: Path):
    with learner.acting(monkeypatch):
        monkeypatch.setenv("LAMBDA_LAB_COURSE_DIR", str(folder))
        monkeypatch.setenv("LAMBDA_LAB_SOLUTIONS", "0")
        monkeypatch.setenv("LAMBDA_LAB_CHECKS_MUST_PASS", "0")
        return lab.check(EXERCISE)


@pytest.fixture
def room(shared_room, learners):
    return shared_room  # both joined it


def test_two_learners_checks_show_live_in_the_instructors_views(room, learners, monkeypatch, tmp_path):
    ada, bob = learners["ada"], learners["bob"]
    solution = ROOT / "solutions" / course.exercise(EXERCISE).file
    buggy = variants.load(ROOT / "tests" / "emulator" / "exercise_variants", EXERCISE)[0].write(tmp_path)
    ada_course, bob_course = _laptop(ada, solution), _laptop(bob, buggy)

    passed = _check(ada, monkeypatch, ada_course)
    failed = _check(bob, monkeypatch, bob_course)
    assert passed.passed and not failed.passed
    assert passed.room == f"Reported to the room at {room.url} as Ada."

    view = lab.room_view(room.url, room.key)
    marks = {row["learner"]: row[EXERCISE] for row in view.rows()}
    assert marks == {"Ada": "✅", "Bob": "❌"}
    stuck = {s.exercise: s for s in view.stuck()}[EXERCISE]
    assert (stuck.passed, stuck.failing) == (1, 1) and stuck.top_failure == failed.failed_checks[0].name
    assert view.where_stuck().startswith(f"1 of 2 are failing {EXERCISE}, most on")

    # The notebook: pandas tables and a plot; the terminal: the same table.
    assert view.table().loc["Bob", EXERCISE] == "❌" and view.summary().loc[EXERCISE, "passed"] == 1
    chart = view.plot().to_dict()  # a stacked bar per exercise, in course order, top down
    assert chart["encoding"]["y"]["sort"] == list(view.exercises)
    counts = {(v["exercise"], v["status"]): v["learners"] for v in chart["data"]["values"]}
    assert (counts[(EXERCISE, "passed")], counts[(EXERCISE, "failing")]) == (1, 1)
    assert "<table" in view._repr_html_() and "application/vnd.vegalite.v5+json" in view.plot()._repr_mimebundle_()[0]
    shown = runner.invoke(app, ["room", "--once", "--url", room.url, "--key", room.key], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert "Ada" in shown.output and "Bob" in shown.output and "1 of 2 are failing" in shown.output

    # Live: Bob fixes his file; his next check changes what the instructor sees.
    shutil.copy(solution, bob_course / "exercises" / course.exercise(EXERCISE).file)
    assert _check(bob, monkeypatch, bob_course).passed
    again = lab.room_view(room.url, room.key)
    assert {row["learner"]: row[EXERCISE] for row in again.rows()} == {"Ada": "✅", "Bob": "✅"}
    assert again.where_stuck() == "Nobody is stuck."
    for learner in learners.values():
        with learner.acting(monkeypatch):
            lab.reset()


def test_a_name_is_kept_by_the_learner_who_took_it(room, learners, monkeypatch, tmp_path):
    with monkeypatch.context() as mp:
        mp.setenv("LAMBDA_LAB_HOME", str(tmp_path / "impostor"))
        with pytest.raises(LabError, match="already goes by 'Ada'"):
            lab.join_room(room.url, "Ada", room.code)
        assert not (tmp_path / "impostor" / "room.json").exists()  # a failed join leaves no opt-in behind
    with learners["ada"].acting(monkeypatch):
        assert "Joined the room" in lab.join_room(room.url, "Ada", room.code)  # Ada herself may join again


def test_the_instructors_table_needs_the_instructors_key(room):
    with pytest.raises(LabError, match="refused the instructor's key"):
        lab.room_view(room.url, "not-the-key")
    assert set(lab.room_view().learners) == {"Ada", "Bob"}  # the key is found beside the room


def test_after_leaving_nothing_is_sent(room, learners, monkeypatch):
    from reference_app.lab.room import reporting

    with learners["ada"].acting(monkeypatch):
        assert reporting.report() == f"Reported to the room at {room.url} as Ada."
        assert "nothing is sent there any more" in lab.leave_room()
        assert reporting.report() is None
