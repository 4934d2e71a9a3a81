"""The notebook quiz (``lab.quiz("02_handler")``) and the mock interview (``lab.mock_interview()``).

Both are ipywidgets built from the question bank. A multiple-choice card checks the answer and shows
the explanation; a free-recall card lets the learner type (or just think), reveals the model answer
and key points, and asks for a self-rating. Every answer updates the score and is recorded in the
drill's spaced-repetition progress (``drill.json`` in the per-user home), so what is missed in a
notebook comes back sooner in ``lambda-lab drill``.

Nothing here waits for input: a cell that builds a quiz returns at once (nbval runs the notebooks
non-interactively), and the logic is testable by setting widget values and calling ``.click()``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from html import escape

import ipywidgets as w

from .. import course
from ..charts import altair, readable
from ..errors import LabError
from . import bank as bank_mod
from . import drill, grading, proofs
from . import markdown as md
from .bank import LEVELS, Question

_AUTO = {"layout": {"width": "auto"}}  # buttons as wide as their label
# ipywidgets' radio labels have a fixed one-line height: a long option wraps over the one below it,
# and a click on its radio lands on the next option. Each option is its own block here, as tall as
# its text, with the radio at its first line.
CHOICE_CLASS = "lambda-lab-choices"
CHOICE_CSS = f"""<style>
.{CHOICE_CLASS}, .{CHOICE_CLASS} .widget-radio-box, .{CHOICE_CLASS} .jupyter-widget-radio-box {{
  height: auto !important; overflow: visible !important; }}
.{CHOICE_CLASS} label {{ display: flex !important; align-items: flex-start; gap: 0.45em; height: auto !important;
  line-height: 1.35 !important; white-space: normal !important; overflow-wrap: anywhere;
  margin: 0 0 0.45em 0 !important; padding: 0.15em 0; }}
.{CHOICE_CLASS} label input[type="radio"] {{ flex: none; margin: 0.2em 0 0 0 !important; }}
</style>"""
_COLOURS = {"got": "#1a7f37", "partly": "#9a6700", "missed": "#cf222e"}


def _html(text: str) -> str:
    """Bank text (Markdown: `code`, **bold**) as HTML; raw HTML in it is shown as text."""
    return md.html(text)


def proof_link(q: Question) -> str:
    """Where the kit shows this answer live, as HTML: a link that opens the notebook, the section that
    holds the cell, the cell's tag and its first line (what Ctrl+F finds there; see :mod:`.proofs`)."""
    module = course.module(q.proof.module)
    if not module.written:
        return f"{escape(module.label)} (lesson coming soon), the cell tagged <code>{escape(q.proof.tag)}</code>"
    where = proofs.place(q)
    link = f'<a href="{escape(where.href)}" target="_blank">{escape(module.label)}</a>'
    if where.section:
        link += f", section “{escape(where.section)}”"
    text = f"{link}, the cell tagged <code>{escape(q.proof.tag)}</code>"
    if where.first_line:
        text += f" (it starts <code>{escape(where.first_line)}</code>: Ctrl+F finds it)"
    return text


def checklist_html(result: grading.Grade | None) -> str:
    """The typed answer against the key points: ✓ hit, ✗ contradicted (and where), · not found."""
    if result is None:
        return ""
    rows = []
    for point in result.points:
        if point.hit:
            rows.append(f"<li style='color:#1a7f37'>✓ {_html(point.point)}</li>")
        elif point.problem:
            rows.append(
                f"<li style='color:#cf222e'>✗ {_html(point.point)} <i>({point.problem}: "
                f"“{_html(point.evidence or '')}”)</i></li>"
            )
        else:
            rows.append(f"<li style='color:#57606a'>· {_html(point.point)} <i>(not in your answer)</i></li>")
    return (
        f"<p><b>Your answer against the key points</b> ({result.hits} of {len(result.points)})</p>"
        f"<ul style='list-style:none;padding-left:0.5em'>{''.join(rows)}</ul>"
    )


def answer_html(q: Question) -> str:
    parts = [f"<p>{_html(q.model_answer)}</p>", "<p><b>An interviewer listens for</b></p><ul>"]
    parts += [f"<li>{_html(p)}</li>" for p in q.key_points]
    parts.append("</ul>")
    if q.common_wrong_answer:
        parts.append(f"<p><i>Common wrong answer:</i> {_html(q.common_wrong_answer)}</p>")
    if q.seed_corrections:
        parts.append("<p><i>Where the seed is wrong today:</i></p><ul>")
        parts += [f"<li>{_html(c)}</li>" for c in q.seed_corrections]
        parts.append("</ul>")
    sources = ", ".join(f'<a href="{escape(s)}" target="_blank">{escape(s.split("/")[-1] or s)}</a>' for s in q.sources)
    parts.append(f"<p style='font-size:small'>Seen live in {proof_link(q)}. Sources: {sources}</p>")
    return "".join(parts)


def why_html(q: Question, picked: int | None) -> str:
    """After a choice is checked: why the picked option is wrong, then why each other distractor is."""
    rows = []
    for index, text in enumerate(q.choices):
        why = q.why_wrong(index)
        if index == q.answer or not why:
            continue
        mark = " <i>(your answer)</i>" if index == picked else ""
        rows.append((index != picked, f"<li>{_html(text)}{mark}: {_html(why)}</li>"))
    if not rows:
        return ""
    items = "".join(row for _, row in sorted(rows, key=lambda r: r[0]))  # the picked one first
    return f"<p><b>Why the others are wrong</b></p><ul>{items}</ul>"


class Card:
    """One question's widgets; calls ``on_rated(question, rating)`` once it is answered."""

    def __init__(
        self, q: Question, number: int, on_rated: Callable[[Question, str], None], rng: random.Random | None = None
    ):
        self.question = q
        self.on_rated = on_rated
        self.rating: str | None = None
        where = f"{course.module(q.module).label} · {q.topic} · {q.level}"
        title = w.HTML(f"<b>{number}. {_html(q.question)}</b><br><small style='color:#57606a'>{escape(where)}</small>")
        self.feedback = w.HTML()
        if q.is_choice:
            self.order = q.choice_order(rng or random.Random())  # a fresh order each time it is shown
            self.choices = w.RadioButtons(
                options=[(q.choices[i], i) for i in self.order], value=None, layout=w.Layout(width="100%")
            )
            self.choices.add_class(CHOICE_CLASS)
            self.check = w.Button(description="Check answer", button_style="primary", **_AUTO)
            self.check.on_click(self._on_check)
            body = [self.choices, self.check]
        else:
            self.text = w.Textarea(
                placeholder="Type your answer, or just think it through.", layout=w.Layout(width="100%", height="5em")
            )
            self.reveal = w.Button(description="Reveal model answer", button_style="primary", **_AUTO)
            self.reveal.on_click(self._on_reveal)
            self.rate_buttons = {
                rating: w.Button(
                    description=drill.LABELS[rating].capitalize(),
                    disabled=True,
                    button_style={"got": "success", "partly": "warning", "missed": "danger"}[rating],
                )
                for rating in drill.RATINGS
            }
            for rating, button in self.rate_buttons.items():
                button.on_click(lambda _b, r=rating: self._on_rate(r))
            self.grade: grading.Grade | None = None
            self.rate_label = w.HTML("Rate yourself:")
            self.rate_row = w.HBox([self.rate_label, *self.rate_buttons.values()])
            self.rate_row.layout.display = "none"
            body = [self.text, self.reveal, self.rate_row]
        self.box = w.VBox(
            [title, *body, self.feedback], layout=w.Layout(border="1px solid #d0d7de", padding="8px", margin="6px 0")
        )

    # multiple choice
    def _on_check(self, _button=None) -> None:
        if self.choices.value is None:
            self.feedback.value = "<i>Pick an answer first.</i>"
            return
        picked = self.choices.value
        correct = picked == self.question.answer
        verdict = (
            "<b style='color:#1a7f37'>✓ Correct.</b>"
            if correct
            else f"<b style='color:#cf222e'>✗ The answer is: {_html(self.question.correct_choice or '')}</b>"
        )
        self.feedback.value = verdict + why_html(self.question, picked) + answer_html(self.question)
        self.choices.disabled = self.check.disabled = True
        self._rated(drill.rating_of(correct))

    # free recall
    def _on_reveal(self, _button=None) -> None:
        if self.reveal.disabled:  # a second click, already on its way: reveal once
            return
        typed = self.text.value
        self.grade = grading.grade(self.question, typed) if typed.strip() else None
        self.feedback.value = checklist_html(self.grade) + answer_html(self.question)
        self.reveal.disabled = self.text.disabled = True
        if self.grade is not None:
            suggested = self.grade.verdict
            self.rate_label.value = (
                f"From the key points: <b>{drill.LABELS[suggested]}</b> "
                f"({self.grade.hits} of {len(self.grade.points)}). Confirm or change:"
            )
            self.rate_buttons[suggested].icon = "check"
        self.rate_row.layout.display = "flex"
        for button in self.rate_buttons.values():
            button.disabled = False

    def _on_rate(self, rating: str) -> None:
        for button in self.rate_buttons.values():
            button.disabled = True
        self.rate_row.children = (w.HTML(f"<b style='color:{_COLOURS[rating]}'>You rated: {drill.LABELS[rating]}</b>"),)
        self._rated(rating)

    def _rated(self, rating: str) -> None:
        if self.rating is None:
            self.rating = rating
            self.on_rated(self.question, rating)


class Quiz:
    """A list of cards with a running score; display it by leaving it last in a cell."""

    def __init__(
        self, questions: Sequence[Question], title: str = "Quiz", record: bool = True, rng: random.Random | None = None
    ):
        if not questions:
            raise LabError("This quiz has no questions; check the module, level and topic.")
        self.questions = tuple(questions)
        self.record = record
        self.results: dict[str, str] = {}
        self._boards: list[w.HTML] = []
        self.score_html = w.HTML()
        rng = rng or random.Random()
        self.cards = [Card(q, i, self._on_rated, rng) for i, q in enumerate(self.questions, 1)]
        self.widget = w.VBox(
            [w.HTML(CHOICE_CSS + f"<h3>{escape(title)}</h3>"), self.score_html, *(c.box for c in self.cards)]
        )
        self._update_score()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def _on_rated(self, q: Question, rating: str) -> None:
        self.results[q.id] = rating
        if self.record:
            drill.Progress.load().record(q.id, rating)
        self._update_score()

    def _update_score(self) -> None:
        points, answered = self.points()
        total = len(self.questions)
        pct = f" ({round(100 * points / answered)}%)" if answered else ""
        self.score_html.value = f"<b>Score: {points:g} / {answered} answered{pct} · {total - answered} to go</b>"
        board = self.scoreboard_html()
        for panel in self._boards:  # every scoreboard shown follows each answer as it arrives
            panel.value = board

    def points(self) -> tuple[float, int]:
        return sum(drill.SCORES[r] for r in self.results.values()), len(self.results)

    def answered(self) -> list[tuple[Question, str]]:
        return [(q, self.results[q.id]) for q in self.questions if q.id in self.results]

    def missed(self) -> list[Question]:
        """Questions rated missed or partly, in quiz order."""
        return [q for q, rating in self.answered() if rating != "got"]

    def scores(self):
        """Score (percent) by topic and by level for the answered questions, as two DataFrames."""
        import pandas as pd

        rows = [{"topic": q.topic, "level": q.level, "score": 100 * drill.SCORES[r]} for q, r in self.answered()]
        frame = pd.DataFrame(rows, columns=["topic", "level", "score"])
        by_topic = frame.groupby("topic")["score"].mean().round(0) if rows else pd.Series(dtype=float)
        by_level = (
            frame.groupby("level")["score"].mean().reindex(LEVELS).dropna().round(0) if rows else pd.Series(dtype=float)
        )
        return by_topic, by_level

    def plot(self):
        """An Altair chart: score by topic and by level, side by side (an empty panel says so)."""
        alt = altair()
        by_topic, by_level = self.scores()
        panels = []
        for series, name, width in ((by_topic, "topic", 480), (by_level, "level", 160)):
            title = f"score by {name} (%)"
            if series.empty:
                panel = (
                    alt.Chart(alt.Data(values=[{"text": "no answers yet"}]), title=title, width=width, height=220)
                    .mark_text(color="#57606a")
                    .encode(text="text:N")
                )
            else:
                rows = [{name: key, "score": value} for key, value in series.items()]
                panel = (
                    alt.Chart(alt.Data(values=rows), title=title, width=width, height=220)
                    .mark_bar(color="#0969da")
                    .encode(
                        x=alt.X(f"{name}:N", sort=list(series.index), title=None, axis=alt.Axis(labelAngle=-45)),
                        y=alt.Y("score:Q", title="%", scale=alt.Scale(domain=[0, 100])),
                        tooltip=[f"{name}:N", "score:Q"],
                    )
                )
            panels.append(panel)
        return readable(alt.hconcat(*panels))

    def missed_html(self) -> str:
        missed = self.missed()
        if not missed:
            return "<p>Nothing missed so far.</p>" if self.results else "<p>No answers yet.</p>"
        items = "".join(
            f"<li><b>{escape(q.id)}</b> ({drill.LABELS[self.results[q.id]]}): {_html(q.question)}<br>"
            f"<small>Proof: {proof_link(q)}</small></li>"
            for q in missed
        )
        return f"<p>To review (they come back first in <code>lambda-lab drill</code>):</p><ul>{items}</ul>"

    def scoreboard_html(self) -> str:
        """Score by topic and by level as bars, then what to review with links to the proofs."""
        answered = self.answered()
        if not answered:
            return "<p><b>Where you stand</b>: no answers yet. This panel fills in as you answer the quiz above.</p>"

        def bars(key: str, order: Sequence[str] | None = None) -> str:
            groups: dict[str, list[float]] = {}
            for q, rating in answered:
                groups.setdefault(getattr(q, key), []).append(drill.SCORES[rating])
            names = [n for n in order if n in groups] if order else sorted(groups)
            rows = []
            for name in names:
                pct = round(100 * sum(groups[name]) / len(groups[name]))
                bar = f"<div style='background:#0969da;height:0.8em;width:{pct}%;min-width:2px'></div>"
                rows.append(
                    f"<tr><td>{escape(name)}</td><td style='width:12em'>{bar}</td>"
                    f"<td>{pct}% ({len(groups[name])})</td></tr>"
                )
            return f"<table><tr><th>{key}</th><th></th><th>score</th></tr>{''.join(rows)}</table>"

        points, count = self.points()
        head = f"<p><b>Where you stand</b>: {round(100 * points / count)}% over {count} answered.</p>"
        tables = f"<div style='display:flex;gap:2em;flex-wrap:wrap'>{bars('topic')}{bars('level', LEVELS)}</div>"
        return head + tables + self.missed_html()

    def scoreboard(self) -> w.HTML:
        """A live panel: score by topic and level and what to review, with links to the proofs.

        It is plain HTML that each answer rewrites (no Output widget, no plot): building it waits on
        nothing (an Output widget flushes stdout and stderr on entry and exit, and ipykernel's flush
        waits up to 10 s each for the IOPub thread, which a busy headless run can take)."""
        panel = w.HTML(self.scoreboard_html())
        self._boards.append(panel)
        return panel


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
    """An ipywidgets quiz over the bank: a module's questions, or a mix (``count``, ``shuffle``)."""
    questions = list(bank_mod.load().select(module=module, level=level, topic=topic))
    if shuffle:
        random.Random(seed).shuffle(questions)
    if count is not None:
        questions = questions[:count]
    title = f"Quiz · {course.module(module).label}" if module else "Quiz · the whole course"
    if record:
        drill.Progress.load()  # a damaged progress file is kept aside and reported here, in the cell's output
    return Quiz(questions, title, record=record, rng=random.Random(seed))
