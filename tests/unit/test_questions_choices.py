"""Multiple choice that tests knowledge: no guessing rule wins, every distractor says why it is wrong,
and the choices are shown in a fresh order everywhere (drill, notebook quiz, Anki), repeatable by seed."""

from __future__ import annotations

import random
import sqlite3
import zipfile
from collections import Counter

import pytest

from reference_app.lab.questions import anki, drill, load
from reference_app.lab.questions.bank import load_files

GUESS_LIMIT = 0.35


def choice_questions():
    return [q for q in load() if q.is_choice]


def _rule_score(pick) -> float:
    """Expected share of right answers for a rule that names a set of equally good options."""
    total = 0.0
    for q in choice_questions():
        picked = pick(q)
        total += (q.answer in picked) / len(picked)
    return total / len(choice_questions())


def _by_length_rank(q, rank: int) -> set[int]:
    lengths = sorted({len(c) for c in q.choices}, reverse=True)
    target = lengths[min(rank, len(lengths) - 1)]
    return {i for i, c in enumerate(q.choices) if len(c) == target}


def test_always_pick_the_longest_or_any_other_length_rank_scores_at_most_35_percent():
    longest = _rule_score(lambda q: _by_length_rank(q, 0))
    shortest = _rule_score(lambda q: {i for i, c in enumerate(q.choices) if len(c) == min(map(len, q.choices))})
    assert longest <= GUESS_LIMIT, f"'pick the longest' scores {longest:.0%}"
    assert shortest <= GUESS_LIMIT, f"'pick the shortest' scores {shortest:.0%}"
    for rank in (1, 2):
        assert _rule_score(lambda q, r=rank: _by_length_rank(q, r)) <= GUESS_LIMIT


def test_always_pick_position_k_scores_at_most_35_percent():
    # positions as stored in the bank (what a learner sees is shuffled on top of that)
    for k in range(4):
        score = _rule_score(lambda q, k=k: {k} if k < len(q.choices) else set(range(len(q.choices))))
        assert score <= GUESS_LIMIT, f"'always pick position {k + 1}' scores {score:.0%}"


def test_no_stored_answer_position_dominates():
    answers = Counter(q.answer for q in choice_questions())
    assert max(answers.values()) / sum(answers.values()) <= GUESS_LIMIT


def test_every_distractor_is_a_misconception_with_why_it_is_wrong():
    for q in choice_questions():
        for index, text in enumerate(q.choices):
            why = q.why_wrong(index)
            if index == q.answer:
                assert why is None, f"{q.id}: the right answer has a 'why wrong'"
            else:
                assert why and len(why) > 20, f"{q.id}: distractor {text!r} says nothing on why it is wrong"
        assert len(set(q.choices)) == len(q.choices), f"{q.id}: two choices are the same"


def test_choices_as_plain_strings_still_load(tmp_path):
    src = next(
        p for p in __import__("reference_app.lab.questions.bank", fromlist=["x"]).bank_files() if p.stem == "00_setup"
    )
    text = src.read_text(encoding="utf-8")
    (tmp_path / "00_setup.yml").write_text(text, encoding="utf-8")
    bank = load_files([tmp_path / "00_setup.yml"])
    assert all(len(q.choice_whys) == len(q.choices) for q in bank if q.is_choice)


def test_a_malformed_choice_is_one_sentence(tmp_path):
    from reference_app.lab.errors import LabError

    src = next(
        p for p in __import__("reference_app.lab.questions.bank", fromlist=["x"]).bank_files() if p.stem == "00_setup"
    )
    text = src.read_text(encoding="utf-8").replace("      why: ", "      wy: ", 1)
    (tmp_path / "00_setup.yml").write_text(text, encoding="utf-8")
    with pytest.raises(LabError, match="choices must be a list of texts or"):
        load_files([tmp_path / "00_setup.yml"])


def test_the_drill_shuffles_choices_per_presentation_and_a_seed_repeats_it():
    q = choice_questions()[0]
    orders = {tuple(q.choice_order(random.Random(seed))) for seed in range(30)}
    assert len(orders) > 5
    assert q.choice_order(random.Random(1)) == q.choice_order(random.Random(1))


def _drill_once(q, seed: int, typed: str) -> tuple[list[str], str]:
    shown: list[str] = []
    lines = iter([typed])
    session = drill.Session(
        drill.Progress(path=None), shown.append, lambda _p: next(lines, None), rng=random.Random(seed)
    )
    rating = session._choice(q)
    return shown, rating


def test_the_drill_grades_the_number_shown_not_the_bank_position():
    q = choice_questions()[0]
    for seed in range(6):
        order = q.choice_order(random.Random(seed))
        right = str(order.index(q.answer) + 1)
        shown, rating = _drill_once(q, seed, right)
        assert rating == "got"
        assert shown[int(right) - 1].endswith(q.correct_choice.replace("[", "\\["))
        wrong_number = next(n for n in range(1, 5) if str(n) != right)
        shown, rating = _drill_once(q, seed, str(wrong_number))
        assert rating == "missed"
        why = q.why_wrong(order[wrong_number - 1])
        assert any(why in line for line in shown), "the picked distractor's explanation is shown"


def test_the_notebook_card_shows_a_shuffled_order_and_explains_the_wrong_pick(home_dir):
    from reference_app.lab.questions import widget

    q = choice_questions()[3]
    orders = set()
    for seed in range(12):
        card = widget.Card(q, 1, lambda *_: None, random.Random(seed))
        orders.add(tuple(value for _label, value in card.choices.options))
    assert len(orders) > 3
    wrong = next(i for i in range(len(q.choices)) if i != q.answer)
    card.choices.value = wrong
    card._on_check()
    assert q.why_wrong(wrong)[:30] in card.feedback.value.replace("&#x27;", "'")
    assert "lambda-lab-choices" in card.choices._dom_classes


@pytest.fixture
def home_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_anki_cards_each_have_their_own_order_and_number_the_answer_as_shown(tmp_path):
    questions = choice_questions()
    deck = tmp_path / "deck.apkg"
    anki.export(deck, questions)
    with zipfile.ZipFile(deck) as apkg:
        (tmp_path / "c.anki2").write_bytes(apkg.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "c.anki2") as db:
        fields = [row[0].split("\x1f") for row in db.execute("select flds from notes")]
    positions = Counter()
    for q in questions:
        front_choices, answer = next((f[1], f[2]) for f in fields if f[0].startswith(_esc(q.question)[:40]))
        items = front_choices.split("</li>")[:-1]
        number = int(answer.split(")")[0].removeprefix("<b>"))
        assert _esc(q.correct_choice) in items[number - 1]
        positions[number] += 1
    assert max(positions.values()) / len(questions) <= GUESS_LIMIT


def _esc(text: str) -> str:
    from reference_app.lab.questions import markdown

    return markdown.html(text)


def test_the_deck_renders_markdown_and_escapes_raw_html():
    q = next(q for q in load() if "`" in q.question)
    fields = anki._fields(q)
    assert "<code>" in fields[0] and "`" not in fields[0]
    from reference_app.lab.questions import markdown

    assert markdown.html("a <script>x</script> `b`") == "a &lt;script&gt;x&lt;/script&gt; <code>b</code>"
