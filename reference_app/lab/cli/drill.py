"""``lambda-lab drill``: the question bank in a terminal, with spaced repetition.

Free recall by default (think, press Enter, read the model answer, rate yourself), multiple choice
where a question has choices. ``--stats`` shows where you stand by topic, ``--mock`` runs a timed mock
interview, ``--anki FILE`` exports the bank as an Anki deck. Input is read a line at a time, so the
drill works in any terminal and from a pipe.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import LabError
from ..questions import anki as anki_mod
from .base import app, friendly, lazy_module, out

if TYPE_CHECKING:
    from ..questions.drill import Progress

bank_mod = lazy_module("reference_app.lab.questions.bank")
engine = lazy_module("reference_app.lab.questions.drill")
proofs = lazy_module("reference_app.lab.questions.proofs")


def _ask(prompt: str) -> str | None:
    try:
        line = input(prompt)
    except EOFError:
        return None
    if not sys.stdin.isatty():
        print(line)  # piped input is not echoed: keep the transcript readable
    return line


def _show(text: str) -> None:
    out.print(text, highlight=False)


@app.command()
@friendly
def drill(
    level: Annotated[str | None, typer.Option("--level", "-l", help="basic, intermediate or advanced.")] = None,
    topic: Annotated[str | None, typer.Option("--topic", "-t", help="One topic, e.g. cold-starts.")] = None,
    module: Annotated[str | None, typer.Option("--module", "-m", help="One module, e.g. 02_handler.")] = None,
    count: Annotated[
        int | None, typer.Option("--count", "-n", min=1, help="How many questions (10; 6 with --mock).")
    ] = None,
    stats: Annotated[bool, typer.Option("--stats", help="Show where you stand by topic, then stop.")] = False,
    mock: Annotated[
        bool, typer.Option("--mock", help="A timed mock interview: a mix by level, a clock per question.")
    ] = False,
    anki: Annotated[
        Path | None, typer.Option("--anki", help="Export the bank to this Anki deck (.apkg), then stop.")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Repeatable draw for --mock and order of the choices.")
    ] = None,
) -> None:
    """Drill the interview questions; what you miss comes back sooner."""
    if sum(map(bool, (stats, mock, anki))) > 1:
        raise LabError("Choose one of --stats, --mock and --anki.")
    bank = bank_mod.load()
    questions = bank.select(module=module, level=level, topic=topic)
    if not questions:
        raise LabError("No question matches those filters; try fewer of --level, --topic and --module.")
    if anki is not None:
        written = anki_mod.export(anki, questions)
        out.print(f"Wrote {written} cards to {anki} (File > Import in Anki).")
        return
    progress = engine.Progress.load()
    if stats:
        _print_stats(progress, questions)
        return
    tty = sys.stdin.isatty() and sys.stdout.isatty()
    countdown = (lambda budget: engine.Countdown(sys.stdout, budget)) if tty else None
    session = engine.Session(progress, _show, _ask, rng=random.Random(seed), countdown=countdown)
    if mock:
        drawn = engine.draw_mock(questions, count or 6, seed)
        out.print(
            f"[bold]Mock interview:[/] {len(drawn)} questions, easy to hard, a countdown on each; type each "
            "answer in one line, it is scored against the key points. q stops."
        )
        _run(session, drawn, mock=True)
        _print_mock_summary(session.answers)
        return
    picked = progress.next_questions(questions, count or 10)
    if not picked:
        when = progress.next_due(questions)
        later = time.strftime("%Y-%m-%d %H:%M", time.localtime(when)) if when else "later"
        out.print(f"Nothing is due: you are up to date. The next card comes back {later}.")
        return
    out.print(f"[bold]Drill:[/] {len(picked)} questions (due ones first). q stops; progress is saved after each.")
    _run(session, picked)
    _print_drill_summary(session.answers, progress, questions)


def _run(session, questions, mock: bool = False) -> None:
    """Run the session; Ctrl-C stops it like q (what was answered is already saved)."""
    try:
        session.run(questions, mock=mock)
    except KeyboardInterrupt:
        out.print("\n[dim]Stopped (Ctrl-C).[/]")
    out.print(f"[dim]{len(session.answers)} answer(s) saved in {session.progress.path}.[/]")


def _print_drill_summary(answers, progress: Progress, questions) -> None:
    if not answers:
        return
    counts = {r: sum(a.rating == r for a in answers) for r in engine.RATINGS}
    out.print(
        f"\n[bold]Done:[/] {len(answers)} answered · got it {counts['got']} · partly {counts['partly']} · "
        f"missed {counts['missed']} · score {engine.score(answers)}%"
    )
    missed = [a.question for a in answers if a.rating == "missed"]
    if missed:
        out.print("Missed (due again now); each is shown live in a lesson:")
        for q in missed:
            out.print(f"  • {escape(q.id)}: {escape(proofs.place(q).describe())}", soft_wrap=True, highlight=False)


def _print_mock_summary(answers) -> None:
    table = Table(title="Mock interview summary")
    for column in ("#", "level", "topic", "question", "time", "budget", "key points", "scored", "points"):
        table.add_column(column)
    for number, row in enumerate(engine.summary_rows(answers), 1):
        time_cell = f"[red]{row['time']}[/]" if row["over"] else row["time"]
        table.add_row(
            str(number),
            row["level"],
            row["topic"],
            escape(row["question"]),
            time_cell,
            row["budget"],
            row["key points"],
            row["rating"],
            f"{row['points']:g}",
        )
    out.print(table)
    if not answers:
        out.print("No answers given.")
        return
    review = [a for a in answers if a.points < 1]
    if review:
        out.print("[bold]To review[/] (they come back first in `lambda-lab drill`):")
        for a in review:
            late = ", over time" if a.over_time else ""
            out.print(
                f"  • {escape(a.question.id)} ({engine.LABELS[a.rating]}{late}): seen live in "
                f"{escape(proofs.place(a.question).describe())}",
                soft_wrap=True,
                highlight=False,
            )
    over = sum(a.over_time for a in answers)
    by_level = []
    for level in bank_mod.LEVELS:
        subset = [a for a in answers if a.question.level == level]
        if subset:
            by_level.append(f"{level} {engine.score(subset)}%")
    out.print(
        f"[bold]Score {engine.score(answers)}%[/] over {len(answers)} questions ({', '.join(by_level)}); "
        f"{over} over time."
    )


def _print_stats(progress: Progress, questions) -> None:
    table = Table(title="Where you stand, by topic")
    for column in ("module", "topic", "questions", "seen", "mastered", "due now", "last score"):
        table.add_column(column)
    for row in progress.stats(questions):
        score = "-" if row["last score"] is None else f"{row['last score']}%"
        table.add_row(
            row["module"],
            row["topic"],
            str(row["questions"]),
            str(row["seen"]),
            str(row["mastered"]),
            str(row["due"]),
            score,
        )
    out.print(table)
    seen = sum(1 for q in questions if progress.card(q.id))
    out.print(f"{seen} of {len(questions)} questions seen; mastered means box 4 or 5 (answered right several times).")
