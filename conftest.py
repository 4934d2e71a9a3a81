"""Session set-up shared by every test and by the notebooks nbval runs.

A root conftest, so `pytest notebooks/` gets it too.

The suite runs its own embedded emulator on a test port with a throw-away home
folder, so it never touches a learner's running lab. The variables are set in
``pytest_configure`` so that the Jupyter kernels nbval starts inherit them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

TEST_PORT = os.environ.get("LAMBDA_LAB_TEST_PORT", "4587")

# The whole session, notebooks included, runs with an AWS identity that looks real.
# Nothing may use it: the kit's clients ignore it, the emulator is started without
# it, and the socket guard (pyproject.toml) fails any connection outside loopback.
REAL_LOOKING_AWS = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_PROFILE": "prod-admin",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
    "AWS_ENDPOINT_URL": "https://lambda.eu-west-1.amazonaws.com",
}
_home: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _home
    _home = tempfile.mkdtemp(prefix="lambda-lab-tests-")
    os.environ.update(
        REAL_LOOKING_AWS,
        LAMBDA_LAB_BACKEND="embedded",
        LAMBDA_LAB_PORT=TEST_PORT,
        LAMBDA_LAB_HOME=_home,
        # CI proves every notebook end to end: exercises load from solutions/, and a check that
        # does not pass fails its cell.
        LAMBDA_LAB_SOLUTIONS="1",
        LAMBDA_LAB_CHECKS_MUST_PASS="1",
        # A Terraform apply and destroy takes a minute; notebooks skip it in the suite and
        # tests/emulator/test_iac.py applies the same configuration instead.
        LAMBDA_LAB_TERRAFORM="0",
    )
    os.environ.pop("LAMBDA_LAB_ALLOW_REMOTE", None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put each notebook's second run (tests/notebooks) right after nbval's first run of it,
    so "twice in a row" means exactly that, and each notebook runs twice, not three times."""
    nbval_last: dict[Path, int] = {}
    for index, item in enumerate(items):
        path = Path(str(item.fspath)).resolve()
        if path.suffix == ".ipynb":
            nbval_last[path] = index
    config.lambda_lab_nbval_ran = set(nbval_last)  # read by tests/notebooks/test_notebooks_rerun.py
    reruns = {}
    for item in items:
        callspec = getattr(item, "callspec", None)
        if item.name.startswith("test_notebook_runs_twice_in_a_row") and callspec:
            reruns[Path(callspec.params["path"]).resolve()] = item
    if not reruns or not nbval_last:
        return
    moved = {id(item) for path, item in reruns.items() if path in nbval_last}
    ordered = []
    for index, item in enumerate(items):
        if id(item) in moved:
            continue
        ordered.append(item)
        for path, last in nbval_last.items():
            if last == index and path in reruns:
                ordered.append(reruns[path])
    items[:] = ordered


def pytest_unconfigure(config: pytest.Config) -> None:
    from reference_app.lab import emulator
    from reference_app.lab.config import resolve_backend

    if _home:
        emulator.down(resolve_backend())
        shutil.rmtree(_home, ignore_errors=True)


@pytest.fixture(scope="session")
def backend():
    """The embedded emulator, started once for the whole session."""
    from reference_app.lab import emulator
    from reference_app.lab.config import resolve_backend

    backend = resolve_backend()
    emulator.up(backend)
    return backend
