"""Every command a hint tells the learner to type parses (issue 8.2).

Hints are written as backticked commands (`lambda-lab up --port 4567`). This test
finds every one in the kit's messages and the README, fills in f-string fields, and
runs it with ``--help`` appended: the parser rejects an unknown option before
``--help`` is handled, so "No such option" fails the test, and nothing is started.
"""

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reference_app.lab import embedded, localstack
from reference_app.lab.cli import app
from reference_app.lab.config import resolve_backend

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*sorted((ROOT / "reference_app" / "lab").rglob("*.py")), ROOT / "README.md"]
HINT = re.compile(r"`lambda-lab(?![-\w])([^`]*)`")  # not `lambda-lab-worker`, a user name
FIELD = re.compile(r"\{[^{}]*\}")

runner = CliRunner()


@pytest.fixture(autouse=True)
def _restore_backend_env(monkeypatch):
    """--backend/--port write the environment for the command below them; undo that."""
    import os

    for key in ("LAMBDA_LAB_BACKEND", "LAMBDA_LAB_PORT"):
        if key in os.environ:
            monkeypatch.setenv(key, os.environ[key])
        else:
            monkeypatch.delenv(key, raising=False)


def _hinted_commands() -> list[str]:
    found = set()
    for path in SOURCES:
        for match in HINT.finditer(path.read_text()):
            args = FIELD.sub("4711", match.group(1)).replace("...", "embedded").strip()
            found.add(args)
    return sorted(found)


def _parses(args: str) -> None:
    argv = [*shlex.split(args), "--help"]
    result = runner.invoke(app, argv)
    assert result.exit_code == 0, f"`lambda-lab {args}` does not parse:\n{result.output}"


def test_hints_are_found():
    commands = _hinted_commands()
    assert "up" in commands and any("--port" in c for c in commands), commands


@pytest.mark.parametrize("args", _hinted_commands())
def test_every_hinted_command_parses(args):
    _parses(args)


@pytest.mark.parametrize(
    "args",
    [
        "up --port 4711",
        "up --backend localstack",
        "up -b embedded -p 4711",
        "status --port 4711",
        "down --backend http://127.0.0.1:4711",
        "reset --yes --port 4711",
        "doctor --backend localstack",
        "paths --port 4711",
        "lab --port 4711 --keep",
        "--port 4711 up",
        "--backend localstack up",
    ],
)
def test_backend_and_port_are_accepted_before_and_after_the_command(args):
    _parses(args)


def test_an_option_after_the_command_selects_the_port(free_port):
    # GIVEN nothing on a port; WHEN status is asked with --port after the command
    result = runner.invoke(app, ["status", "--port", str(free_port)])
    # THEN that port is the one probed
    assert f"127.0.0.1:{free_port}" in result.output


@pytest.mark.parametrize(
    "message",
    [
        lambda: str(embedded.port_taken_error(resolve_backend("embedded", 4566))),
        lambda: localstack.port_taken_message(resolve_backend("localstack", 4566)),
    ],
)
def test_port_hints_are_commands_that_parse(message):
    text = message()
    commands = [FIELD.sub("4711", m.group(1)).strip() for m in HINT.finditer(text)]
    assert commands, f"no runnable command in: {text}"
    for args in commands:
        _parses(args)
