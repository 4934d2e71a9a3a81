"""The CLI: help everywhere, one-sentence errors, no tracebacks."""

import pytest
from typer.testing import CliRunner

from reference_app.lab.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _restore_backend_env(monkeypatch):
    """The CLI's --backend/--port write the environment for the commands below them; undo that."""
    import os

    for key in ("LAMBDA_LAB_BACKEND", "LAMBDA_LAB_PORT"):
        if key in os.environ:
            monkeypatch.setenv(key, os.environ[key])
        else:
            monkeypatch.delenv(key, raising=False)


COMMANDS = ["up", "down", "status", "doctor", "reset", "paths", "lab", "drill"]


@pytest.mark.parametrize("command", [[], *[[c] for c in COMMANDS]])
def test_every_command_has_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_status_without_emulator_says_what_to_do(monkeypatch, free_port):
    result = runner.invoke(app, ["--port", str(free_port), "status"])
    assert result.exit_code == 1
    assert f"No emulator at http://127.0.0.1:{free_port} — run `lambda-lab up`." in result.output
    assert "Traceback" not in result.output


def test_reset_without_emulator_is_one_line(free_port):
    result = runner.invoke(app, ["--port", str(free_port), "reset", "--yes"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) <= 2 and "lambda-lab up" in result.output  # rich may wrap one sentence


def test_bad_backend_is_one_sentence():
    result = runner.invoke(app, ["--backend", "ftp://nope", "status"])
    assert result.exit_code == 1
    assert "LAMBDA_LAB_BACKEND must be" in result.output and "Traceback" not in result.output


def test_localstack_without_docker_says_so(monkeypatch, free_port):
    from reference_app.lab import localstack

    monkeypatch.setattr(
        localstack,
        "docker_problem",
        lambda: "Docker is not installed; install Docker, or use the embedded backend (the default).",
    )
    result = runner.invoke(app, ["--backend", "localstack", "--port", str(free_port), "up"])
    assert result.exit_code == 1
    assert "Docker is not installed" in result.output


def test_localstack_token_needed_for_newer_images(monkeypatch):
    from reference_app.lab import localstack

    monkeypatch.setenv("LOCALSTACK_IMAGE", "localstack/localstack:4.15.0")
    monkeypatch.delenv("LOCALSTACK_AUTH_TOKEN", raising=False)
    assert "LOCALSTACK_AUTH_TOKEN" in localstack.token_problem()
    monkeypatch.setenv("LOCALSTACK_AUTH_TOKEN", "ls-xxxx")
    assert localstack.token_problem() is None
    monkeypatch.setenv("LOCALSTACK_IMAGE", "localstack/localstack:4.14.0")
    monkeypatch.delenv("LOCALSTACK_AUTH_TOKEN")
    assert localstack.token_problem() is None
    monkeypatch.setenv("LOCALSTACK_IMAGE", "localstack/localstack:latest")
    assert localstack.token_problem() is not None


def test_doctor_reports_runtime_and_port(free_port):
    result = runner.invoke(app, ["--port", str(free_port), "doctor"], terminal_width=200)
    assert "python3.13" in result.output
    assert f"{free_port} is free" in result.output
    assert result.exit_code == 0
