"""The drill's engine: Leitner boxes over the question bank, progress in the per-user home,
and the terminal session behind ``lambda-lab drill`` (free recall, multiple choice, mock interview).

Spaced repetition (Leitner boxes). Every question is a card in box 1 to 5. Rating a card:

* **got it**: it moves up a box and comes back after that box's interval (1, 3, 7, then 21 days);
* **partly**: it stays in its box and comes back in 10 minutes;
* **missed**: it drops to box 1 and is due again at once.

A drill asks the cards that are due first (oldest due first, lowest box first), then cards never
seen, in bank order; cards rated "got it" recently are left alone. Progress is kept in
``lab_home()/drill.json``, written atomically, so it survives restarts; the notebook quiz writes to
the same file.

The terminal session reads whole lines (``input()``), never raw keys, so it works in any terminal,
without a mouse, and from a pipe: ``printf '\\n g\\n' | lambda-lab drill --count 1``.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.markup import escape

from .. import course, progress_store
from ..errors import LabError
from . import grading, proofs
from . import markdown as md
from .bank import LEVELS, Question

FILE = "drill.json"
DAY = 86_400
BOX_INTERVALS = {1: 0, 2: 1 * DAY, 3: 3 * DAY, 4: 7 * DAY, 5: 21 * DAY}
PARTLY_DELAY = 600
RATINGS = ("got", "partly", "missed")
SCORES = {"got": 1.0, "partly": 0.5, "missed": 0.0}
LABELS = {"got": "got it", "partly": "partly", "missed": "missed"}
# Seconds a candidate gets per question in a mock interview, by level.
BUDGETS = {"basic": 90, "intermediate": 180, "advanced": 300}


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


# --- mock interviews --------------------------------------------------------------------------


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


def fmt_seconds(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


# --- the terminal session ------------------------------------------------------------------------


class Countdown:
    """While the candidate types, rewrite the line above the prompt once a second: "⏱ 1:23 left", then
    "⏱ 0:12 over time" (ANSI: save the cursor, go up a line, rewrite it, restore the cursor). For a
    terminal only; a pipe gets the static budget line."""

    def __init__(self, stream, budget: int, clock: Callable[[], float] = time.monotonic, interval: float = 1.0):
        self.stream, self.budget, self.clock, self.interval = stream, budget, clock, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start = 0.0

    def frame(self) -> str:
        left = self.budget - (self.clock() - self._start)
        text = f"⏱ {fmt_seconds(left)} left" if left >= 0 else f"⏱ {fmt_seconds(-left)} over time"
        colour = "33" if left >= 0 else "31"
        return f"\x1b7\x1b[1A\r\x1b[2K\x1b[{colour}m{text}\x1b[0m\x1b8"

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.stream.write(self.frame())
                self.stream.flush()
            except (OSError, ValueError):
                return

    def __enter__(self) -> Countdown:
        self._start = self.clock()
        self._thread = threading.Thread(target=self._run, name="drill-countdown", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)


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


class Quit(Exception):
    """The learner typed q, or the input ended."""


class Session:
    """One drill in a terminal: ``show`` prints (rich markup), ``ask`` reads one line (None at EOF)."""

    def __init__(
        self,
        progress: Progress,
        show: Callable[[str], None],
        ask: Callable[[str], str | None],
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        countdown: Callable[[int], AbstractContextManager] | None = None,
    ):
        self.progress = progress
        self.rng = rng or random.Random()
        self.countdown = countdown or (lambda _budget: nullcontext())
        self.show = show
        self._ask = ask
        self.clock = clock
        self.answers: list[Answer] = []

    def ask(self, prompt: str) -> str:
        line = self._ask(prompt)
        if line is None or line.strip().lower() in ("q", "quit", "exit"):
            raise Quit
        return line.strip()

    def run(self, questions: Sequence[Question], mock: bool = False) -> list[Answer]:
        for number, q in enumerate(questions, 1):
            try:
                answer = self.one(q, number, len(questions), mock)
            except Quit:
                self.show("[dim]Stopped; your progress is saved.[/]")
                break
            self.progress.record(q.id, answer.rating)
            self.answers.append(answer)
        return self.answers

    def one(self, q: Question, number: int, total: int, mock: bool) -> Answer:
        where = f"{course.module(q.module).label} · {q.topic} · {q.level}"
        self.show(f"\n[bold]Question {number} of {total}[/]  [dim]{where}[/]")
        self.show(md.rich(q.question))
        if mock:  # the line just above the prompt: a terminal countdown rewrites it every second
            self.show(f"[yellow]⏱ {fmt_seconds(BUDGETS[q.level])} for this answer; the clock starts now.[/]")
        start = self.clock()
        if q.is_choice:
            rating = self._choice(q)
            return Answer(q, rating, self.clock() - start, timed=mock)
        prompt = (
            "Your answer, in one line (it is scored against the key points): "
            if mock
            else "Type your answer in one line and press Enter (Enter alone: just reveal): "
        )
        if mock:
            with self.countdown(BUDGETS[q.level]):
                typed = self.ask(prompt)
        else:
            typed = self.ask(prompt)
        seconds = self.clock() - start
        result = grading.grade(q, typed) if typed.strip() else None
        self._reveal(q, seconds if mock else None, result)
        if mock:  # scored from the key points, not from a self-rating
            rating = result.verdict if result else "missed"
            self.show(
                f"Scored from the key points: [bold]{LABELS[rating]}[/]"
                + (f" ({result.hits} of {len(result.points)})" if result else " (no answer typed)")
            )
        else:
            rating = self._rate(result.verdict if result else None)
        return Answer(q, rating, seconds, result, timed=mock)

    def _choice(self, q: Question) -> str:
        order = q.choice_order(self.rng)  # a fresh order every time: position gives nothing away
        for number, index in enumerate(order, 1):
            self.show(f"  {number}) {md.rich(q.choices[index])}")
        while True:
            line = self.ask(f"Your answer (1-{len(order)}): ")
            if line.isdigit() and 1 <= int(line) <= len(order):
                break
            self.show(f"[dim]Type a number from 1 to {len(order)} (q to stop).[/]")
        picked = order[int(line) - 1]
        correct = picked == q.answer
        if correct:
            self.show("[green]✓ Correct.[/]")
        else:
            shown = order.index(q.answer_index) + 1
            self.show(f"[red]✗ The answer is {shown}) {md.rich(q.correct_choice or '')}[/]")
            why = q.why_wrong(picked)
            if why:
                self.show(f"[dim]Why {line}) is wrong:[/] {md.rich(why)}")
        self.show(md.rich(q.model_answer))
        return rating_of(correct)

    def _reveal(self, q: Question, seconds: float | None, result: grading.Grade | None = None) -> None:
        if seconds is not None:
            budget = BUDGETS[q.level]
            over = seconds > budget
            note = f"over by {fmt_seconds(seconds - budget)}" if over else "within time"
            self.show(f"[{'red' if over else 'green'}]⏱ {fmt_seconds(seconds)} ({note})[/]")
        self.show("[bold]Model answer[/]")
        self.show(md.rich(q.model_answer))
        if result is None:
            self.show("[bold]An interviewer listens for[/]")
            for point in q.key_points:
                self.show(f"  • {md.rich(point)}")
        else:
            self.show(f"[bold]Your answer against the key points[/] ({result.hits} of {len(result.points)})")
            for line in checklist(result):
                self.show(line)
        if q.common_wrong_answer:
            self.show(f"[dim]Common wrong answer: {md.rich(q.common_wrong_answer)}[/]")
        for correction in q.seed_corrections:
            self.show(f"[dim]Where the seed is wrong: {md.rich(correction)}[/]")
        self.show(f"[dim]Seen live in {md.rich(proofs.place(q).describe())} (cell tagged {q.proof.tag}).[/]")

    def _rate(self, suggested: str | None = None) -> str:
        keys = {
            "g": "got",
            "got": "got",
            "y": "got",
            "p": "partly",
            "partly": "partly",
            "m": "missed",
            "missed": "missed",
            "n": "missed",
        }
        default = f" (Enter: {LABELS[suggested]}, from the key points)" if suggested else ""
        while True:
            line = self.ask(f"How did you do? [g] got it  [p] partly  [m] missed{default}: ").lower()
            if not line and suggested:
                return suggested
            if line in keys:
                return keys[line]
            self.show("[dim]Type g, p or m (q to stop).[/]")


def checklist(result: grading.Grade) -> list[str]:
    """The key points as rich lines: ✓ hit (with the words that made it), ✗ contradicted, · missing."""
    lines = []
    for point in result.points:
        if point.hit:
            lines.append(f"  [green]✓[/] {md.rich(point.point)}")
        elif point.problem:
            said = escape(point.evidence or "")
            lines.append(f"  [red]✗ {md.rich(point.point)}  ({point.problem}: “{said}”)[/]")
        else:
            lines.append(f"  [dim]·[/] {md.rich(point.point)}  [dim](not in your answer)[/]")
    return lines


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
