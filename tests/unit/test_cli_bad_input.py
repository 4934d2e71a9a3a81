"""Issue 17.5: bad input to the CLI gets one sentence and a non-zero exit, never a traceback.

Each case of ``CASES`` is a command and the bad input it meets (a file, an environment
variable, a corrupt file in the course). No emulator runs: the port is free, so a command
that gets past its input reaches "nothing answers", which is one sentence too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reference_app.lab import course
from reference_app.lab.cli import app

runner = CliRunner()
EXERCISE = "handler-validation"
NOT_UTF8 = b"def create_user(table, payload):\n    return '\xff\xfe caf\xe9'\n"


@dataclass
class Case:
    id: str
    args: list[str]
    says: str  # a phrase the one sentence must hold
    setup: Callable[[Path], dict[str, str]] = field(default=lambda tmp: {})  # -> extra environment


def _file(name: str, data: bytes | str) -> Callable[[Path], dict[str, str]]:
    def make(tmp: Path) -> dict[str, str]:
        path = tmp / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        return {}

    return make


def _mangled_exercise(tmp: Path) -> dict[str, str]:
    (tmp / "exercises" / course.exercise(EXERCISE).file).write_bytes(NOT_UTF8)
    return {}


def _corrupt_manifest(tmp: Path) -> dict[str, str]:
    (tmp / "exercises" / ".generated.json").write_text('{"02_handler/create_user.py": "ab', encoding="utf-8")
    return {}


def _home_is_a_file(tmp: Path) -> dict[str, str]:
    home = tmp / "home-file"
    home.write_text("not a folder\n")
    return {"LAMBDA_LAB_HOME": str(home)}


def _proxy_nowhere(tmp: Path) -> dict[str, str]:
    return {var: "http://127.0.0.1:9" for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy")}


CASES = [
    Case(
        "binary event file",
        ["invoke", "lab-x", "--file", "{tmp}/event.bin"],
        "UTF-8",
        _file("event.bin", bytes(range(256)) * 4),
    ),
    Case(
        "deeply nested JSON",
        ["invoke", "lab-x", "--file", "{tmp}/deep.json"],
        "nested",
        _file("deep.json", "[" * 200_000 + "]" * 200_000),
    ),
    Case(
        "event over 6 MB",
        ["invoke", "lab-x", "--file", "{tmp}/big.json"],
        "6 MB",
        _file("big.json", '{"p": "' + "x" * 6_300_000 + '"}'),
    ),
    Case("empty function name", ["invoke", ""], "function name"),
    Case("blank function name", ["logs", "  "], "function name"),
    Case("absurd --since", ["logs", "lab-x", "--since", "99999999999999d"], "--since goes back at most"),
    Case("400-digit --since", ["logs", "lab-x", "--since", "9" * 400 + "s"], "--since goes back at most"),
    Case("--since without a unit", ["logs", "lab-x", "--since", "10"], "--since takes a number and a unit"),
    Case("hint on a non-UTF-8 exercise", ["hint", EXERCISE, "--level", "3"], "UTF-8", _mangled_exercise),
    Case("generate with a corrupt manifest", ["generate"], ".generated.json", _corrupt_manifest),
    Case("generate --check with a corrupt manifest", ["generate", "--check"], ".generated.json", _corrupt_manifest),
    *[
        Case(f"LAMBDA_LAB_HOME is a file: {' '.join(args)}", args, "LAMBDA_LAB_HOME", _home_is_a_file)
        for args in (
            ["status"],
            ["up"],
            ["down"],
            ["paths"],
            ["reset", "--yes"],
            ["check", "--all"],
            ["invoke", "lab-x"],
            ["logs", "lab-x"],
            ["deploy", "hello"],
        )
    ],
    *[
        Case(f"an unreachable proxy: {' '.join(args)}", args, "lambda-lab up", _proxy_nowhere)
        for args in (["invoke", "lab-x"], ["logs", "lab-x"])
    ],
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_sentence_and_a_non_zero_exit(case, kit_copy_as_cwd, free_port, monkeypatch):
    monkeypatch.setenv("LAMBDA_LAB_PORT", str(free_port))
    for key, value in case.setup(kit_copy_as_cwd).items():
        monkeypatch.setenv(key, value)
    args = [a.replace("{tmp}", str(kit_copy_as_cwd)) for a in case.args]
    result = runner.invoke(app, args)
    assert result.exit_code not in (0, None), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    text = " ".join(result.output.split())
    assert text.startswith("error:") and text.count("error:") == 1, result.output
    assert case.says.replace(" ", "") in "".join(text.split()), result.output  # rich may wrap mid-word
    assert len(text) < 400, result.output  # one sentence, not a dump


HANDLED = [
    # A learner's mangled file is theirs: reset keeps it byte for byte; generate keeps it as an edit.
    Case(
        "exercise reset of a non-UTF-8 exercise",
        ["exercise", "reset", EXERCISE],
        "Saved your version as",
        _mangled_exercise,
    ),
    Case("generate with a non-UTF-8 exercise", ["generate"], "kept", _mangled_exercise),
]


@pytest.mark.parametrize("case", HANDLED, ids=[c.id for c in HANDLED])
def test_bad_input_a_command_can_handle_is_handled_without_losing_the_file(case, kit_copy_as_cwd):
    case.setup(kit_copy_as_cwd)
    result = runner.invoke(app, case.args)
    assert result.exit_code == 0 and result.exception is None, result.output
    assert "Traceback" not in result.output and case.says in result.output
    exercise = kit_copy_as_cwd / "exercises" / course.exercise(EXERCISE).file
    kept = [*exercise.parent.glob(f"{exercise.stem}.mine-*"), exercise]
    assert any(path.read_bytes() == NOT_UTF8 for path in kept)
