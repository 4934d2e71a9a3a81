"""Wrong variants are changes to their solutions: each still applies, and each changes something."""

from pathlib import Path

import pytest

from reference_app.lab import course
from reference_app.lab.errors import LabError
from reference_app.lab.generate import clean_solution
from tools import variants

FOLDER = Path(__file__).resolve().parents[1] / "emulator" / "exercise_variants"
ALTERNATIVES = FOLDER.with_name("exercise_alternatives")
ALL = variants.load(FOLDER)
RIGHT = variants.load(ALTERNATIVES)


@pytest.mark.parametrize("variant", ALL + RIGHT, ids=lambda v: ("right:" if v.correct else "") + v.id)
def test_each_variant_applies_to_its_solution_and_makes_a_change(variant, tmp_path):
    solution = clean_solution(course.solution_path(variant.exercise).read_text(encoding="utf-8"))
    source = variant.source()
    assert source != solution and variant.mistake
    compile(source, variant.id, "exec")  # a mistake of behaviour, not of syntax
    written = variant.write(tmp_path)
    header = "# ANOTHER CORRECT ANSWER" if variant.correct else "# WRONG VARIANT"
    assert written.read_text(encoding="utf-8").startswith(f"{header} ({variant.mistake})")


def test_a_variant_whose_passage_left_the_solution_says_which(tmp_path):
    stale = variants.Variant("handler-validation", "stale", "a passage gone", (("no such line\n", "x = 1\n"),))
    with pytest.raises(LabError, match="handler-validation/stale: a passage it replaces is no longer in the solution"):
        stale.source()


def test_a_variant_file_without_old_text_is_refused(tmp_path):
    (tmp_path / "handler-validation").mkdir()
    (tmp_path / "handler-validation" / "empty.yml").write_text("mistake: nothing\nreplace:\n- old: ''\n  new: x\n")
    with pytest.raises(LabError, match="replaces nothing"):
        variants.load(tmp_path)


def test_every_exercise_keeps_at_least_one():
    assert {v.exercise for v in ALL} == {e.id for e in course.load().exercises}
    assert {v.exercise for v in RIGHT} == {e.id for e in course.load().exercises}
    assert not any(v.correct for v in ALL) and all(v.correct for v in RIGHT)
