"""The LocalStack backend's wiring, with a stand-in `docker` on PATH (no Docker engine here)."""

import json
import os
import stat

import pytest

from reference_app.lab import localstack
from reference_app.lab.config import resolve_backend
from reference_app.lab.errors import LabError

FAKE_DOCKER = """#!/usr/bin/env python3
import json, os, sys
with open(os.environ["FAKE_DOCKER_LOG"], "a") as log:
    log.write(json.dumps({"args": sys.argv[1:], "token": os.environ.get("LOCALSTACK_AUTH_TOKEN"),
                          "image": os.environ.get("LOCALSTACK_IMAGE")}) + "\\n")
sys.exit(int(os.environ.get("FAKE_DOCKER_EXIT", "0")))
"""


@pytest.fixture
def fake_docker(tmp_path, monkeypatch):
    binary = tmp_path / "bin" / "docker"
    binary.parent.mkdir()
    binary.write_text(FAKE_DOCKER)
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "docker.log"
    monkeypatch.setenv("PATH", f"{binary.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_DOCKER_LOG", str(log))
    monkeypatch.delenv("LOCALSTACK_IMAGE", raising=False)
    return lambda: [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_up_runs_compose_with_the_pinned_image_and_passes_the_token_through(fake_docker, monkeypatch, free_port):
    monkeypatch.setenv("LOCALSTACK_AUTH_TOKEN", "ls-secret")
    with pytest.raises(LabError, match="did not become healthy"):
        localstack.up(resolve_backend("localstack", free_port), deadline_s=0.5)
    compose = [c for c in fake_docker() if c["args"][:1] == ["compose"]]
    assert compose and compose[0]["args"][-2:] == ["up", "-d"]
    assert compose[0]["args"][2].endswith("localstack/docker-compose.yml")
    assert compose[0]["image"] == "localstack/localstack:4.14.0" and compose[0]["token"] == "ls-secret"
    compose_text = localstack.compose_file().read_text()
    assert "ls-secret" not in compose_text and "${LOCALSTACK_AUTH_TOKEN" in compose_text


def test_newer_image_without_token_is_refused_before_compose(fake_docker, monkeypatch, free_port):
    monkeypatch.setenv("LOCALSTACK_IMAGE", "localstack/localstack:4.15")
    monkeypatch.delenv("LOCALSTACK_AUTH_TOKEN", raising=False)
    with pytest.raises(LabError, match="needs LOCALSTACK_AUTH_TOKEN"):
        localstack.up(resolve_backend("localstack", free_port))
    assert not [c for c in fake_docker() if c["args"][:1] == ["compose"]]


def test_docker_without_engine_is_one_sentence(fake_docker, monkeypatch):
    monkeypatch.setenv("FAKE_DOCKER_EXIT", "1")
    assert localstack.docker_problem() == (
        "Docker is installed but its engine is not running; start Docker, or use the embedded backend."
    )


def test_no_docker_at_all(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert "Docker is not installed" in localstack.docker_problem()


def test_down_without_docker_says_it_is_not_installed(monkeypatch, tmp_path, free_port):
    # GIVEN no docker binary at all (issue 8.4: `down` said "Docker is not running")
    monkeypatch.setenv("PATH", str(tmp_path))
    message = localstack.down(resolve_backend("localstack", free_port))
    assert message.startswith("Docker is not installed") and "not running" not in message


def test_down_with_a_stopped_engine_says_so(fake_docker, monkeypatch, free_port):
    monkeypatch.setenv("FAKE_DOCKER_EXIT", "1")
    message = localstack.down(resolve_backend("localstack", free_port))
    assert message.startswith("Docker's engine is not running")
    assert not [c for c in fake_docker() if c["args"][:1] == ["compose"]]


def test_down_stops_the_container_and_says_its_resources_are_gone(fake_docker, free_port):
    message = localstack.down(resolve_backend("localstack", free_port))
    assert [c["args"][-1] for c in fake_docker() if c["args"][:1] == ["compose"]] == ["down"]
    assert "Stopped LocalStack" in message and "resources are gone" in message
