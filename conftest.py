"""Session set-up shared by every test and by the notebooks nbval runs (root conftest, so `pytest notebooks/` gets it too).

The suite runs its own embedded emulator on a test port with a throw-away home
folder, so it never touches a learner's running lab. The variables are set in
``pytest_configure`` so that the Jupyter kernels nbval starts inherit them.
"""

from __future__ import annotations

import os
import shutil
import tempfile

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
    )
    os.environ.pop("LAMBDA_LAB_ALLOW_REMOTE", None)


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
