"""Module 12's helpers without the emulator: the Dockerfile lint, the network and capacity models,
a tumbling window replayed, one snapshot restored twice (os.fork), the durable replay, and the kit's
runtime running a wrapper script (AWS_LAMBDA_EXEC_WRAPPER)."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reference_app.lab.emulator_patch import bootstrap
from reference_app.lab.lesson_helpers import beyond_zip as bz

SOLUTION = Path(__file__).parents[2] / "solutions" / "12_beyond_the_zip" / "snapstart_orders.py"


# --- container images -------------------------------------------------------------------------------------
def test_the_lessons_dockerfile_is_clean_and_the_first_try_has_one_finding_per_mistake():
    assert bz.lint_dockerfile(bz.DOCKERFILE) == []
    rules = [f.rule for f in bz.lint_dockerfile(bz.DOCKERFILE_FIRST_TRY)]
    assert rules == ["pin", "user", "task-root", "pip-target", "entrypoint", "cmd-form"]


@pytest.mark.parametrize(
    ("dockerfile", "rule"),
    [
        ('CMD ["app.handler"]\n', "from"),
        ('FROM python:3.13-slim\nCOPY app.py /var/task/\nCMD ["app.handler"]\n', "ric"),
        ("FROM public.ecr.aws/lambda/python:3.13\nCOPY app.py ${LAMBDA_TASK_ROOT}\n", "cmd"),
    ],
)
def test_a_dockerfile_lambda_cannot_run_is_named(dockerfile, rule):
    assert rule in {f.rule for f in bz.lint_dockerfile(dockerfile)}


def test_a_non_aws_base_with_the_runtime_interface_client_is_accepted():
    text = (
        "FROM python:3.13-slim\nRUN pip install awslambdaric\nCOPY app.py /function/\n"
        'ENTRYPOINT ["python", "-m", "awslambdaric"]\nCMD ["app.handler"]\n'
    )
    assert bz.lint_dockerfile(text) == []


# --- models -------------------------------------------------------------------------------------------------
def test_a_private_subnet_reaches_aws_services_through_endpoints_and_the_internet_through_nat_only():
    assert bz.reachable("internet", in_vpc=True).startswith("no")
    assert "NAT" in bz.reachable("internet", in_vpc=True, nat=True)
    assert "gateway" in bz.reachable("s3", in_vpc=True, endpoints=frozenset({"s3"}))
    assert "interface" in bz.reachable("sqs", in_vpc=True, endpoints=frozenset({"sqs"}))
    assert bz.reachable("rds", in_vpc=False) == "no"


def test_a_proxy_pool_keeps_a_storm_under_max_connections():
    assert bz.connection_storm(1000, 500)["refused by the database"] == 500
    pooled = bz.connection_storm(1000, 500, proxy_pool=400)
    assert pooled["refused by the database"] == 0 and pooled["waiting for a pooled connection"] == 600


def test_environments_for_a_load_round_up():
    assert bz.environments_needed(200) == 200 and bz.environments_needed(200, 16) == 13
    assert bz.environments_needed(1, 16) == 1


def test_a_tumbling_window_carries_state_and_totals_on_the_final_call():
    calls = bz.replay_window([["a", "b"], ["a"], []])
    assert [c["returned"]["state"] for c in calls[:3]] == [{"a": 1, "b": 1}, {"a": 2, "b": 1}, {"a": 2, "b": 1}]
    assert calls[-1]["final"] and calls[-1]["returned"]["window_total"] == {"a": 2, "b": 1}


# --- SnapStart ----------------------------------------------------------------------------------------------
def test_one_snapshot_restored_twice_repeats_an_init_seed():
    restored = bz.restore(bz.handler_file("snapstart_probe"), environments=2)
    assert [r.environment for r in restored] == [1, 2] and restored[0].pid != restored[1].pid
    assert restored[0].answer["request_token"] == restored[1].answer["request_token"]
    assert [line.split()[0] for line in restored[0].answer["lifecycle"]] == ["init", "before_snapshot", "after_restore"]


def test_hooks_that_reseed_and_reconnect_give_each_environment_its_own_id_and_connection():
    with bz.Ledger() as ledger:
        restored = bz.restore(SOLUTION, environments=2, env={"LEDGER_ADDRESS": ledger.address})
        assert all(not r.error for r in restored), restored
        ids = {r.answer["order_id"] for r in restored}
        conns = {r.answer["ledger"] for r in restored}
        assert len(ids) == 2 and conns == {"ok conn=2", "ok conn=3"}
        assert ledger.wait_closed(1) and ledger.closed_before_opened(1, 2)


def test_an_init_that_fails_is_reported_as_environment_zero(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('no config')\n")
    restored = bz.restore(broken)
    assert len(restored) == 1 and restored[0].environment == 0 and "no config" in restored[0].error


# --- durable functions ---------------------------------------------------------------------------------------
def test_replay_runs_the_body_again_and_the_step_once():
    counts = bz.replay_counts()
    assert counts["function body (outside steps)"] == 2 and counts["step"] == 1 and counts["execution"] == "SUCCEEDED"


# --- the kit's runtime runs a wrapper script ----------------------------------------------------------------
def _start(code_dir: Path, variables: dict) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, str(Path(bootstrap.__file__))],
        cwd=code_dir,
        text=True,
        bufsize=1,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={"PATH": os.environ.get("PATH", ""), "AWS_LAMBDA_FUNCTION_NAME": "probe"},
    )
    proc.stdin.write(
        json.dumps(
            {
                "code_dir": str(code_dir),
                "module": "fn",
                "handler": "handler",
                "env": variables,
                "function_name": "probe",
            }
        )
        + "\n"
    )
    proc.stdin.flush()
    return proc


def _invoke(proc: subprocess.Popen) -> dict:
    proc.stdin.write(json.dumps({"event": {}, "ctx": {"request_id": "r-1", "timeout_ms": 3000}}) + "\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())


@pytest.fixture
def code_dir(tmp_path):
    (tmp_path / "fn.py").write_text(
        textwrap.dedent("""
        import os, sys
        def handler(event, context):
            return {"wrapped": os.environ.get("WRAPPED"), "warn": list(sys.warnoptions),
                    "private": sorted(n for n in os.environ if n.startswith("_LAB_"))}
    """)
    )
    (tmp_path / "wrapper.sh").write_text(
        '#!/bin/sh\nexport WRAPPED="by $0"\nexec "$1" -W error "${@:2}"\n'.replace('"${@:2}"', '$(shift; echo "$@")')
    )
    return tmp_path


def test_the_wrapper_script_runs_before_the_runtime_and_its_changes_reach_the_function(code_dir):
    proc = _start(code_dir, {"AWS_LAMBDA_EXEC_WRAPPER": "/var/task/wrapper.sh"})  # /var/task is the code
    try:
        assert json.loads(proc.stdout.readline()) == {"status": "ready", "cold": True}
        result = _invoke(proc)["result"]
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)
    assert result["wrapped"].endswith("wrapper.sh")  # an exported variable survives the runtime's scrub
    assert result["warn"] == ["error"]  # an argument the wrapper added reached the interpreter
    assert result["private"] == []  # nothing of the kit's hand-over is left for the function


def test_without_a_wrapper_nothing_changes_and_a_missing_one_is_skipped(code_dir):
    for variables in ({}, {"AWS_LAMBDA_EXEC_WRAPPER": "/var/task/missing.sh"}):
        proc = _start(code_dir, variables)
        try:
            assert json.loads(proc.stdout.readline())["status"] == "ready"
            assert _invoke(proc)["result"]["wrapped"] is None
        finally:
            proc.stdin.close()
            proc.wait(timeout=10)
