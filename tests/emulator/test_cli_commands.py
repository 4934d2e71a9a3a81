"""The CLI against a real emulator of its own: up, status, reset, down."""

import pytest
from typer.testing import CliRunner

from reference_app.lab import deploy
from reference_app.lab.cli import app
from reference_app.lab.config import resolve_backend

runner = CliRunner()


@pytest.fixture(autouse=True)
def _own_port(monkeypatch, free_port):
    monkeypatch.setenv("LAMBDA_LAB_PORT", str(free_port))
    yield
    runner.invoke(app, ["down"])


def test_up_status_reset_down(free_port):
    endpoint = f"http://127.0.0.1:{free_port}"
    up = runner.invoke(app, ["up"])
    assert up.exit_code == 0 and "healthy" in up.output and "started by lambda-lab" in up.output
    again = runner.invoke(app, ["up"])
    assert again.exit_code == 0 and "started by lambda-lab" in again.output

    backend = resolve_backend()
    deploy.deploy_function("cli-hello", "reference_app.handlers.hello", backend=backend)
    status = runner.invoke(app, ["status"], terminal_width=200)
    assert status.exit_code == 0 and endpoint in status.output and "cli-hello" in status.output

    reset = runner.invoke(app, ["reset", "--yes"])
    assert reset.exit_code == 0 and "every resource is gone" in reset.output
    after = runner.invoke(app, ["status"], terminal_width=200)
    assert "cli-hello" not in after.output and "none" in after.output

    down = runner.invoke(app, ["down"])
    assert down.exit_code == 0 and "Stopped" in down.output
    gone = runner.invoke(app, ["status"])
    assert gone.exit_code == 1 and f"No emulator at {endpoint} — run `lambda-lab up`." in gone.output


def test_reset_asks_before_deleting(free_port):
    runner.invoke(app, ["up"])
    refused = runner.invoke(app, ["reset"], input="n\n")
    # Declining is not an error, but it is said (issue 8.4: it used to exit 1 in silence).
    assert refused.exit_code == 0 and "Delete every resource" in refused.output
    assert "Nothing was reset." in refused.output
