"""Every module reference in the repository is tied to the course map; no dead links."""

import json
import re
from pathlib import Path

import pytest

from reference_app.lab import course, generate
from reference_app.lab.errors import LabError

ROOT = course.kit_root()
MODULE_ID = re.compile(r"\b(?:0\d|1\d)_[a-z][a-z_]*[a-z]\b")
IDS = {m.id for m in course.modules()}


def test_the_planned_modules_in_order():
    assert [m.id for m in course.modules()] == [
        "00_setup",
        "01_architecture",
        "02_handler",
        "03_infrastructure_as_code",
        "04_triggers",
        "05_error_handling",
        "06_security",
        "07_performance_and_cost",
        "08_observability",
        "09_patterns",
        "10_interview_prep",
        "11_deploying_safely",
        "12_beyond_the_zip",
    ]


@pytest.mark.parametrize("module", course.modules(), ids=lambda m: m.id)
def test_written_means_a_source_and_a_notebook(module):
    assert (generate.lessons_dir() / f"{module.id}.py").is_file() == module.written
    assert (generate.notebooks_dir() / module.notebook).is_file() == module.written


def _files_naming_modules():
    yield from (ROOT / "reference_app" / "handlers").glob("*.py")
    yield ROOT / "reference_app" / "handlers" / "README.md"
    yield ROOT / "README.md"
    yield from (ROOT / "lessons").glob("*.py")
    yield from (ROOT / "solutions").rglob("*.py")
    yield from (ROOT / "reference_app" / "lab").rglob("*.py")


@pytest.mark.parametrize("path", list(_files_naming_modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_id_named_in_the_repo_is_in_the_course_map(path):
    unknown = sorted(set(MODULE_ID.findall(path.read_text(encoding="utf-8"))) - IDS)
    assert not unknown, f"{path.name} names modules the course map does not have: {unknown}"


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_no_notebook_links_to_a_notebook_that_does_not_exist(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    for target in re.findall(r"\]\(([^)#\s]+\.ipynb)\)", text):
        assert (notebook.parent / target).is_file(), f"{notebook.name} links to missing {target}"


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebooks_link_nothing_outside_the_notebooks_folder(notebook):
    # `lambda-lab init` copies notebooks/ and exercises/ only: a link to ../reference_app/... would be dead there.
    cells = json.loads(notebook.read_text())["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert not re.findall(r"\]\((\.\./[^)]+)\)", text)


def test_each_notebook_ends_with_the_next_module_from_the_map():
    for module in course.modules():
        if module.written:
            cells = json.loads((ROOT / "notebooks" / module.notebook).read_text())["cells"]
            assert "".join(cells[-1]["source"]) == generate.footer_markdown(module)


def test_every_exercise_has_a_solution_a_stub_and_checks():
    from reference_app.lab import grader

    for exercise in course.load().exercises:
        assert course.solution_path(exercise.id).is_file()
        assert (ROOT / "exercises" / exercise.file).is_file()
        assert grader.definition(exercise.id).id == exercise.id
        assert Path(exercise.file).parts[0] == exercise.module


def test_handlers_named_by_modules_exist():
    from reference_app.lab.reference_deploys import handler_names

    for module in course.modules():
        assert set(module.handlers) <= set(handler_names()), module.id


def test_lessons_open_with_start_lesson_after_the_setup():
    for module in course.modules():
        if module.written and module.id != "00_setup":
            source = (generate.lessons_dir() / f"{module.id}.py").read_text()
            assert f'lab.start_lesson("{module.id}")' in source, module.id


def test_every_exercise_file_says_which_exercise_it_is_on_its_first_line():
    """A file's name is the learner's (renaming it would orphan their edits); its first line names the id
    that ``lambda-lab check`` takes, so nobody needs the course map to find which file is which."""
    import ast

    for exercise in course.load().exercises:
        for root in (ROOT / "exercises", course.solution_path(exercise.id).parents[1]):
            first = ast.get_docstring(ast.parse((root / exercise.file).read_text())).splitlines()[0]
            assert first.startswith(f"Exercise {exercise.id} ({exercise.module}): "), (root.name, exercise.file)


def _module(id_: str, **fields) -> course.Module:
    return course.Module(
        id=id_,
        title=fields.pop("title", "A title"),
        status=fields.pop("status", "written"),
        minutes=10,
        objectives=fields.pop("objectives", ("An objective",)),
        **fields,
    )


def _exercise(id_: str, module: str, **fields) -> course.Exercise:
    return course.Exercise(
        id=id_,
        module=module,
        file=f"{module}/{id_}.py",
        kind=fields.pop("kind", "fill-in"),
        title="An exercise",
        minutes=5,
        hints=fields.pop("hints", ("one", "two")),
        **fields,
    )


def test_a_consistent_map_passes():
    modules = (_module("01_a", exercises=("ex-a",)), _module("02_b", prerequisites=("01_a",)))
    course._validate(course.Course("t", modules, (_exercise("ex-a", "01_a"),)))


def test_a_broken_map_names_every_problem_in_one_sentence():
    # GIVEN a map with each mistake the validator knows, once
    modules = (
        _module("02_b", title="", status="draft", prerequisites=("09_gone", "03_c"), exercises=("ex-gone",)),
        _module("01_a", exercises=("ex-kind",)),
        _module("01_a", objectives=(3,)),
        _module("03_c"),
    )
    exercises = (
        _exercise("ex-orphan", "07_nowhere"),
        _exercise("ex-unlisted", "03_c"),
        _exercise("ex-kind", "01_a", kind="essay", hints=("only one",)),
    )
    # WHEN it is validated
    with pytest.raises(LabError) as error:
        course._validate(course.Course("t", modules, exercises))
    # THEN one sentence lists them all, in the map's order
    assert (
        str(error.value)
        == "The course map is inconsistent: "
        + "; ".join(
            [
                "module ids repeat",
                "modules are not in order",
                "02_b: every title, objective and name must be a non-empty string (quote ': ')",
                "02_b: status must be one of ('written', 'planned')",
                "02_b: unknown prerequisite 09_gone",
                "02_b: prerequisite 03_c comes later",
                "01_a: every title, objective and name must be a non-empty string (quote ': ')",
                "exercise ex-orphan: unknown module 07_nowhere",
                "exercise ex-unlisted: not listed under module 03_c",
                "exercise ex-kind: kind must be one of ('fill-in', 'debug')",
                "exercise ex-kind: needs two hints (the third level is the solution)",
                "02_b: unknown exercise ex-gone",
            ]
        )
        + "."
    )
