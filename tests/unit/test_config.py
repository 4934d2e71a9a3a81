"""Backend selection: pure logic, no network."""

import pytest

from reference_app.lab.config import is_local_host, lab_home, resolve_backend
from reference_app.lab.errors import LabError


def test_default_backend_is_embedded_on_loopback(monkeypatch):
    monkeypatch.delenv("LAMBDA_LAB_BACKEND", raising=False)
    monkeypatch.delenv("LAMBDA_LAB_PORT", raising=False)
    backend = resolve_backend()
    assert (backend.kind, backend.endpoint) == ("embedded", "http://127.0.0.1:4566")


@pytest.mark.parametrize("kind", ["embedded", "localstack"])
def test_env_and_port_pick_backend(monkeypatch, kind):
    monkeypatch.setenv("LAMBDA_LAB_BACKEND", kind)
    monkeypatch.setenv("LAMBDA_LAB_PORT", "4600")
    assert resolve_backend() == resolve_backend(kind, 4600)
    assert resolve_backend().endpoint == "http://127.0.0.1:4600"


def test_explicit_value_beats_environment(monkeypatch):
    monkeypatch.setenv("LAMBDA_LAB_BACKEND", "localstack")
    assert resolve_backend("embedded").kind == "embedded"


def test_url_backend_keeps_url():
    backend = resolve_backend("http://localhost.localstack.cloud:4566/")
    assert (backend.kind, backend.endpoint, backend.port) == ("url", "http://localhost.localstack.cloud:4566", 4566)


@pytest.mark.parametrize("value", ["ftp://x", "local", "http://", "http://h:99999"])
def test_bad_backend_is_one_clear_sentence(value):
    with pytest.raises(LabError) as info:
        resolve_backend(value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("port", ["abc", "0", "70000"])
def test_bad_port_is_refused(monkeypatch, port):
    monkeypatch.setenv("LAMBDA_LAB_PORT", port)
    with pytest.raises(LabError, match="LAMBDA_LAB_PORT"):
        resolve_backend("embedded")


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("localstack", True),
        ("ministack", True),
        ("s3.localhost.localstack.cloud", True),
        ("10.0.0.5", False),
        ("192.168.1.2", False),
        ("lambda.us-east-1.amazonaws.com", False),
        ("", False),
    ],
)
def test_is_local_host(host, local):
    assert is_local_host(host) is local


def test_home_is_per_user_and_overridable(monkeypatch, tmp_path):
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(tmp_path / "h"))
    assert lab_home() == tmp_path / "h" and lab_home().is_dir()
