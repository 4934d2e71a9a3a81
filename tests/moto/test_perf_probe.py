"""perf_probe: setup in or out of module scope, fixed CPU work, payload sizes (no AWS calls at all)."""

from __future__ import annotations

import importlib
import json

import pytest

from reference_app.lab.events import FakeLambdaContext


def _load(monkeypatch, setup_at: str, setup_ms: str = "5"):
    monkeypatch.setenv("SETUP_AT", setup_at)
    monkeypatch.setenv("SETUP_MS", setup_ms)
    import reference_app.handlers.perf_probe as probe

    return importlib.reload(probe)


def test_module_scope_setup_runs_once_at_import(monkeypatch):
    probe = _load(monkeypatch, "module")
    calls = []
    monkeypatch.setattr(probe, "expensive_setup", lambda ms: calls.append(ms) or {})
    first = probe.lambda_handler({}, FakeLambdaContext())
    second = probe.lambda_handler({}, FakeLambdaContext())
    assert first["cold_start"] and not second["cold_start"]
    assert calls == [] and first["table_entries"] > 0  # built at import, reused


def test_handler_scope_setup_runs_on_every_invocation(monkeypatch):
    probe = _load(monkeypatch, "handler")
    assert probe.TABLE is None
    calls = []
    monkeypatch.setattr(probe, "expensive_setup", lambda ms: calls.append(ms) or {"a": 1})
    for _ in range(3):
        assert probe.lambda_handler({}, FakeLambdaContext())["setup_at"] == "handler"
    assert calls == [5.0, 5.0, 5.0]


def test_cpu_work_is_deterministic(monkeypatch):
    probe = _load(monkeypatch, "module", "0")
    assert probe.cpu_work(10) == probe.cpu_work(10) != probe.cpu_work(11)


@pytest.mark.parametrize("size", [0, 10, 1000])
def test_the_answer_reports_the_event_size_and_can_be_made_large(monkeypatch, size):
    probe = _load(monkeypatch, "module", "0")
    event = {"respond_bytes": size} if size else {}
    answer = probe.lambda_handler(event, FakeLambdaContext())
    assert answer["event_bytes"] == len(json.dumps(event))
    assert len(answer.get("data", "")) == size
