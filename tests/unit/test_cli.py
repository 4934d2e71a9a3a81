"""The CLI: help everywhere, one-sentence errors, no tracebacks."""

import socket

import pytest
from typer.testing import CliRunner

from reference_app.lab.cli import app
from reference_app.lab.cli.base import lazy_module

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


def test_status_names_a_port_held_by_something_else(free_port):
    # GIVEN a plain TCP listener on the port (not an emulator)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", free_port))
        squatter.listen()
        # WHEN status is asked
        result = runner.invoke(app, ["--port", str(free_port), "status"], terminal_width=200)
    # THEN it says what is wrong there, not "run `lambda-lab up`" (which would fail the same way)
    assert result.exit_code == 1
    assert f"Port {free_port} is in use by something that is not an AWS emulator" in result.output
    assert "run `lambda-lab up`" not in result.output


def test_status_of_a_url_backend_does_not_say_run_up(free_port):
    result = runner.invoke(app, ["--backend", f"http://127.0.0.1:{free_port}", "status"], terminal_width=200)
    assert result.exit_code == 1
    assert f"Nothing healthy answers at http://127.0.0.1:{free_port} — check the URL" in result.output
    assert "lambda-lab up" not in result.output


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("embedded", "the embedded emulator runs them on this host's"),
        ("localstack", "LocalStack runs them in the python3.99 image"),
        ("http://127.0.0.1:9", "runs them on its own host's Python"),
    ],
)
def test_runtime_check_speaks_of_the_selected_backend(kind, expected):
    from reference_app.lab.config import resolve_backend
    from reference_app.lab.doctor import host_runtime_check

    check = host_runtime_check(resolve_backend(kind, 4711), runtime="python3.99")
    assert expected in check.detail
    if kind != "embedded":
        assert "embedded" not in check.detail


def test_paths_lists_every_folder_its_help_promises(tmp_path, monkeypatch, free_port):
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(tmp_path / "home"))
    result = runner.invoke(app, ["--port", str(free_port), "paths"], terminal_width=300)
    assert result.exit_code == 0, result.output
    home = tmp_path / "home"
    for name, path in [
        ("home", home),
        ("state", home / f"embedded-{free_port}" / "state"),
        ("S3 objects", home / f"embedded-{free_port}" / "s3"),
        ("log", home / f"embedded-{free_port}" / "ministack.log"),
        ("build cache", home / "builds"),
        ("import checks", home / "import-checks"),
        ("runtime SDK", home / "runtime-sdk"),
    ]:
        assert any(
            line.split()[0 : len(name.split())] == name.split() and str(path) in line
            for line in result.output.splitlines()
        ), (name, result.output)


def test_messages_are_printed_as_they_are_not_as_markup(monkeypatch, free_port):
    # GIVEN messages with square brackets (rich markup would swallow "[dev]" and "[n]")
    from reference_app.lab import doctor, emulator
    from reference_app.lab.doctor import Check, Checks
    from reference_app.lab.errors import LabError

    def refuse(backend=None):
        raise LabError("run pip install -e '.[dev]' first (y/[n]).")

    monkeypatch.setattr(emulator, "up", refuse)
    monkeypatch.setattr(doctor, "run_checks", lambda: Checks([Check("moto", "warn", "pip install -e '.[dev]'")]))
    up = runner.invoke(app, ["--port", str(free_port), "up"], terminal_width=200)
    checks = runner.invoke(app, ["doctor"], terminal_width=200)
    assert "pip install -e '.[dev]' first (y/[n])." in " ".join(up.output.split())
    assert "pip install -e '.[dev]'" in checks.output


def test_a_lazy_module_that_does_not_exist_is_an_import_error_at_once():
    # as `import` says it (it was an AttributeError on a None spec)
    with pytest.raises(ModuleNotFoundError, match="reference_app.lab.no_such_module"):
        lazy_module("reference_app.lab.no_such_module")
