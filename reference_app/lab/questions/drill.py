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

The cards and their scheduling live in ``cards``, the answers and their points in ``scoring``; this
module is the terminal session and re-exports both, so ``drill.Progress`` and ``drill.score`` still work.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext

from rich.markup import escape

from .. import course
from ..errors import LabError
from . import grading, proofs
from . import markdown as md
from .bank import Question
from .cards import (
    BOX_INTERVALS,
    DAY,
    FILE,
    LABELS,
    PARTLY_DELAY,
    RATINGS,
    SCORES,
    Progress,
    draw_mock,
    interleave,
    rating_of,
)
from .scoring import BUDGETS, Answer, fmt_seconds, score, summary_rows

__all__ = [
    "BOX_INTERVALS",
    "BUDGETS",
    "DAY",
    "FILE",
    "LABELS",
    "PARTLY_DELAY",
    "RATINGS",
    "SCORES",
    "Answer",
    "Countdown",
    "LabError",
    "Progress",
    "Quit",
    "Session",
    "checklist",
    "draw_mock",
    "fmt_seconds",
    "interleave",
    "rating_of",
    "score",
    "summary_rows",
]

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
