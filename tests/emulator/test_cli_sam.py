"""The SAM-like commands end to end on the emulator: events, invoke, logs, deploy."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reference_app.lab.cli import app
from reference_app.lab.events import list_events, load_event

runner = CliRunner()
CLI = str(Path(sys.executable).with_name("lambda-lab"))


@pytest.fixture(scope="module")
def hello(backend):
    result = runner.invoke(app, ["deploy", "hello", "--name", "cli-sam-hello"])
    assert result.exit_code == 0, result.output
    return "cli-sam-hello"


@pytest.mark.parametrize("command", [["events"], ["invoke"], ["logs"], ["deploy"]])
def test_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_events_lists_and_prints_the_bundled_events():
    listed = runner.invoke(app, ["events"])
    assert listed.exit_code == 0 and listed.output.split() == list_events()
    printed = runner.invoke(app, ["events", "sqs_batch_one_bad"])
    assert json.loads(printed.output) == load_event("sqs_batch_one_bad")


def test_a_missing_event_is_one_sentence():
    result = runner.invoke(app, ["events", "s3_pt"])
    assert result.exit_code == 1 and "did you mean 's3_put'" in result.output and "Traceback" not in result.output


def test_deploy_says_what_it_did_and_is_idempotent(hello):
    again = runner.invoke(app, ["deploy", "hello", "--name", hello])
    assert again.exit_code == 0 and f"{hello} unchanged" in again.output


def test_invoke_with_a_bundled_event_a_file_and_stdin(hello, tmp_path):
    by_name = runner.invoke(app, ["invoke", hello, "--event", "s3_put"])
    assert by_name.exit_code == 0 and "✓ status 200" in by_name.output
    event = tmp_path / "event.json"
    event.write_text('{"name": "file"}')
    from_file = runner.invoke(app, ["invoke", hello, "--file", str(event)])
    assert '"message": "Hello, file!"' in from_file.output
    from_stdin = runner.invoke(app, ["invoke", hello, "-f", "-"], input='{"name": "pipe"}')
    assert '"message": "Hello, pipe!"' in from_stdin.output
    assert '"message": "hello"' in from_stdin.output  # the log tail, as sam local invoke shows it


def test_invoke_problems_are_one_sentence(hello, tmp_path):
    missing = runner.invoke(app, ["invoke", "cli-sam-nope"])
    assert missing.exit_code == 1 and "There is no function named 'cli-sam-nope'" in missing.output
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    broken = runner.invoke(app, ["invoke", hello, "--file", str(bad)])
    said = " ".join(broken.output.split())  # rich wraps long lines
    assert broken.exit_code == 1 and "is not JSON" in said and "Traceback" not in said


def test_invoke_of_a_failing_function_exits_1_with_the_error(backend):
    from reference_app.lab.deploy import deploy_function

    fixtures = Path(__file__).parent / "fixtures"
    deploy_function("cli-sam-failing", fixtures / "failing_handler.py", backend=backend)
    result = runner.invoke(app, ["invoke", "cli-sam-failing"])
    assert result.exit_code == 1 and "function error (Unhandled)" in result.output


def test_logs_prints_the_invocations_lines(hello):
    runner.invoke(app, ["invoke", hello, "--file", "-"], input='{"name": "logs"}')
    result = runner.invoke(app, ["logs", hello, "--since", "5m"])
    assert result.exit_code == 0
    assert "START RequestId" in result.output and "REPORT RequestId" in result.output
    bad = runner.invoke(app, ["logs", hello, "--since", "five minutes"])
    assert bad.exit_code == 1 and "--since takes a number and a unit" in bad.output
    missing = runner.invoke(app, ["logs", "cli-sam-nope"])
    assert missing.exit_code == 1 and "There is no function named" in missing.output


def test_logs_follow_prints_new_invocations_as_they_happen(hello):
    proc = subprocess.Popen(
        [CLI, "logs", hello, "--since", "1s", "--follow"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        time.sleep(2.0)
        invoked = runner.invoke(app, ["invoke", hello, "-f", "-"], input='{"name": "followed"}')
        request_id = json.loads(invoked.output[invoked.output.rindex("\n{\n") :])["request_id"]
        deadline = time.monotonic() + 15
        lines: list[str] = []
        while not any(f"REPORT RequestId: {request_id}" in line for line in lines) and time.monotonic() < deadline:
            lines.append(proc.stdout.readline())
        assert any(f"START RequestId: {request_id}" in line for line in lines), lines
        assert sum(f"START RequestId: {request_id}" in line for line in lines) == 1  # printed once, not per poll
    finally:
        proc.terminate()
        proc.wait(timeout=10)
