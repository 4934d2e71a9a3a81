"""Wrong variants: an exercise's solution with one deliberate mistake, which its checks must fail.

Every check must be able to fail, so each exercise keeps at least one wrong variant beside the
tests (``tests/emulator/exercise_variants/<exercise>/<name>.yml``). A variant is kept as the
change that makes the mistake, not as a second copy of the solution: the file says what the
mistake is and which lines of the solution it replaces with what::

    mistake: every invocation loads the table again
    replace:
      - old: |
          ...the solution's lines...
        new: |
          ...the wrong lines...

so a reviewer reads only the mistake, and a variant stays in step with its solution: when the
solution changes under a variant, :meth:`Variant.source` says which variant no longer applies
instead of testing yesterday's code. :meth:`Variant.write` makes the file the grader runs.

Correct answers written differently from the solution (another style, another library call, the
same behaviour) are kept the same way in a sibling folder (``tests/emulator/exercise_alternatives``),
with ``different:`` instead of ``mistake:`` saying how it differs; the grader must pass them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from reference_app.lab import course
from reference_app.lab.errors import LabError
from reference_app.lab.generate import clean_solution


@dataclass(frozen=True)
class Variant:
    exercise: str
    name: str
    mistake: str  # for a correct alternative: how it differs from the solution
    replace: tuple[tuple[str, str], ...]
    correct: bool = False

    @property
    def id(self) -> str:
        return f"{self.exercise}/{self.name}"

    def source(self) -> str:
        """The solution, as a learner reads it (no markers), with this variant's mistake made."""
        text = clean_solution(course.solution_path(self.exercise).read_text(encoding="utf-8"))
        for old, new in self.replace:
            found = text.count(old)
            if found != 1:
                where = "is no longer in" if not found else f"is {found} times in"
                raise LabError(
                    f"Wrong variant {self.id}: a passage it replaces {where} the solution "
                    f"({course.exercise(self.exercise).file}); update the variant."
                )
            text = text.replace(old, new)
        return text

    def write(self, folder: Path) -> Path:
        """The variant as a Python file in ``folder`` (what the grader loads and deploys)."""
        path = folder / self.exercise / f"{self.name}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        header = (
            f"# ANOTHER CORRECT ANSWER ({self.mistake}): the grader must pass it."
            if self.correct
            else f"# WRONG VARIANT ({self.mistake}): the grader must fail it."
        )
        path.write_text(f"{header}\n{self.source()}", encoding="utf-8")
        return path


def load(folder: Path, exercise: str | None = None) -> list[Variant]:
    """The wrong variants kept in ``folder`` (all, or one exercise's), in name order."""
    found = []
    for path in sorted(folder.glob(f"{exercise or '*'}/*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        pairs = tuple((r["old"], r["new"]) for r in doc["replace"])
        if not pairs or any(not old for old, _ in pairs):
            raise LabError(
                f"Wrong variant {path.parent.name}/{path.stem} replaces nothing: give each "
                "replacement the solution's lines it changes as `old`."
            )
        correct = "different" in doc
        found.append(
            Variant(path.parent.name, path.stem, doc["different"] if correct else doc["mistake"], pairs, correct)
        )
    return found
