"""The instructor's pre-flight (``lambda-lab doctor --instructor``) and where ``doctor`` says "yours alone".

GIVEN this machine, WHEN the instructor runs the pre-flight, THEN a port already taken fails,
the sandbox is checked, and the hub's needs (JupyterHub, its proxy, root) are listed; and a
learner's ``doctor`` says "yours alone" only on an emulator that verifies their credentials.
"""

import socket

from typer.testing import CliRunner

from reference_app.lab import doctor
from reference_app.lab.accounts import membership
from reference_app.lab.cli import app
from reference_app.lab.config import Backend
from reference_app.lab.room.preflight import instructor_checks

runner = CliRunner()


def test_a_taken_port_fails_the_preflight():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        rows = {c.name: c for c in instructor_checks(room_port=port, emulator_port=port + 1 if port < 65535 else 1)}
    assert rows[f"port {port}"].level == "fail" and "already listens" in rows[f"port {port}"].detail
    assert rows["sandbox"].level in ("ok", "fail") and "bind address" in rows


def test_the_hub_preflight_names_what_the_hub_needs():
    names = {c.name for c in instructor_checks(hub=True)}
    assert {"jupyterhub", "proxy", "root", "sandbox", "bind address"} <= names


def test_doctor_instructor_runs_from_the_command_line():
    shown = runner.invoke(app, ["doctor", "--instructor"], terminal_width=200)
    assert "sandbox" in shown.output and "bind address" in shown.output


def test_yours_alone_only_on_an_emulator_that_checks_your_credentials(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(tmp_path))
    monkeypatch.delenv("LAMBDA_LAB_ACCOUNT", raising=False)
    url = Backend("url", "http://127.0.0.1:4999")
    on_trust = {c.name: c for c in doctor.room_checks(url)}["account"]
    assert on_trust.level == "warn" and "yours alone" not in on_trust.detail
    membership.save("http://127.0.0.1:8765", "Ada", url.endpoint, "token", "123456789012", "s3cret")
    issued = {c.name: c for c in doctor.room_checks(url)}["account"]
    assert issued.level == "ok" and "yours alone" in issued.detail
