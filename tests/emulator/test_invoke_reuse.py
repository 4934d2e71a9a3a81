"""Issue 17.8: ``lab.invoke`` reuses its clients and asks for a function's Timeout once, not every call.

(The cost itself is measured in ``benchmarks/invoke_overhead.py``; tests assert no timings.)
"""

from __future__ import annotations

import botocore.session
import pytest

from reference_app import lab
from reference_app.lab import clients, deploy

FUNCTION = "lab-invoke-reuse"


@pytest.fixture(scope="module")
def function(backend) -> str:
    return lab.deploy_handler("hello", FUNCTION, backend=backend, timeout=5).name


@pytest.fixture
def counted(monkeypatch):
    """How many clients the kit builds, and which Lambda operations they send."""
    seen = {"clients": 0, "operations": []}
    build = botocore.session.Session.create_client

    def counting(self, service_name, *args, **kwargs):
        made = build(self, service_name, *args, **kwargs)
        seen["clients"] += 1
        made.meta.events.register("before-call.lambda", lambda model, **_: seen["operations"].append(model.name))
        return made

    monkeypatch.setattr(botocore.session.Session, "create_client", counting)
    clients._SHARED.clear()
    clients.forget_function_configs()
    deploy._answered.clear()
    return seen


def test_repeated_invokes_build_no_new_client_and_ask_the_timeout_once(backend, function, counted):
    for n in range(5):
        assert lab.invoke(function, {"name": f"n{n}"}, backend).ok
    assert counted["operations"].count("GetFunctionConfiguration") == 1
    assert counted["operations"].count("Invoke") == 5
    assert counted["clients"] == 2  # one control-plane client, one invoke client, built once each


def test_a_timeout_change_through_the_kit_is_seen_by_the_next_invoke(backend, function, counted):
    assert lab.invoke(function, {}, backend).ok
    lam = lab.client("lambda", backend)
    lam.update_function_configuration(FunctionName=function, Timeout=42)
    deploy.wait_ready(function, backend)
    try:
        asked = counted["operations"].count("GetFunctionConfiguration")
        assert lab.invoke(function, {}, backend).ok
        assert counted["operations"].count("GetFunctionConfiguration") == asked + 1
        waits = {key[3] for key in clients._SHARED if key[0] == "lambda" and key[3] is not None}
        assert 42.0 + clients.INVOKE_MARGIN_S in waits
    finally:
        lam.update_function_configuration(FunctionName=function, Timeout=5)
        deploy.wait_ready(function, backend)


def test_a_cleared_session_cache_gives_new_clients(backend, function, counted):
    assert lab.invoke(function, {}, backend).ok
    built = counted["clients"]
    clients._session.cache_clear()
    assert lab.invoke(function, {}, backend).ok
    assert counted["clients"] > built
