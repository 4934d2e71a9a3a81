"""The emulator's environment: what ``extra_env`` may add, and what stays the kit's (lesson 06's hook)."""

from __future__ import annotations

import pytest

from reference_app.lab import embedded
from reference_app.lab.config import resolve_backend
from reference_app.lab.emulator_patch import environment as emulator_env
from reference_app.lab.errors import LabError


def test_extra_env_adds_ministack_settings_after_the_kit_s_own(tmp_path):
    backend = resolve_backend("embedded", 4599)
    env = emulator_env.emulator_env(backend, tmp_path, {"AUTH": "true", "PERSIST_STATE": "0"})
    assert env["AUTH"] == "true"
    assert env["PERSIST_STATE"] == "0"  # overrides persistence_env()
    assert env["BIND_HOST"] == "127.0.0.1" and env["GATEWAY_PORT"] == "4599"


def test_without_extra_env_nothing_changes(tmp_path, monkeypatch):
    monkeypatch.delenv("AUTH", raising=False)
    backend = resolve_backend("embedded", 4599)
    assert "AUTH" not in emulator_env.emulator_env(backend, tmp_path)
    assert emulator_env.emulator_env(backend, tmp_path) == emulator_env.emulator_env(backend, tmp_path, {})


PROTECTED = ["BIND_HOST", "GATEWAY_PORT", "STATE_DIR", "TMPDIR", "AWS_ACCESS_KEY_ID", "AWS_PROFILE"]


@pytest.mark.parametrize("key", PROTECTED)
def test_extra_env_cannot_move_the_emulator_off_loopback_or_give_it_an_identity(tmp_path, key):
    backend = resolve_backend("embedded", 4599)
    with pytest.raises(LabError, match=key):
        emulator_env.emulator_env(backend, tmp_path, {key: "0.0.0.0"})


def test_a_refused_extra_env_starts_nothing(tmp_path, monkeypatch, no_connections):
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(tmp_path))
    started = []
    monkeypatch.setattr(embedded.process.subprocess, "Popen", lambda *a, **k: started.append(a))
    monkeypatch.setattr(embedded.process, "health", lambda *a, **k: None)
    monkeypatch.setattr(embedded.process, "port_in_use", lambda port: False)
    with pytest.raises(LabError, match="BIND_HOST"):
        embedded.start(resolve_backend("embedded", 4599), extra_env={"BIND_HOST": "0.0.0.0"})
    assert started == []
