"""invocation_probe: which execution environment served an invocation, and a failure on request."""

from __future__ import annotations

import importlib
import json

import pytest

from reference_app.handlers import invocation_probe


@pytest.fixture
def fresh_probe():
    """The module as a new execution environment would import it (INIT again)."""
    return importlib.reload(invocation_probe)


def test_one_environment_keeps_its_id_and_is_cold_only_once(fresh_probe, lambda_context, capsys):
    # GIVEN a freshly imported probe (a new execution environment)
    # WHEN it is invoked twice
    first = fresh_probe.lambda_handler({"marker": "m-1"}, lambda_context)
    second = fresh_probe.lambda_handler({"marker": "m-2"}, lambda_context)
    # THEN both report the same environment, only the first as a cold start, and each logged one line
    assert first["environment"] == second["environment"] == fresh_probe.ENVIRONMENT_ID
    assert (first["cold_start"], second["cold_start"]) == (True, False)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["marker"] for line in lines] == ["m-1", "m-2"]
    assert all(line["message"] == "probe" and line["started_ms"] <= line["ended_ms"] for line in lines)


def test_a_new_environment_draws_a_new_id(lambda_context):
    before = invocation_probe.ENVIRONMENT_ID
    assert before != importlib.reload(invocation_probe).ENVIRONMENT_ID


def test_fail_raises_after_logging_the_attempt(fresh_probe, lambda_context, capsys):
    with pytest.raises(fresh_probe.ProbeFailure, match="m-3"):
        fresh_probe.lambda_handler({"marker": "m-3", "fail": True}, lambda_context)
    (line,) = [json.loads(text) for text in capsys.readouterr().out.splitlines()]
    assert line["marker"] == "m-3"


@pytest.mark.parametrize(("raw", "expected"), [(250, 250), (-5, 0), (10**9, 5000), ("x", 0), (None, 0)])
def test_sleep_is_clamped(raw, expected):
    assert invocation_probe.sleep_ms({"sleep_ms": raw}) == expected


def test_a_non_dict_event_is_handled(fresh_probe, lambda_context):
    assert fresh_probe.lambda_handler("ping", lambda_context)["marker"] is None
