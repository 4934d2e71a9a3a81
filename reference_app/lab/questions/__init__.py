"""The question bank and the three ways to drill it.

* :mod:`.bank` loads ``reference_app/course/questions/<module>.yml`` and validates it
  against the course map;
* :mod:`.widget` is the notebook quiz (``lab.quiz("02_handler")``), :mod:`.mock` the mock interview
  (``lab.mock_interview()``); :mod:`.grading` scores a typed answer against the key points;
* :mod:`.drill` is the spaced-repetition engine and the terminal session behind
  ``lambda-lab drill``;
* :mod:`.anki` exports the bank to an Anki deck;
* :mod:`.tables` summarises the bank and your progress for the interview-prep notebook.

Importing this package stays light (no ipywidgets): the notebook functions below load
:mod:`.widget` on first call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .bank import Bank, Proof, Question, load
from .tables import drill_stats, overview, seed_questions

if TYPE_CHECKING:
    from .mock import MockInterview
    from .widget import Quiz


def quiz(
    module: str | None = None,
    *,
    level: str | None = None,
    topic: str | None = None,
    count: int | None = None,
    shuffle: bool = False,
    seed: int | None = None,
    record: bool = True,
) -> Quiz:
    """An ipywidgets quiz: ``quiz("02_handler")`` for a module, or a mix (``count=12, shuffle=True``).

    Multiple-choice cards check the answer and explain it; free-recall cards reveal the model
    answer and key points and ask for a self-rating. Answers are scored and recorded in the drill's
    spaced-repetition progress.
    """
    from .widget import quiz as _quiz  # ipywidgets and IPython: ~95 ms that `lambda-lab drill` never needs

    return _quiz(module, level=level, topic=topic, count=count, shuffle=shuffle, seed=seed, record=record)


def mock_interview(
    count: int = 6,
    *,
    module: str | None = None,
    topic: str | None = None,
    seed: int | None = None,
    record: bool = True,
    kinds: tuple[str, ...] = ("recall",),
) -> MockInterview:
    """A timed mock interview widget: ``count`` questions, a mix of levels, a countdown per question,
    typed answers scored against the key points. Recall questions only unless ``kinds`` says otherwise."""
    from .mock import mock_interview as _mock  # ipywidgets, as quiz()

    return _mock(count, module=module, topic=topic, seed=seed, record=record, kinds=kinds)


__all__ = [
    "Bank",
    "Proof",
    "Question",
    "drill_stats",
    "load",
    "mock_interview",
    "overview",
    "quiz",
    "seed_questions",
]
