"""lambda-lab drill end to end, with scripted input: spaced repetition, restarts, mock, stats, Anki."""

from __future__ import annotations

import json
import random
import re
import sqlite3
import subprocess
import sys
import zipfile

import pytest
from typer.testing import CliRunner

from reference_app.lab.cli import app
from reference_app.lab.questions import bank as bank_mod
from reference_app.lab.questions import drill

runner = CliRunner()


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def run(*args: str, answers: str = ""):
    result = runner.invoke(app, ["drill", *args], input=answers, terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


def cards(home) -> dict:
    return json.loads((home / "drill.json").read_text())["cards"]


def recall_questions(**filters):
    return [q for q in bank_mod.load().select(**filters) if not q.is_choice]


def test_help():
    result = runner.invoke(app, ["drill", "--help"])
    assert result.exit_code == 0 and "--mock" in result.output and "--anki" in result.output


def test_a_missed_question_comes_back_before_new_and_right_ones(home):
    # GIVEN the first two questions a module's drill asks: the first missed, the second answered right
    pool = drill.interleave(bank_mod.load().select(module="00_setup"))
    first, second, third = pool[:3]
    run("--module", "00_setup", "--count", "2", "--seed", "3", answers=_answers([first, second], ["m", "g"], 3))
    assert cards(home)[first.id]["box"] == 1 and cards(home)[second.id]["box"] == 2
    # WHEN the learner drills one more question
    output = run("--module", "00_setup", "--count", "1", "--seed", "4", answers=_answers([first], ["g"], 4))
    # THEN the missed one is asked again: not the one answered right, not a new one
    assert first.question[:40] in " ".join(output.split())
    assert cards(home)[first.id]["seen"] == 2 and cards(home)[second.id]["seen"] == 1
    assert third.id not in cards(home)


def _answers(questions, ratings, seed: int) -> str:
    """Scripted input: Enter then a rating for recall, the right or a wrong number for a choice (the
    drill shuffles the choices; ``--seed`` makes its order the one replayed here)."""
    rng = random.Random(seed)
    lines = []
    for q, rating in zip(questions, ratings, strict=True):
        if q.is_choice:
            order = q.choice_order(rng)
            index = q.answer if rating == "g" else (q.answer + 1) % len(q.choices)
            lines.append(str(order.index(index) + 1))
        else:
            lines += ["", rating]
    return "\n".join(lines) + "\n"


def test_the_leitner_schedule():
    progress = drill.Progress(path=None)  # not saved
    progress.record("q", "got", now=0, save=False)
    assert progress.card("q")["box"] == 2 and progress.card("q")["due"] == drill.DAY
    progress.record("q", "got", now=drill.DAY, save=False)
    assert progress.card("q")["box"] == 3 and progress.card("q")["due"] == 4 * drill.DAY
    progress.record("q", "partly", now=5 * drill.DAY, save=False)
    assert progress.card("q")["box"] == 3 and progress.card("q")["due"] == 5 * drill.DAY + drill.PARTLY_DELAY
    progress.record("q", "missed", now=6 * drill.DAY, save=False)
    assert progress.card("q")["box"] == 1 and progress.is_due("q", 6 * drill.DAY)
    with pytest.raises(drill.LabError, match="A rating is one of"):
        progress.record("q", "perfect", save=False)


def test_due_cards_come_first_then_new_ones_and_recent_ones_wait():
    questions = list(bank_mod.load().select(module="00_setup"))
    progress = drill.Progress(path=None)
    progress.record(questions[0].id, "got", now=1000, save=False)
    progress.record(questions[3].id, "missed", now=1000, save=False)
    picked = progress.next_questions(questions, 3, now=1001)
    new = drill.interleave([q for q in questions if q not in (questions[0], questions[3])])
    assert [q.id for q in picked] == [questions[3].id, new[0].id, new[1].id]
    assert questions[0] not in progress.next_questions(questions, 99, now=1001)
    assert questions[0] in progress.next_questions(questions, 99, now=1000 + drill.DAY)


def test_progress_survives_a_restart(home, tmp_path):
    # GIVEN one answer given in a separate process
    q = recall_questions(module="08_observability")[0]
    script = "import sys; from reference_app.lab.cli import app; sys.argv = ['lambda-lab', *sys.argv[1:]]; app()"
    env = {**__import__("os").environ, "LAMBDA_LAB_HOME": str(home)}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            "drill",
            "--module",
            "08_observability",
            "--topic",
            q.topic,
            "--level",
            q.level,
            "--count",
            "1",
        ],
        input="\ng\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    # WHEN the drill starts again (a new process, or here a new CliRunner call)
    output = run("--stats", "--module", "08_observability")
    # THEN the answer is there: seen once, in box 2, not due
    assert cards(home)[q.id]["box"] == 2
    row = next(line for line in output.splitlines() if f" {q.topic} " in line)
    assert re.search(r"│ \d+\s+│ 1\s+│ 0\s+│ 0\s+│ 100%", row), row


def test_drill_works_from_a_pipe_and_stops_cleanly_at_the_end_of_input(home):
    output = run("--module", "03_infrastructure_as_code", "--count", "5", answers="")
    assert "Stopped; your progress is saved." in output
    assert not (home / "drill.json").exists()


def test_q_stops_and_keeps_what_was_answered(home):
    q = recall_questions(module="09_patterns")[0]
    run("--module", "09_patterns", "--topic", q.topic, "--level", q.level, "--count", "3", answers="\ng\nq\n")
    assert list(cards(home)) == [q.id]


def test_bad_input_is_asked_again():
    q = next(q for q in bank_mod.load().select(module="04_triggers") if q.is_choice)
    shown = q.choice_order(random.Random(8)).index(q.answer) + 1
    output = run(
        "--module",
        "04_triggers",
        "--topic",
        q.topic,
        "--level",
        q.level,
        "--count",
        "1",
        "--seed",
        "8",
        answers=f"seven\n9\n{shown}\n",
    )
    assert output.count("Type a number from 1 to") == 2 and "Correct." in output


def test_mock_interview_ends_with_a_summary(home):
    output = " ".join(run("--mock", "--count", "3", "--seed", "5", answers=_mock_answers(3)).split())
    assert "Mock interview summary" in output
    assert re.search(r"Score \d+% over 3 questions \(basic \d+%, intermediate \d+%, advanced \d+%\)", output)
    assert "0 over time" in output and "1:30" in output and "5:00" in output
    assert len(cards(home)) == 3


def _mock_answers(n: int) -> str:
    # Enough lines for any mix: a number works for a choice, then Enter and a rating cover recall.
    return "".join("1\n\ng\n" for _ in range(n * 2))


def test_stats_without_progress():
    output = run("--stats")
    assert "Where you stand, by topic" in output and "0 of" in output


def test_unknown_filters_are_one_sentence():
    result = runner.invoke(app, ["drill", "--topic", "coldstarts"])
    assert result.exit_code == 1 and "There is no topic 'coldstarts'" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["drill", "--stats", "--mock"])
    assert result.exit_code == 1 and "Choose one of" in result.output


def test_anki_export_is_a_deck_with_every_question(tmp_path):
    deck = tmp_path / "lambda.apkg"
    output = run("--anki", str(deck))
    total = len(bank_mod.load())
    assert f"Wrote {total} cards" in " ".join(output.split())
    with zipfile.ZipFile(deck) as apkg:
        (tmp_path / "collection.anki2").write_bytes(apkg.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "collection.anki2") as db:
        notes = db.execute("select count(*) from notes").fetchone()[0]
        cards_ = db.execute("select count(*) from cards").fetchone()[0]
        tags = {row[0].strip() for row in db.execute("select tags from notes")}
    assert notes == cards_ == total
    assert any("02_handler" in t and "basic" in t for t in tags)


def test_anki_export_of_a_filtered_set_and_a_bad_path(tmp_path):
    output = run("--anki", str(tmp_path / "handler.apkg"), "--module", "02_handler")
    assert f"Wrote {len(bank_mod.load().select(module='02_handler'))} cards" in output
    result = runner.invoke(app, ["drill", "--anki", str(tmp_path / "deck.txt")])
    assert result.exit_code == 1 and "ends in .apkg" in result.output


def test_ctrl_c_prints_the_summary_and_says_saved(home, monkeypatch):
    from reference_app.lab.cli import drill as cli_drill

    first = drill.interleave(bank_mod.load().select(module="09_patterns"))[0]
    lines = iter(_answers([first], ["g"], 2).splitlines())

    def ask(_prompt):
        line = next(lines, None)
        if line is None:
            raise KeyboardInterrupt
        return line

    monkeypatch.setattr(cli_drill, "_ask", ask)
    output = run("--module", "09_patterns", "--count", "3", "--seed", "2")
    assert "Stopped (Ctrl-C)" in output and "1 answer(s) saved in" in output
    assert "Done: 1 answered" in output and list(cards(home)) == [first.id]


def test_the_mock_summary_lists_what_to_review_with_where_it_is_shown(home):
    output = " ".join(run("--mock", "--count", "2", "--seed", "5", answers="I do not know\nno idea\n").split())
    assert "To review" in output and "seen live in" in output and ".ipynb" in output
    assert "0/" in output  # key points hit


def test_the_terminal_countdown_rewrites_the_line_above_the_prompt():
    import io

    ticks = iter([0.0, 30.0, 200.0])
    countdown = drill.Countdown(io.StringIO(), 90, clock=lambda: next(ticks))
    countdown._start = countdown.clock()
    first = countdown.frame()
    assert "1:00 left" in first and first.startswith("\x1b7\x1b[1A")
    assert "1:50 over time" in countdown.frame()
    stream = io.StringIO()
    with drill.Countdown(stream, 90, interval=0.01):
        import time

        time.sleep(0.1)
    assert "left" in stream.getvalue()


def test_new_cards_interleave_modules_and_levels():
    new = drill.Progress(path=None).next_questions(bank_mod.load().questions, 12)
    modules = [q.module for q in new]
    assert len(set(modules[:10])) == 10, "ten new cards come from ten modules"
    levels = [q.level for q in drill.interleave(bank_mod.load().select(module="05_error_handling"))]
    assert len(set(levels[:3])) == 3, "a module's new cards take the levels in turn"


def test_bank_text_is_rendered_in_the_terminal_and_never_read_as_markup(monkeypatch):
    from reference_app.lab.questions import markdown

    shown = markdown.rich("Set `[red]x` and **this**, not [bold]that[/]")
    assert "[bold cyan]\\[red]x[/]" in shown and "[bold]this[/]" in shown and "\\[bold]that" in shown
    q = next(q for q in bank_mod.load() if "`" in q.question and not q.is_choice)
    output = run("--module", q.module, "--topic", q.topic, "--level", q.level, "--count", "9", answers="q\n")
    assert "`" not in output.split("Question 1")[1].split("\n")[1]
