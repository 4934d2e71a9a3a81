"""What every test folder shares, and the rule that the folder says what a test needs.

| folder            | needs                                                   |
|-------------------|---------------------------------------------------------|
| ``tests/unit``     | nothing: pure logic, no network, no emulator            |
| ``tests/moto``     | moto's ``mock_aws`` (handlers and resource definitions) |
| ``tests/emulator`` | the embedded emulator (the ``backend`` fixture)         |
| ``tests/notebooks``| Jupyter kernels and the emulator                        |
| ``tests/browser``  | Debian's Chromium, JupyterLab and the emulator          |

Each test gets its folder's name as a marker (``pytest -m unit``), and a unit or
moto test that asks for the emulator fails at collection: it belongs in
``tests/emulator``.
"""

import socket
from pathlib import Path

import pytest

from reference_app.lab import clients

FOLDERS = ("unit", "moto", "emulator", "notebooks", "browser")
NO_EMULATOR = ("unit", "moto")
HERE = Path(__file__).parent

# A learner's shell that looks like a real AWS setup (see the root conftest.py).
REAL_LOOKING = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEXAMPLETOKEN",
    "AWS_PROFILE": "prod-admin",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
    "AWS_ENDPOINT_URL": "https://lambda.eu-west-1.amazonaws.com",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        try:
            folder = Path(item.fspath).resolve().relative_to(HERE).parts[0]
        except ValueError:
            continue  # notebooks/ collected by nbval
        if folder in FOLDERS:
            item.add_marker(getattr(pytest.mark, folder))
        if folder in NO_EMULATOR and "backend" in getattr(item, "fixturenames", ()):
            raise pytest.UsageError(
                f"{item.nodeid} asks for the emulator (the backend fixture) but lives in tests/{folder}; "
                "move it to tests/emulator."
            )


@pytest.fixture
def free_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def real_looking_env(monkeypatch):
    for key, value in REAL_LOOKING.items():
        monkeypatch.setenv(key, value)
    clients._session.cache_clear()
    yield
    clients._session.cache_clear()


@pytest.fixture
def no_connections(monkeypatch):
    """Record every attempt to open a socket connection, and refuse it.

    A test that expects the kit to refuse *before* contacting anything asserts
    that the list stays empty.
    """
    attempts: list[object] = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError(f"test: connection to {address} refused by no_connections")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts
