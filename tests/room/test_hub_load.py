"""The classroom hub carries five learners on this machine: the load test at N=5, zero failures.

benchmarks/room_hub.py starts JupyterHub from classroom/jupyterhub_config.py (shared-password
login, SimpleLocalProcessSpawner, configurable-http-proxy from npm); five simulated learners
log in at once, each runs 00_setup and a passing check in a kernel of their own server, with
an emulator of their own; then every server is stopped and no emulator may be left running.
A first start the hub gives up on is reported with the hub's own log lines and tried once more,
as the learner would; at most one learner in five may need it.
"""

import importlib.util
import os
import shutil
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _benchmark():
    spec = importlib.util.spec_from_file_location("room_hub", ROOT / "benchmarks" / "room_hub.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def proxy_installed():
    if shutil.which("configurable-http-proxy") is None:
        message = "configurable-http-proxy is not installed: npm install -g configurable-http-proxy (.ci/setup does)"
        if os.environ.get("LAMBDA_LAB_ROOM_TESTS") == "required":  # .ci/run: the hub test must run
            pytest.fail(message)
        pytest.skip(message)


def test_five_learners_on_one_hub_with_no_failure(proxy_installed):
    bench = _benchmark()
    result = bench.run_round(5)
    print(bench.table([result]))
    for retry in result.retried:  # in the run's warnings summary even when the second start worked
        warnings.warn(f"started again after the hub gave up: {retry}", stacklevel=1)
    assert result.failures == [], "\n".join(result.failures)
    # A learner whose first start the hub gave up on presses Start My Server again; one such learner
    # in five passes (a loaded CI machine), two do not: that is a room that fails its learners.
    assert len(result.retried) <= 1, "\n".join(result.retried)
    assert len(result.seconds) == 5 and all(mb > 100 for mb in result.rss_peak_mb)
