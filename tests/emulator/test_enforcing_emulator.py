"""Lesson 06's emulator that enforces IAM: how callers authenticate, what a role lets a function do,
signed function URL calls, and that the emulator goes away with the process that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from reference_app import lab
from reference_app.lab.lesson_helpers import security
from reference_app.lab.lesson_helpers import security_resources as res
from reference_app.lab.lesson_helpers import seed_security as seed
from reference_app.lab.net import health


@pytest.fixture(scope="module")
def enforcing(backend):
    emulator = security.enforcing_emulator()
    yield emulator
    security.stop_enforcing()


def test_it_enforces_and_is_reused(enforcing):
    assert security.enforces(health(enforcing.endpoint))
    assert security.enforcing_emulator() == enforcing  # a second call finds it running


def test_callers_authenticate_as_root_users_or_not_at_all(enforcing):
    user = security.ensure_user("lab-test-user", None, enforcing)
    who = security.identities(enforcing, user)["GetCallerIdentity answers"].tolist()
    assert who == [
        "arn:aws:iam::000000000000:root",
        "arn:aws:iam::000000000000:user/lab-test-user",
        "SignatureDoesNotMatch",
        "InvalidClientTokenId",
    ]
    assert security.denied(lambda: user.client("dynamodb", enforcing).list_tables()) == "AccessDeniedException"


def test_a_function_can_do_what_its_role_allows_and_nothing_else(enforcing):
    table_arn = res.table(enforcing, "users", "lab-test-users")
    wide = security.ensure_role("lab-test-wide", seed.users_api_policy(table_arn, "lab-test-probe"), enforcing)
    narrow = security.ensure_role("lab-test-narrow", seed.create_user_policy(table_arn, "lab-test-probe"), enforcing)
    calls = res.table_calls("lab-test-users", "lab-test-other")
    before = res.probe(wide, calls, enforcing, name="lab-test-probe")
    assert before.loc["dynamodb:Scan", "allowed"].tolist() == [True, False]  # its table, not another
    after = res.probe(narrow, calls, enforcing, name="lab-test-probe")  # a role change reaches warm code
    allowed = sorted(set(after.index[after["allowed"].astype(bool)]))
    assert allowed == ["dynamodb:PutItem"]
    simulated = res.simulate({"narrow": narrow}, ["dynamodb:PutItem", "dynamodb:Scan"], table_arn, enforcing)
    assert simulated["narrow"].tolist() == ["allowed", "implicitDeny"]


def test_an_aws_iam_url_takes_signed_calls_from_allowed_callers_only(enforcing):
    security.deploy_with_role(
        "lab-test-url", "reference_app.handlers.hello", security.default_role(enforcing), enforcing
    )
    url = lab.function_url("lab-test-url", auth_type="AWS_IAM", backend=enforcing)
    caller = security.ensure_user("lab-test-caller", res.invoke_url_policy("lab-test-url", enforcing), enforcing)
    other = security.ensure_user("lab-test-other", None, enforcing)
    statuses = [
        lab.http_call(url).status,
        security.signed_call(url, other).status,
        security.signed_call(url, caller).status,
        security.signed_call(url, None).status,
    ]
    assert statuses == [403, 403, 200, 200]


def test_it_stops_when_the_process_that_started_it_is_killed(backend, free_port, tmp_path):
    env = {**os.environ, security.ENFORCING_PORT_ENV: str(free_port)}
    script = (
        "from reference_app.lab.lesson_helpers import security; security.enforcing_emulator(); print('up', flush=True)"
    )
    starter = subprocess.Popen(
        [sys.executable, "-c", script + "; import time; time.sleep(60)"], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert starter.stdout.readline().strip() == "up"
        endpoint = f"http://127.0.0.1:{free_port}"
        assert security.enforces(health(endpoint))
        os.kill(starter.pid, signal.SIGKILL)  # no atexit handler runs
        starter.wait()
        deadline = time.monotonic() + 10
        while health(endpoint) is not None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert health(endpoint) is None
    finally:
        if starter.poll() is None:
            starter.kill()
