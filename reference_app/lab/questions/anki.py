"""Export the question bank to an Anki deck (``lambda-lab drill --anki lambda.apkg``).

One note per question: the front has the question (and its choices), the back the model answer, the
key points, the seed corrections and the AWS sources. Note ids come from question ids, so importing a
newer deck updates the cards instead of duplicating them. Tags: module, level and topic.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from html import escape
from pathlib import Path

from ..config import write_error
from ..errors import LabError
from . import markdown as md
from .bank import Question

DECK_ID = 1_731_262_001  # fixed, so a re-import updates the same deck
MODEL_ID = 1_731_262_002
DECK_NAME = "AWS Lambda (lambda-lab)"


def _model():
    import genanki

    return genanki.Model(
        MODEL_ID,
        "lambda-lab question",
        fields=[
            {"name": "Question"},
            {"name": "Choices"},
            {"name": "Answer"},
            {"name": "KeyPoints"},
            {"name": "Notes"},
            {"name": "Sources"},
        ],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Question}}{{#Choices}}<ol>{{Choices}}</ol>{{/Choices}}",
                "afmt": "{{FrontSide}}<hr id=answer>{{Answer}}<ul>{{KeyPoints}}</ul>{{Notes}}"
                "<div style='font-size:small'>{{Sources}}</div>",
            }
        ],
    )


def card_order(q: Question, slot: int) -> list[int]:
    """A card is static, so each gets its own order (shuffled, seeded by its id) with the right answer
    at position ``slot``: the deck's choice cards take the positions in turn, so no position wins."""
    if not q.is_choice:
        return []
    rest = [i for i in q.choice_order(random.Random(f"anki:{q.id}")) if i != q.answer]
    rest.insert(slot % len(q.choices), q.answer_index)
    return rest


def _fields(q: Question, slot: int = 0) -> list[str]:
    order = card_order(q, slot)
    choices = "".join(f"<li>{md.html(q.choices[i])}</li>" for i in order)
    answer = md.html(q.model_answer, block=True)
    if q.is_choice:
        wrong = "".join(
            f"<li>{md.html(q.choices[i])}: {md.html(q.why_wrong(i) or '')}</li>"
            for i in order
            if i != q.answer and q.why_wrong(i)
        )
        answer = f"<b>{order.index(q.answer_index) + 1}) {md.html(q.correct_choice or '')}</b><br>{answer}"
        if wrong:
            answer += f"<p><i>Why the others are wrong:</i></p><ul>{wrong}</ul>"
    points = "".join(f"<li>{md.html(p)}</li>" for p in q.key_points)
    notes = "".join(f"<p><i>Where the seed is wrong:</i> {md.html(c)}</p>" for c in q.seed_corrections)
    if q.common_wrong_answer:
        notes += f"<p><i>Common wrong answer:</i> {md.html(q.common_wrong_answer)}</p>"
    sources = "<br>".join(f'<a href="{escape(s)}">{escape(s)}</a>' for s in q.sources)
    return [md.html(q.question), choices, answer, points, notes, sources]


def build(questions: Sequence[Question]):
    """The genanki Deck holding one note per question."""
    import genanki

    model = _model()
    deck = genanki.Deck(DECK_ID, DECK_NAME)
    slots = 0
    for q in questions:
        deck.add_note(
            genanki.Note(
                model=model,
                fields=_fields(q, slots),
                guid=genanki.guid_for("lambda-lab", q.id),
                tags=[q.module, q.level, q.topic],
            )
        )
        slots += q.is_choice
    return deck


def export(path: Path | str, questions: Sequence[Question]) -> int:
    """Write an .apkg with every question; return how many notes it holds."""
    import genanki

    path = Path(path)
    if path.suffix != ".apkg":
        raise LabError(f"An Anki deck file ends in .apkg, not {path.name!r}.")
    if path.is_dir():
        raise LabError(f"{path} is a folder; give a file name ending in .apkg.")
    if not path.parent.is_dir():
        raise LabError(f"The folder {path.parent} does not exist; create it or choose another path.")
    deck = build(questions)
    try:
        genanki.Package(deck).write_to_file(str(path))
    except OSError as exc:
        raise write_error(path.parent, exc) from None
    return len(deck.notes)
