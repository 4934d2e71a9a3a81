"""Fixtures the unit tests share: a copy of the course that a test may change freely."""

import shutil

import pytest

from reference_app.lab import course


@pytest.fixture
def kit_copy(tmp_path, monkeypatch):
    """The course's folders (lessons, notebooks, solutions, exercises and the README) in a temporary
    copy that ``course.kit_root()`` points at, so ``generate`` and the commands may change or mangle it."""
    root = course.kit_root()
    for folder in ("lessons", "notebooks", "solutions", "exercises"):
        shutil.copytree(root / folder, tmp_path / folder)
    shutil.copy(root / "README.md", tmp_path / "README.md")
    monkeypatch.setattr(course, "kit_root", lambda: tmp_path)
    return tmp_path


@pytest.fixture
def kit_copy_as_cwd(kit_copy, monkeypatch):
    """``kit_copy``, also the current folder: a command finds the course a learner works in from there."""
    monkeypatch.chdir(kit_copy)
    return kit_copy
