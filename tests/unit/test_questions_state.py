"""Progress is never lost: damaged state files are kept and reported, failures say their real cause."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reference_app.lab import progress_store
from reference_app.lab.cli import app
from reference_app.lab.errors import LabError
from reference_app.lab.questions import anki, drill, load


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


def _kept(home: Path, stem: str) -> list[Path]:
    return sorted(home.glob(f"{stem}.unreadable-*"))


def test_a_corrupted_drill_file_is_kept_under_a_new_name_and_reported_before_anything_is_written(home, capsys):
    # GIVEN 19 cards, then the file cut in half (a crash, a bad sync)
    progress = drill.Progress.load()
    for q in list(load())[:19]:
        progress.record(q.id, "got", save=False)
    progress.save()
    whole = (home / "drill.json").read_text()
    (home / "drill.json").write_text(whole[: len(whole) // 2])
    # WHEN the drill loads it
    loaded = drill.Progress.load()
    # THEN the damaged file is kept whole under a new name and one sentence says so, before any write
    report = capsys.readouterr().err.strip()
    kept = _kept(home, "drill")
    assert len(kept) == 1 and kept[0].read_text() == whole[: len(whole) // 2]
    assert "\n" not in report and kept[0].name in report and "could not be read" in report
    assert not (home / "drill.json").exists() and loaded.cards == {}
    loaded.record("handler-setting-meaning", "got")
    assert _kept(home, "drill") == kept  # the new file did not touch the kept one
    # AND a second damaged file gets another name
    (home / "drill.json").write_text("{not json")
    drill.Progress.load()
    assert len(_kept(home, "drill")) == 2


def test_wrong_typed_values_are_reported_not_raised_and_the_rest_is_kept(home, capsys):
    cards = {q.id: {"box": 3, "due": 0, "seen": 2, "got": 2, "rating": "got"} for q in list(load())[:19]}
    first = next(iter(cards))
    cards[first].update(box="three", due="soon")
    cards["broken"] = "not a card"
    (home / "drill.json").write_text(json.dumps({"version": 1, "cards": cards}))
    progress = drill.Progress.load()
    report = capsys.readouterr().err
    assert "wrong type" in report and "box = 'three'" in report and _kept(home, "drill")
    assert len(progress.cards) == 19 and progress.box(first) == 1
    progress.record(first, "got")  # no TypeError
    assert progress.stats(list(load())[:19])


def test_a_list_instead_of_an_object_is_kept_aside_too(home, capsys):
    (home / "drill.json").write_text("[1, 2]")
    assert drill.Progress.load().cards == {}
    assert "not a JSON object" in capsys.readouterr().err and _kept(home, "drill")


@pytest.mark.parametrize(
    ("code", "said", "not_said"),
    [
        (errno.EACCES, "permission denied", "space"),
        (errno.EROFS, "read-only", "space"),
        (errno.ENOSPC, "disk is full", "permission"),
    ],
)
def test_a_failed_save_names_its_real_cause(home, monkeypatch, code, said, not_said):
    def refuse(self, *args, **kwargs):
        raise OSError(code, "refused", str(self))

    monkeypatch.setattr(Path, "write_text", refuse)
    with pytest.raises(LabError) as failure:
        drill.Progress.load().record("handler-setting-meaning", "got")
    message = str(failure.value)
    assert said in message and not_said not in message.split(";")[0] and "not saved" in message


def test_an_unreadable_file_is_left_alone_and_nothing_is_written(home, monkeypatch):
    (home / "drill.json").write_text(json.dumps({"version": 1, "cards": {"a": {"box": 2}}}))
    real = Path.read_text

    def deny(self, *args, **kwargs):
        if self.name == "drill.json":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", deny)
    with pytest.raises(LabError, match="permission denied; fix its permissions"):
        drill.Progress.load()
    monkeypatch.undo()
    assert json.loads((home / "drill.json").read_text())["cards"] == {"a": {"box": 2}}


def test_a_home_that_is_a_file_is_one_sentence(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(tmp_path / "afile"))
    (tmp_path / "afile").write_text("oops")
    with pytest.raises(LabError, match="which is a file; set it to a folder"):
        drill.Progress.load()
    result = CliRunner().invoke(app, ["drill", "--count", "1"], input="q\n")
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and "Traceback" not in said and "which is a file; set it to a folder" in said


def test_course_progress_survives_corruption_and_wrong_types(home, capsys):
    (home / "progress.json").write_text(json.dumps({"handler": {"attempts": "many", "status": "failed"}}))
    entry = progress_store.record_attempt("handler", "passed", [])
    assert entry["attempts"] == 1 and "attempts = 'many'" in capsys.readouterr().err
    (home / "progress.json").write_text("{")
    assert progress_store.load() == {} and _kept(home, "progress")


def test_anki_export_to_an_unwritable_place_is_one_sentence(tmp_path, monkeypatch):
    import genanki

    questions = list(load())[:2]
    (tmp_path / "a.apkg").mkdir()
    with pytest.raises(LabError, match="is a folder"):
        anki.export(tmp_path / "a.apkg", questions)

    def refuse(self, path, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", path)

    monkeypatch.setattr(genanki.Package, "write_to_file", refuse)
    with pytest.raises(LabError, match="permission denied"):
        anki.export(tmp_path / "deck.apkg", questions)


def test_paths_lists_the_progress_files(home):
    result = CliRunner().invoke(app, ["paths"], terminal_width=300)
    assert result.exit_code == 0
    assert str(home / "drill.json") in result.output and str(home / "progress.json") in result.output


def test_a_notebook_quiz_reports_a_damaged_file_when_it_is_built(home, capsys):
    from reference_app import lab

    (home / "drill.json").write_text("{oops")
    lab.quiz("02_handler")
    assert "could not be read" in capsys.readouterr().err and _kept(home, "drill")
