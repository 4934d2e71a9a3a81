"""Only what pyproject.toml cannot say: the wheel carries the course's files.

A learner who installs the wheel (no clone) gets the notebooks, the exercise stubs
and the solutions inside the package, at ``reference_app/_course/``;
``lambda-lab init DIR`` copies the notebooks and exercises into a folder of theirs,
and the solutions stay in the package, where hints and solutions mode find them.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

COURSE_FOLDERS = ("notebooks", "exercises", "solutions")


class BuildWithCourse(build_py):
    def run(self):
        # setuptools reuses build/lib between builds and ships whatever it holds: a module moved out
        # of the package (tools/repo_checks.py) would come back from an old build. Start clean.
        shutil.rmtree(Path(self.build_lib) / "reference_app", ignore_errors=True)
        super().run()
        here = Path(__file__).parent
        target = Path(self.build_lib) / "reference_app" / "_course"
        for folder in COURSE_FOLDERS:
            source = here / folder
            if source.is_dir():
                shutil.copytree(
                    source,
                    target / folder,
                    dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.mine-*"),
                )


setup(cmdclass={"build_py": BuildWithCourse})
