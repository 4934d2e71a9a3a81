"""The question bank and the three ways to drill it.

* :mod:`.bank` loads ``reference_app/course/questions/<module>.yml`` and validates it
  against the course map;
* :mod:`.widget` is the notebook quiz (``lab.quiz("02_handler")``) and the mock interview;
* :mod:`.drill` is the terminal drill's engine (``lambda-lab drill``): Leitner boxes,
  progress kept in the per-user home, the timed mock interview;
* :mod:`.anki` exports the bank to an Anki deck.
"""

from __future__ import annotations

from .bank import Bank, Proof, Question, load

__all__ = ["Bank", "Proof", "Question", "load"]
