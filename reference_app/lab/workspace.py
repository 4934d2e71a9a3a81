"""``lambda-lab init DIR``: a learner's own copy of the course, for a kit installed with pip.

The folder gets ``notebooks/`` and ``exercises/`` (the stubs the learner edits) and a
short README; the solutions stay inside the installed package. ``lambda-lab lab``
run in that folder opens it, and checks load exercises from it. A folder that is
not empty is never written to: it may hold a learner's work.
"""

from __future__ import annotations

import itertools
import shutil
import time
from pathlib import Path

from . import course
from .errors import LabError

LEARNER_README = """# My AWS Lambda workshop

Made by `lambda-lab init`. Your work lives here: edit the files in `exercises/`.

    lambda-lab lab                   # the emulator, then JupyterLab on this folder
    lambda-lab check ID              # check an exercise (lambda-lab check --all: your progress)
    lambda-lab hint ID               # three levels of help
    lambda-lab exercise reset ID     # back to the starting stub (your version is saved beside it)

Start with notebooks/00_setup.ipynb.
"""


COPIED = ("notebooks", "exercises")


def init_course(destination: str | Path) -> Path:
    """Copy the course into ``destination`` (new or empty); return the folder."""
    dest = Path(destination).expanduser().resolve()
    if dest.exists() and not dest.is_dir():
        raise LabError(f"{dest} is a file; give a new folder's name.")
    source = course.kit_root().resolve()
    for folder in COPIED:
        if dest.is_relative_to(source / folder):
            raise LabError(
                f"{dest} is inside the course's own {folder}/ folder, which would be copied into itself; "
                f"give a folder outside {source / folder}."
            )
    if dest.is_dir() and any(dest.iterdir()):
        if (dest / "exercises").exists() or (dest / "notebooks").exists():
            raise LabError(
                f"{dest} already holds a course, maybe with your work in it; run `lambda-lab lab` there, "
                "or give a new folder's name."
            )
        raise LabError(f"{dest} is not empty; give a new or empty folder's name.")
    try:
        dest.mkdir(parents=True, exist_ok=True)
        skip = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.mine-*")
        for folder in COPIED:
            shutil.copytree(source / folder, dest / folder, ignore=skip)
        (dest / "README.md").write_text(LEARNER_README, encoding="utf-8")
    except OSError as exc:
        raise LabError(f"Cannot write the course into {dest} ({exc.strerror}).") from None
    return dest


def save_copy(path: Path) -> Path:
    """Copy ``path`` beside itself as ``<name>.mine-<date>-<time>[-n]<suffix>`` and return the copy.

    The name is claimed with an exclusive create, so two copies made in the same second (or by
    two processes at once) never share a name and neither overwrites the other. The bytes are
    copied as they are: a file that is not UTF-8 is kept too.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    data = path.read_bytes()
    for n in itertools.count():
        copy = path.with_name(f"{path.stem}.mine-{stamp}{f'-{n}' if n else ''}{path.suffix}")
        try:
            with open(copy, "xb") as handle:
                handle.write(data)
        except FileExistsError:
            continue
        shutil.copystat(path, copy)
        return copy
    raise AssertionError("unreachable")


def read_text(path: Path, fix: str) -> str:
    """A learner's text file, or a LabError naming it when it is not UTF-8 (``fix`` says what to do)."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LabError(f"{path} is not UTF-8 text (byte {exc.start}); {fix}.") from None
