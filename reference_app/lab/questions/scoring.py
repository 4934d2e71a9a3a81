"""A drill's answers and their points: time budgets by level, the time factor over budget, the score and
its summary rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import grading
from .bank import Question
from .cards import LABELS, SCORES

# Seconds a candidate gets per question in a mock interview, by level.
BUDGETS = {"basic": 90, "intermediate": 180, "advanced": 300}


def fmt_seconds(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


@dataclass
class Answer:
    question: Question
    rating: str
    seconds: float = 0.0
    grade: grading.Grade | None = None  # the typed answer against the key points, when one was typed
    timed: bool = False  # a mock interview's answer: time over budget lowers its points

    @property
    def budget(self) -> int:
        return BUDGETS[self.question.level]

    @property
    def over_time(self) -> bool:
        return self.seconds > self.budget

    @property
    def time_factor(self) -> float:
        """1 within budget; over it, budget / time taken, down to half (3:00 for a 1:30 question)."""
        if not self.timed or not self.over_time:
            return 1.0
        return max(0.5, self.budget / self.seconds)

    @property
    def points(self) -> float:
        return SCORES[self.rating] * self.time_factor


def summary_rows(answers: Sequence[Answer]) -> list[dict[str, Any]]:
    return [
        {
            "question": a.question.id,
            "level": a.question.level,
            "topic": a.question.topic,
            "time": fmt_seconds(a.seconds),
            "budget": fmt_seconds(a.budget),
            "over": a.over_time,
            "rating": LABELS[a.rating],
            "points": round(a.points, 2),
            "key points": f"{a.grade.hits}/{len(a.grade.points)}" if a.grade else "-",
        }
        for a in answers
    ]


def score(answers: Sequence[Answer]) -> float:
    """Percent of the points available (got = 1, partly = 0.5, missed = 0; a mock answer over its time
    budget earns budget / time of that, down to half)."""
    return round(100 * sum(a.points for a in answers) / len(answers)) if answers else 0
