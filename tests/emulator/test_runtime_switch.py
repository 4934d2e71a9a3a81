"""LAMBDA_LAB_RAW_EMULATOR=1 starts ministack as it is, to compare with the kit's runtime."""

from __future__ import annotations

from pathlib import Path

from reference_app.lab import deploy, emulator, emulator_patch
from reference_app.lab.config import resolve_backend
from reference_app.lab.net import health

PROBE = Path(__file__).parent / "fixtures" / "runtime_probe.py"


def test_the_switch_runs_the_raw_emulator(monkeypatch, tmp_path, free_port, backend):
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv(emulator_patch.RAW_ENV, "1")
    raw = resolve_backend("embedded", free_port)
    try:
        emulator.up(raw)
        assert emulator_patch.active(health(backend.endpoint)) and not emulator_patch.active(health(raw.endpoint))
        deploy.deploy_function("sw-probe", PROBE, backend=raw)
        answer = deploy.invoke("sw-probe", {"action": "raise"}, raw)
        # ministack's own answer: every error is Runtime.HandlerError (the kit's runtime says PaymentDeclined)
        assert answer.function_error == "Unhandled" and answer.payload["errorType"] == "Runtime.HandlerError"
    finally:
        emulator.down(raw)
