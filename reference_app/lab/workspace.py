"""``lambda-lab init DIR``: a learner's own copy of the course, for a kit installed with pip.

The folder gets ``notebooks/`` and ``exercises/`` (the stubs the learner edits) and a
short README; the solutions stay inside the installed package. ``lambda-lab lab``
run in that folder opens it, and checks load exercises from it. A folder that is
not empty is never written to: it may hold a learner's work.
"""

from __future__ import annotations

import shutil
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


def init_course(destination: str | Path) -> Path:
    """Copy the course into ``destination`` (new or empty); return the folder."""
    dest = Path(destination).expanduser().resolve()
    if dest.exists() and not dest.is_dir():
        raise LabError(f"{dest} is a file; give a new folder's name.")
    if dest.is_dir() and any(dest.iterdir()):
        if (dest / "exercises").exists() or (dest / "notebooks").exists():
            raise LabError(f"{dest} already holds a course, maybe with your work in it; run `lambda-lab lab` there, "
                           "or give a new folder's name.")
        raise LabError(f"{dest} is not empty; give a new or empty folder's name.")
    source = course.kit_root()
    try:
        dest.mkdir(parents=True, exist_ok=True)
        skip = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.mine-*")
        shutil.copytree(source / "notebooks", dest / "notebooks", ignore=skip)
        shutil.copytree(source / "exercises", dest / "exercises", ignore=skip)
        (dest / "README.md").write_text(LEARNER_README, encoding="utf-8")
    except OSError as exc:
        raise LabError(f"Cannot write the course into {dest} ({exc.strerror}).") from None
    return dest
