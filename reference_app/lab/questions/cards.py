"""The drill's stored cards and their scheduling: Leitner boxes in ``drill.json``, damage kept aside,
and which questions come next."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import course, progress_store
from ..errors import LabError
from .bank import LEVELS, Question

FILE = "drill.json"
DAY = 86_400
BOX_INTERVALS = {1: 0, 2: 1 * DAY, 3: 3 * DAY, 4: 7 * DAY, 5: 21 * DAY}
PARTLY_DELAY = 600
RATINGS = ("got", "partly", "missed")
SCORES = {"got": 1.0, "partly": 0.5, "missed": 0.0}
LABELS = {"got": "got it", "partly": "partly", "missed": "missed"}


def rating_of(correct: bool) -> str:
    return "got" if correct else "missed"


# --- progress -----------------------------------------------------------------------------------


def _clean_cards(raw: Any) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The cards of a drill.json, with wrong-typed values dropped (and listed)."""
    if raw is None:
        return {}, []
    cards = raw.get("cards", {})
    if not isinstance(cards, dict):
        return {}, [f"cards = {cards!r}"]
    clean, problems = {}, []
    for question_id, card in cards.items():
        if not isinstance(card, dict):
            problems.append(f"{question_id} = {card!r}")
            continue
        card = dict(card)
        for key, kind in (
            ("box", int),
            ("due", (int, float)),
            ("last", (int, float)),
            ("seen", int),
            ("got", int),
            ("partly", int),
            ("missed", int),
            ("rating", str),
        ):
            progress_store._typed(card, key, kind, question_id, problems)
        if card.get("rating", "got") not in RATINGS:
            problems.append(f"{question_id}.rating = {card.pop('rating')!r}")
        if not 1 <= card.get("box", 1) <= 5:
            problems.append(f"{question_id}.box = {card.pop('box')!r}")
        clean[question_id] = card
    return clean, problems


@dataclass
class Progress:
    """The learner's cards: ``{question_id: {box, due, seen, got, partly, missed, last, rating}}``."""

    path: Path
    cards: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> Progress:
        """The saved cards; a damaged file is kept aside and reported, never silently replaced."""
        path = path or progress_store.state_home() / FILE
        return cls(path, progress_store.load_state(path, "drill progress", _clean_cards))

    def save(self) -> None:
        progress_store.save_state(self.path, {"version": 1, "cards": self.cards}, "drill progress")

    def card(self, question_id: str) -> dict[str, Any]:
        return self.cards.get(question_id, {})

    def box(self, question_id: str) -> int:
        return int(self.card(question_id).get("box", 1))

    def record(self, question_id: str, rating: str, now: float | None = None, save: bool = True) -> dict[str, Any]:
        """Move the card by ``rating`` (got, partly, missed) and (by default) save at once."""
        if rating not in RATINGS:
            raise LabError(f"A rating is one of {', '.join(RATINGS)}, not {rating!r}.")
        now = time.time() if now is None else now
        card = self.cards.setdefault(question_id, {"box": 1, "seen": 0, "got": 0, "partly": 0, "missed": 0})
        box = int(card.get("box", 1))
        if rating == "got":
            box = min(box + 1, 5)
            due = now + BOX_INTERVALS[box]
        elif rating == "partly":
            due = now + PARTLY_DELAY
        else:
            box = 1
            due = now
        card.update(box=box, due=due, last=now, rating=rating, seen=int(card.get("seen", 0)) + 1)
        card[rating] = int(card.get(rating, 0)) + 1
        if save:
            self.save()
        return card

    def is_due(self, question_id: str, now: float) -> bool:
        card = self.card(question_id)
        return bool(card) and float(card.get("due", 0)) <= now

    def next_questions(self, questions: Sequence[Question], count: int, now: float | None = None) -> list[Question]:
        """Due cards first (oldest due, lowest box), then never-seen ones, modules and levels interleaved."""
        now = time.time() if now is None else now
        due = sorted(
            (q for q in questions if self.is_due(q.id, now)),
            key=lambda q: (float(self.card(q.id).get("due", 0)), self.box(q.id)),
        )
        new = interleave([q for q in questions if q.id not in self.cards])
        return (due + new)[: max(count, 0)]

    def next_due(self, questions: Iterable[Question]) -> float | None:
        dues = [float(self.card(q.id)["due"]) for q in questions if "due" in self.card(q.id)]
        return min(dues) if dues else None

    def stats(self, questions: Sequence[Question], now: float | None = None) -> list[dict[str, Any]]:
        """Where the learner stands by topic, in course order."""
        now = time.time() if now is None else now
        order = {m.id: i for i, m in enumerate(course.modules())}
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for q in sorted(questions, key=lambda q: order.get(q.module, 99)):
            row = rows.setdefault(
                (q.module, q.topic),
                {"module": q.module, "topic": q.topic, "questions": 0, "seen": 0, "mastered": 0, "due": 0, "score": []},
            )
            row["questions"] += 1
            card = self.card(q.id)
            if card:
                row["seen"] += 1
                row["mastered"] += self.box(q.id) >= 4
                row["due"] += self.is_due(q.id, now)
                row["score"].append(SCORES.get(card.get("rating", "missed"), 0.0))
        for row in rows.values():
            scores = row.pop("score")
            row["last score"] = round(100 * sum(scores) / len(scores)) if scores else None
        return list(rows.values())


def interleave(questions: Sequence[Question]) -> list[Question]:
    """New cards in a mixed order: one module after another (course order), and within each module the
    levels in turn, so a drill does not start with ten questions on one module's basics."""
    by_module: dict[str, list[Question]] = {}
    for q in questions:
        by_module.setdefault(q.module, []).append(q)
    queues = []
    for pool in by_module.values():
        levels = [[q for q in pool if q.level == level] for level in LEVELS]
        mixed = [q for group in itertools.zip_longest(*levels) for q in group if q is not None]
        queues.append(mixed)
    return [q for group in itertools.zip_longest(*queues) for q in group if q is not None]


# --- mock interviews: which questions ------------------------------------------------------------


def draw_mock(
    questions: Sequence[Question], count: int = 6, seed: int | None = None, kinds: Sequence[str] = ("recall",)
) -> list[Question]:
    """A mix by level for a mock interview: levels in turn (basic, intermediate, advanced), easy first.
    Recall questions only by default: an interviewer asks, the candidate answers in their own words."""
    rng = random.Random(seed)
    questions = [q for q in questions if q.kind in kinds] or list(questions)
    pools = {level: [q for q in questions if q.level == level] for level in LEVELS}
    for pool in pools.values():
        rng.shuffle(pool)
    drawn: list[Question] = []
    while len(drawn) < count and any(pools.values()):
        for level in LEVELS:
            if pools[level] and len(drawn) < count:
                drawn.append(pools[level].pop())
    order = {level: i for i, level in enumerate(LEVELS)}
    return sorted(drawn, key=lambda q: order[q.level])
