"""Notebooks from lessons/, exercises from solutions/, the README table from the course map."""

import json
import shutil

import pytest

from reference_app.lab import build, course
from reference_app.lab.errors import LabError

SOLUTION = '''def f(x):
    # BEGIN SOLUTION hint="Return twice x."
    y = x * 2
    return y
    # END SOLUTION


def g(key):
    # BEGIN SOLUTION
    key = decode(key)
    # BROKEN
    # key = key  # the bug
    # END SOLUTION
    return key
'''


def test_fill_in_blocks_become_not_implemented_with_the_hint():
    stub = build.stub_from_solution(SOLUTION)
    assert '    raise NotImplementedError("Return twice x.")\n' in stub
    assert "y = x * 2" not in stub and "BEGIN SOLUTION" not in stub


def test_broken_sections_are_uncommented_and_the_fix_removed():
    stub = build.stub_from_solution(SOLUTION)
    assert "    key = key  # the bug\n" in stub
    assert "decode(key)" not in stub and "BROKEN" not in stub


def test_everything_outside_the_blocks_is_identical():
    stub = build.stub_from_solution(SOLUTION)
    assert stub.startswith("def f(x):\n") and stub.endswith("    return key\n")
    assert build.clean_solution(SOLUTION).count("BEGIN") == 0


@pytest.mark.parametrize(("text", "message"), [
    ("# BEGIN SOLUTION hint='x'\npass\n", "no END SOLUTION"),
    ("# END SOLUTION\n", "outside a BEGIN SOLUTION block"),
    ("# BEGIN SOLUTION\npass\n# END SOLUTION\n", 'needs hint="..."'),
    ("# BEGIN SOLUTION hint='a'\n# BEGIN SOLUTION hint='b'\n# END SOLUTION\n", "cannot nest"),
])
def test_malformed_markers_are_one_sentence_with_the_line(text, message):
    with pytest.raises(LabError, match=message):
        build.stub_from_solution(text, "s.py")


def test_generated_files_match_their_sources():
    # The drift check CI relies on: notebooks, exercises and the README table are up to date.
    drift = [c for c in build.generate(check=True) if c.action != "unchanged"]
    assert not drift, f"run `lambda-lab generate`: {[str(c.path) for c in drift]}"


def test_generated_notebooks_have_no_outputs_and_stable_ids():
    for module in course.modules():
        if not module.written:
            continue
        nb = json.loads((build.notebooks_dir() / module.notebook).read_text())
        ids = [cell["id"] for cell in nb["cells"]]
        assert len(set(ids)) == len(ids) and ids[0] == f"{module.number}-000"
        assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


@pytest.fixture
def kit_copy(tmp_path, monkeypatch):
    """A copy of the kit's generated and source folders, so generate can run on it."""
    root = course.kit_root()
    for folder in ("lessons", "notebooks", "solutions", "exercises"):
        shutil.copytree(root / folder, tmp_path / folder)
    shutil.copy(root / "README.md", tmp_path / "README.md")
    monkeypatch.setattr(course, "kit_root", lambda: tmp_path)
    return tmp_path


def test_generate_never_overwrites_a_learners_edit(kit_copy):
    exercise = kit_copy / "exercises" / course.exercise("handler-validation").file
    exercise.write_text(exercise.read_text() + "\n# my work\n")
    changes = {c.path: c for c in build.generate()}
    assert changes[exercise].action == "kept"
    assert exercise.read_text().endswith("# my work\n")


def test_generate_force_keeps_a_copy_of_the_edit(kit_copy):
    exercise = kit_copy / "exercises" / course.exercise("handler-validation").file
    exercise.write_text("# my work\n")
    changes = {c.path: c for c in build.generate(force=True)}
    assert changes[exercise].action == "write" and "saved as" in changes[exercise].note
    copies = list(exercise.parent.glob("create_user.mine-*.py"))
    assert [c.read_text() for c in copies] == ["# my work\n"]


def test_generate_replaces_an_untouched_stub_when_the_solution_changes(kit_copy):
    solution = kit_copy / "solutions" / course.exercise("handler-validation").file
    solution.write_text(solution.read_text().replace("FIELDS = (", "FIELDS: tuple = ("))
    changes = {c.path: c for c in build.generate()}
    exercise = kit_copy / "exercises" / course.exercise("handler-validation").file
    assert changes[exercise].action == "write" and "FIELDS: tuple = (" in exercise.read_text()


def test_a_prerequisite_not_written_yet_is_named_not_linked():
    from reference_app.lab import build, course

    module = course.module("03_infrastructure_as_code")
    header = build.header_markdown(module)
    for prerequisite in map(course.module, module.prerequisites):
        if prerequisite.written:
            assert f"]({prerequisite.notebook})" in header
        else:
            assert f"{prerequisite.label} (coming soon)" in header and prerequisite.notebook not in header
