"""The notebook's mock interview (``lab.mock_interview()``): one question at a time, a countdown, a typed
answer scored against the key points, and a summary of what to review with links to the proofs.

Each question goes ready -> asking -> answered, and every button checks that state for the question on
screen: a double click (both clicks reach the kernel before the first disables the button) cannot
start a clock twice, reveal twice, skip a question, or record an answer to a question never shown.

The countdown runs in the browser: a Play widget ticks once a second (it drives a progress bar through
a front-end link) and each tick updates the time left; nothing in the kernel waits or sleeps, so a cell
that builds the interview returns at once.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from html import escape

import ipywidgets as w

from .. import course
from ..errors import LabError
from . import bank as bank_mod
from . import drill, grading
from .bank import Question
from .widget import _AUTO, CHOICE_CLASS, CHOICE_CSS, _html, answer_html, checklist_html, proof_link, why_html

READY, ASKING, ANSWERED = "ready", "asking", "answered"


class MockInterview:
    """A timed mock interview: Start, answer (typed; scored from the key points), Next."""

    def __init__(
        self,
        questions: Sequence[Question],
        clock: Callable[[], float] = time.monotonic,
        record: bool = True,
        rng: random.Random | None = None,
    ):
        if not questions:
            raise LabError("A mock interview needs at least one question.")
        self.questions = tuple(questions)
        self.clock = clock
        self.record = record
        self.rng = rng or random.Random()
        self.answers: list[drill.Answer] = []
        self.state: dict[str, str] = {}  # question id -> ready | asking | answered
        self.index = 0
        self.started: float | None = None
        self.header = w.HTML()
        self.body = w.HTML()
        self.text = w.Textarea(
            placeholder="Answer as you would out loud; it is scored against the key points.",
            layout=w.Layout(width="100%", height="7em", display="none"),
        )
        self.choices = w.RadioButtons(options=[], value=None, layout=w.Layout(width="100%", display="none"))
        self.choices.add_class(CHOICE_CLASS)
        self.timer = w.Play(
            value=0, min=0, max=3600, step=1, interval=1000, show_repeat=False, layout=w.Layout(display="none")
        )
        self.bar = w.IntProgress(value=0, min=0, max=1, bar_style="info", layout=w.Layout(width="16em"))
        w.jslink((self.timer, "value"), (self.bar, "value"))  # the bar moves in the browser, kernel or not
        self.time_left = w.HTML()
        self.timer.observe(self._on_tick, names="value")
        self.start_button = w.Button(description="Start the clock", button_style="primary", **_AUTO)
        self.submit_button = w.Button(description="Submit my answer", button_style="success", disabled=True, **_AUTO)
        self.next_button = w.Button(description="Next question", disabled=True, **_AUTO)
        self.start_button.on_click(lambda _b: self._on_start())
        self.submit_button.on_click(lambda _b: self._on_submit())
        self.next_button.on_click(lambda _b: self._on_next())
        self.feedback = w.HTML()
        self.summary = w.HTML()
        self.widget = w.VBox(
            [
                w.HTML(CHOICE_CSS),
                self.header,
                w.HBox([self.timer, self.bar, self.time_left]),
                self.body,
                self.text,
                self.choices,
                w.HBox([self.start_button, self.submit_button, self.next_button]),
                self.feedback,
                self.summary,
            ]
        )
        self._show_question()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    @property
    def current(self) -> Question | None:
        return self.questions[self.index] if self.index < len(self.questions) else None

    def _in(self, phase: str) -> Question | None:
        """The question on screen, if it is in ``phase`` (else None: a late or repeated click)."""
        q = self.current
        return q if q is not None and self.state.get(q.id) == phase else None

    # --- the countdown ---------------------------------------------------------------------------

    def _budget(self) -> int:
        q = self.current
        return drill.BUDGETS[q.level] if q else 0

    def _on_tick(self, change) -> None:
        if self._in(ASKING) is not None:
            self._show_time_left(float(change["new"]))

    def _show_time_left(self, elapsed: float) -> None:
        left = self._budget() - elapsed
        if left >= 0:
            self.time_left.value = f"<b>⏱ {drill.fmt_seconds(left)} left</b>"
        else:
            self.bar.bar_style = "danger"
            self.time_left.value = f"<b style='color:#cf222e'>⏱ {drill.fmt_seconds(-left)} over time</b>"

    # --- one question --------------------------------------------------------------------------

    def _show_question(self) -> None:
        q = self.current
        self.feedback.value = ""
        if q is None:
            self.header.value = "<h3>Mock interview finished</h3>"
            self.body.value = ""
            self.text.layout.display = self.choices.layout.display = "none"
            self.start_button.disabled = self.submit_button.disabled = self.next_button.disabled = True
            self.timer.playing = False
            self.summary.value = self.summary_html()
            return
        self.state[q.id] = READY
        budget = drill.BUDGETS[q.level]
        where = f"{escape(course.module(q.module).label)} · {escape(q.topic)}"
        self.header.value = (
            f"<h3>Question {self.index + 1} of {len(self.questions)} · {q.level} · "
            f"⏱ {drill.fmt_seconds(budget)}</h3><small>{where}</small>"
        )
        self.body.value = "<i>Press Start: the question appears and the clock runs.</i>"
        self.timer.playing = False
        self.timer.value = 0
        self.bar.max, self.bar.value, self.bar.bar_style = budget, 0, "info"
        self.time_left.value = f"⏱ {drill.fmt_seconds(budget)}"
        self.text.value = ""
        self.text.disabled = self.choices.disabled = False
        self.text.layout.display = self.choices.layout.display = "none"
        self.start_button.disabled, self.submit_button.disabled, self.next_button.disabled = False, True, True

    def _on_start(self) -> None:
        q = self._in(READY)
        if q is None:
            return
        self.state[q.id] = ASKING
        self.started = self.clock()
        self.body.value = f"<p><b>{_html(q.question)}</b></p>"
        if q.is_choice:
            order = q.choice_order(self.rng)
            self.choices.options = [(q.choices[i], i) for i in order]
            self.choices.value = None
            self.choices.layout.display = "flex"
        else:
            self.text.layout.display = "flex"
        self.start_button.disabled, self.submit_button.disabled = True, False
        self.timer.playing = True

    def _on_submit(self) -> None:
        q = self._in(ASKING)
        if q is None or self.started is None:
            return
        if q.is_choice and self.choices.value is None:
            self.feedback.value = "<i>Pick an answer first.</i>"
            return
        self.state[q.id] = ANSWERED
        self.timer.playing = False
        seconds = self.clock() - self.started
        result = None
        if q.is_choice:
            correct = self.choices.value == q.answer
            rating = drill.rating_of(correct)
            verdict = (
                "<b style='color:#1a7f37'>✓ Correct.</b>"
                if correct
                else f"<b style='color:#cf222e'>✗ The answer is: {_html(q.correct_choice or '')}</b>"
            )
            detail = verdict + why_html(q, self.choices.value)
        else:
            typed = self.text.value
            result = grading.grade(q, typed) if typed.strip() else None
            rating = result.verdict if result else "missed"
            detail = checklist_html(result) if result else "<p><i>No answer typed: scored as missed.</i></p>"
        answer = drill.Answer(q, rating, seconds, result, timed=True)
        self.answers.append(answer)
        if self.record:
            drill.Progress.load().record(q.id, rating)
        budget = drill.BUDGETS[q.level]
        over = seconds > budget
        late = f" (over time: its points count {answer.time_factor:.0%})" if over else ""
        clock = (
            f"<p style='color:{'#cf222e' if over else '#1a7f37'}'>⏱ {drill.fmt_seconds(seconds)} of "
            f"{drill.fmt_seconds(budget)}{late} · scored <b>{drill.LABELS[rating]}</b></p>"
        )
        self.feedback.value = clock + detail + answer_html(q)
        self.text.disabled = self.choices.disabled = True
        self.submit_button.disabled = True
        last = self.index == len(self.questions) - 1
        self.next_button.description = "See the summary" if last else "Next question"
        self.next_button.disabled = False

    def _on_next(self) -> None:
        if self._in(ANSWERED) is None:
            return
        self.index += 1
        self.started = None
        self._show_question()

    # --- the end -------------------------------------------------------------------------------

    def summary_html(self) -> str:
        rows = "".join(
            f"<tr><td>{escape(r['question'])}</td><td>{r['level']}</td><td>{r['time']} / {r['budget']}"
            f"{' ⚠' if r['over'] else ''}</td><td>{r['key points']}</td><td>{r['rating']}</td>"
            f"<td>{r['points']:g}</td></tr>"
            for r in drill.summary_rows(self.answers)
        )
        over = sum(a.over_time for a in self.answers)
        headline = f"Score {drill.score(self.answers)}%</b> over {len(self.answers)} questions; {over} over time."
        review = [a for a in self.answers if a.points < 1]
        items = "".join(
            f"<li><b>{escape(a.question.id)}</b> ({drill.LABELS[a.rating]}"
            f"{', over time' if a.over_time else ''}): {_html(a.question.question)}<br>"
            f"<small>Proof: {proof_link(a.question)}</small></li>"
            for a in review
        )
        to_review = (
            f"<p><b>To review</b> (they come back first in <code>lambda-lab drill</code>):</p><ul>{items}</ul>"
            if review
            else "<p>Nothing to review: every answer hit its key points in time.</p>"
        )
        return (
            f"<p><b>{headline}</p><table><tr><th>question</th><th>level</th><th>time</th>"
            f"<th>key points</th><th>scored</th><th>points</th></tr>{rows}</table>{to_review}"
        )


def mock_interview(
    count: int = 6,
    *,
    module: str | None = None,
    topic: str | None = None,
    seed: int | None = None,
    record: bool = True,
    kinds: Sequence[str] = ("recall",),
) -> MockInterview:
    """A timed mock interview widget: ``count`` questions drawn as a mix of levels, easy first."""
    pool = bank_mod.load().select(module=module, topic=topic)
    if record:
        drill.Progress.load()  # a damaged progress file is kept aside and reported here, in the cell's output
    return MockInterview(drill.draw_mock(pool, count, seed, kinds), record=record, rng=random.Random(seed))
