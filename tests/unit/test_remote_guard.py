"""Issue 8.1: every network call of the kit passes the remote guard before anything is sent.

With a backend URL on another machine and no ``LAMBDA_LAB_ALLOW_REMOTE``, the
health probe, ``status``, ``doctor`` and ``reset`` must refuse with one sentence
and open no connection. With the opt-in, ``reset`` of an emulator named by URL (which a
room may share) deletes the learner's own resources only, and never calls the emulator's
whole reset, which would delete everyone's (issue 12).
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from reference_app import lab
from reference_app.lab import net
from reference_app.lab.cli import app
from reference_app.lab.errors import LabError
from reference_app.lab.http import http_call

REMOTE = "http://10.20.30.40:4566"
runner = CliRunner()


@pytest.fixture
def remote_backend(monkeypatch):
    monkeypatch.setenv("LAMBDA_LAB_BACKEND", REMOTE)
    monkeypatch.delenv("LAMBDA_LAB_ALLOW_REMOTE", raising=False)


@pytest.mark.parametrize("command", [["status"], ["doctor"], ["reset", "--yes"], ["down"], ["up"]])
def test_cli_refuses_a_remote_emulator_before_sending_anything(remote_backend, no_connections, command):
    result = runner.invoke(app, command)
    assert result.exit_code == 1
    assert "Refusing to contact http://10.20.30.40:4566" in result.output
    assert "LAMBDA_LAB_ALLOW_REMOTE=1" in result.output and "Traceback" not in result.output
    assert no_connections == []


@pytest.mark.parametrize(
    "call",
    [
        lambda: lab.status(),
        lambda: lab.require(),
        lambda: lab.reset(),
        lambda: lab.up(),
        lambda: net.health(REMOTE),
        lambda: http_call(REMOTE + "/users"),
        lambda: lab.client("lambda").list_functions(),
    ],
)
def test_python_api_refuses_a_remote_emulator_before_sending_anything(remote_backend, no_connections, call):
    with pytest.raises(LabError, match="Refusing to contact"):
        call()
    assert no_connections == []


def test_doctor_reports_the_refusal_not_a_healthy_emulator(remote_backend, no_connections):
    checks = {c.name: c for c in lab.run_checks()}
    assert checks["emulator"].level == "fail" and "Refusing to contact" in checks["emulator"].detail
    assert no_connections == []


class _FakeMinistack(BaseHTTPRequestHandler):
    resets: list[str] = []

    def do_GET(self):
        body = json.dumps({"services": {"lambda": "running"}, "version": "1.5.33"}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        type(self).resets.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def opted_in_remote(monkeypatch):
    """A stand-in emulator on loopback that the guard is told to treat as another machine."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeMinistack)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _FakeMinistack.resets = []
    monkeypatch.setattr(net, "is_local_host", lambda host: False)
    monkeypatch.setenv("LAMBDA_LAB_BACKEND", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("LAMBDA_LAB_ALLOW_REMOTE", "1")
    yield server
    server.shutdown()


@pytest.fixture
def own_deleted(monkeypatch):
    from reference_app.lab import own_resources

    calls = []
    monkeypatch.setattr(own_resources, "delete_own", lambda backend: calls.append(backend) or own_resources.Deleted())
    return calls


def test_cli_reset_of_a_shared_emulator_asks_and_deletes_only_the_learners_own(opted_in_remote, own_deleted):
    result = runner.invoke(app, ["reset"], input="n\n")
    assert "Delete every resource of yours (account " in result.output and "Nobody else's are touched" in result.output
    assert "Nothing was reset." in result.output and own_deleted == []
    result = runner.invoke(app, ["reset", "--yes"])
    assert result.exit_code == 0, result.output
    assert "nobody else's were touched" in result.output and len(own_deleted) == 1
    assert _FakeMinistack.resets == []


def test_python_reset_of_a_shared_emulator_never_resets_it_whole(opted_in_remote, own_deleted):
    assert "nobody else's were touched" in lab.reset()
    assert len(own_deleted) == 1 and _FakeMinistack.resets == []
