"""Notebooks from lessons/, exercises from solutions/, the README table from the course map."""

import json

import pytest

from reference_app.lab import course, generate, workspace
from reference_app.lab.errors import LabError

SOLUTION = """def f(x):
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
"""


def test_fill_in_blocks_become_not_implemented_with_the_hint():
    stub = generate.stub_from_solution(SOLUTION)
    assert '    raise NotImplementedError("Return twice x.")\n' in stub
    assert "y = x * 2" not in stub and "BEGIN SOLUTION" not in stub


def test_broken_sections_are_uncommented_and_the_fix_removed():
    stub = generate.stub_from_solution(SOLUTION)
    assert "    key = key  # the bug\n" in stub
    assert "decode(key)" not in stub and "BROKEN" not in stub


def test_everything_outside_the_blocks_is_identical():
    stub = generate.stub_from_solution(SOLUTION)
    assert stub.startswith("def f(x):\n") and stub.endswith("    return key\n")
    assert generate.clean_solution(SOLUTION).count("BEGIN") == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# BEGIN SOLUTION hint='x'\npass\n", "no END SOLUTION"),
        ("# END SOLUTION\n", "outside a BEGIN SOLUTION block"),
        ("# BEGIN SOLUTION\npass\n# END SOLUTION\n", 'needs hint="..."'),
        ("# BEGIN SOLUTION hint='a'\n# BEGIN SOLUTION hint='b'\n# END SOLUTION\n", "cannot nest"),
    ],
)
def test_malformed_markers_are_one_sentence_with_the_line(text, message):
    with pytest.raises(LabError, match=message):
        generate.stub_from_solution(text, "s.py")


def test_generated_files_match_their_sources():
    # The drift check CI relies on: notebooks, exercises and the README table are up to date.
    drift = [c for c in generate.generate(check=True) if c.action != "unchanged"]
    assert not drift, f"run `lambda-lab generate`: {[str(c.path) for c in drift]}"


def test_generated_notebooks_have_no_outputs_and_stable_ids():
    for module in course.modules():
        if not module.written:
            continue
        nb = json.loads((generate.notebooks_dir() / module.notebook).read_text())
        ids = [cell["id"] for cell in nb["cells"]]
        assert len(set(ids)) == len(ids) and ids[0] == f"{module.number}-000"
        assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


def test_generate_never_overwrites_a_learners_edit(kit_copy):
    exercise = kit_copy / "exercises" / course.exercise("handler-validation").file
    exercise.write_text(exercise.read_text() + "\n# my work\n")
    changes = {c.path: c for c in generate.generate()}
    assert changes[exercise].action == "kept"
    assert exercise.read_text().endswith("# my work\n")


def test_generate_force_keeps_a_copy_of_the_edit(kit_copy):
    exercise = kit_copy / "exercises" / course.exercise("handler-validation").file
    exercise.write_text("# my work\n")
    changes = {c.path: c for c in generate.generate(force=True)}
    assert changes[exercise].action == "write" and "saved as" in changes[exercise].note
    copies = list(exercise.parent.glob("create_user.mine-*.py"))
    assert [c.read_text() for c in copies] == ["# my work\n"]


def test_generate_replaces_an_untouched_stub_when_the_solution_changes(kit_copy):
    solution = kit_copy / "solutions" / course.exercise("handler-validation").file
    solution.write_text(solution.read_text().replace("FIELDS = (", "FIELDS: tuple = ("))
    changes = {c.path: c for c in generate.generate()}
    exercise = kit_copy / "exercises" / course.exercise("handler-validation").file
    assert changes[exercise].action == "write" and "FIELDS: tuple = (" in exercise.read_text()


def test_a_prerequisite_not_written_yet_is_named_not_linked():
    from reference_app.lab import course, generate

    module = course.module("03_infrastructure_as_code")
    header = generate.header_markdown(module)
    for prerequisite in map(course.module, module.prerequisites):
        if prerequisite.written:
            assert f"]({prerequisite.notebook})" in header
        else:
            assert f"{prerequisite.label} (coming soon)" in header and prerequisite.notebook not in header


# --- issue 17.6: a learner's files are never lost or mangled -------------------------------------


def _first_notebook(root):
    module = next(m for m in course.modules() if m.written)
    return root / "notebooks" / module.notebook


def test_generate_saves_an_edited_notebook_before_regenerating_it(kit_copy):
    # GIVEN a notebook someone edited (a cell of their own) and a lesson that changed since
    notebook = _first_notebook(kit_copy)
    generate.generate()  # records what was generated
    mine = notebook.read_text().replace(
        '"cells": [', '"cells": [{"cell_type": "markdown", "id": "mine", "metadata": {}, "source": "my notes"},', 1
    )
    notebook.write_text(mine)
    lesson = kit_copy / "lessons" / f"{notebook.stem}.py"
    lesson.write_text(lesson.read_text() + "\n# %%\n1 + 1\n")
    # WHEN the notebooks are regenerated
    changes = {c.path: c for c in generate.generate()}
    # THEN the notebook follows its lesson, and the edit was saved first, where the change says
    copies = list(notebook.parent.glob(f"{notebook.stem}.mine-*.ipynb"))
    assert [c.read_text() for c in copies] == [mine]
    assert changes[notebook].action == "write" and copies[0].name in changes[notebook].note
    assert "my notes" not in notebook.read_text() and "1 + 1" in notebook.read_text()


def test_generate_saves_a_run_notebook_even_without_a_record(kit_copy):
    notebook = _first_notebook(kit_copy)
    (kit_copy / "notebooks" / generate.MANIFEST).unlink(missing_ok=True)
    doc = json.loads(notebook.read_text())
    code = next(c for c in doc["cells"] if c["cell_type"] == "code")
    code["execution_count"], code["outputs"] = 1, [{"output_type": "stream", "name": "stdout", "text": "hi\n"}]
    notebook.write_text(json.dumps(doc))
    generate.generate()
    assert len(list(notebook.parent.glob(f"{notebook.stem}.mine-*.ipynb"))) == 1


def test_copies_made_in_the_same_second_never_share_a_name(kit_copy, monkeypatch):
    # GIVEN a clock stuck on one second and a learner who edits and force-regenerates twice in it
    monkeypatch.setattr(workspace.time, "strftime", lambda fmt, *a: "20260101-120000")
    exercise = kit_copy / "exercises" / course.exercise("handler-validation").file
    versions = ["# first try\n", "# second try\n"]
    for version in versions:
        exercise.write_text(version)
        generate.generate(force=True)
    # THEN both versions are kept, under two names
    copies = sorted(exercise.parent.glob("create_user.mine-*.py"))
    assert sorted(c.read_text() for c in copies) == sorted(versions) and len({c.name for c in copies}) == 2


def test_an_exercise_that_is_not_utf8_is_kept_and_copied_byte_for_byte(kit_copy):
    exercise = kit_copy / "exercises" / course.exercise("handler-validation").file
    mangled = b"def create_user(table, payload):\n    return '\xff\xfe caf\xe9'\n"
    exercise.write_bytes(mangled)
    assert {c.path: c for c in generate.generate()}[exercise].action == "kept"
    assert exercise.read_bytes() == mangled
    generate.generate(force=True)
    assert [c.read_bytes() for c in exercise.parent.glob("create_user.mine-*.py")] == [mangled]


def test_exercise_reset_keeps_a_file_that_is_not_utf8(kit_copy_as_cwd):  # reset finds the course from the cwd
    from reference_app.lab import grader

    exercise = kit_copy_as_cwd / "exercises" / course.exercise("handler-validation").file
    mangled = b"# caf\xe9 \xff\n"
    exercise.write_bytes(mangled)
    target, saved = grader.reset_exercise("handler-validation")
    assert saved is not None and saved.read_bytes() == mangled
    assert target.read_text(encoding="utf-8") == grader.stub_text("handler-validation")


@pytest.mark.parametrize("inside", ["notebooks/mine", "exercises/02_handler/mine", "notebooks"])
def test_init_into_the_courses_own_folders_is_refused(kit_copy, inside):
    from reference_app.lab.errors import LabError
    from reference_app.lab.workspace import init_course

    before = sum(1 for _ in kit_copy.rglob("*"))
    with pytest.raises(LabError, match="copied into itself"):
        init_course(kit_copy / inside)
    assert sum(1 for _ in kit_copy.rglob("*")) == before


def test_init_beside_the_course_folders_still_works(kit_copy):
    from reference_app.lab.workspace import init_course

    dest = init_course(kit_copy / "my-copy")
    assert (dest / "exercises").is_dir() and not (dest / "my-copy").exists()
    assert not (dest / "notebooks" / "my-copy").exists()
