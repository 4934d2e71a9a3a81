"""What every test folder shares, and the rule that the folder says what a test needs.

| folder            | needs                                                   |
|-------------------|---------------------------------------------------------|
| ``tests/unit``     | nothing: pure logic, no network, no emulator            |
| ``tests/moto``     | moto's ``mock_aws`` (handlers and resource definitions) |
| ``tests/emulator`` | the embedded emulator (the ``backend`` fixture)         |
| ``tests/notebooks``| Jupyter kernels and the emulator                        |
| ``tests/browser``  | Debian's Chromium, JupyterLab and the emulator          |
| ``tests/room``     | a room: a shared emulator of its own, the collector,    |
|                   | JupyterHub and configurable-http-proxy (npm)            |

Each test gets its folder's name as a marker (``pytest -m unit``), and a unit or
moto test that asks for the emulator fails at collection: it belongs in
``tests/emulator``.
"""

import errno
import os
import socket
import sys
from pathlib import Path

import pytest

from reference_app.lab import clients

FOLDERS = ("unit", "moto", "emulator", "notebooks", "browser", "room")
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


# --- a folder the OS refuses to write to (issue 8.18) -----------------------------------------
#
# chmod makes a folder read-only for an ordinary user, but root (containers, CI) writes
# anyway. So every write under a refused folder is also refused at the syscall boundary by
# an audit hook: opening a file for writing, making a folder, renaming, linking, removing.
# The hook is installed once (audit hooks cannot be removed) and is idle unless a test
# registered a folder.

_REFUSED: dict[str, int] = {}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_WRITE_EVENTS = {"os.mkdir": 0, "os.rename": 1, "os.symlink": 1, "os.remove": 0, "os.rmdir": 0, "os.truncate": 0}


def _refusal(path) -> int | None:
    if not _REFUSED or not isinstance(path, (str, bytes, os.PathLike)):
        return None
    text = os.fsdecode(os.path.abspath(os.fspath(path)))
    for folder, code in _REFUSED.items():
        if text == folder or text.startswith(folder + os.sep):
            return code
    return None


def _audit(event, args):
    if not _REFUSED:
        return
    if event == "open" and len(args) >= 3 and isinstance(args[2], int) and args[2] & _WRITE_FLAGS:
        target = args[0]
    elif event in _WRITE_EVENTS:
        target = args[_WRITE_EVENTS[event]]
    else:
        return
    code = _refusal(target)
    if code is not None:
        raise OSError(code, os.strerror(code), os.fspath(target))


sys.addaudithook(_audit)


@pytest.fixture
def refuse_writes(monkeypatch):
    """``refuse_writes(folder, errno.EROFS)``: writes under ``folder`` fail as the OS fails them."""
    registered = []

    def refuse(folder, code=errno.EROFS):
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if code in (errno.EROFS, errno.EACCES):
            folder.chmod(0o555)  # real for an ordinary user; the hook covers root
        _REFUSED[os.path.abspath(folder)] = code
        registered.append(folder)
        return folder

    yield refuse
    for folder in registered:
        _REFUSED.pop(os.path.abspath(folder), None)
        folder.chmod(0o755)


@pytest.fixture
def disk_full(monkeypatch):
    """``disk_full(folder)``: files under ``folder`` are created, then their write fails with ENOSPC,
    as on a full disk (the half-written file stays behind unless the code cleans it up)."""
    import pathlib

    folders: list[str] = []
    real_write_text, real_write_bytes = pathlib.Path.write_text, pathlib.Path.write_bytes

    def full(path) -> bool:
        text = os.path.abspath(path)
        return any(text == f or text.startswith(f + os.sep) for f in folders)

    def write_text(self, data, *args, **kwargs):
        if full(self):
            self.open("w").close()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real_write_text(self, data, *args, **kwargs)

    def write_bytes(self, data):
        if full(self):
            self.open("wb").close()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real_write_bytes(self, data)

    monkeypatch.setattr(pathlib.Path, "write_text", write_text)
    monkeypatch.setattr(pathlib.Path, "write_bytes", write_bytes)

    def fill(folder):
        folders.append(os.path.abspath(folder))
        return Path(folder)

    return fill
