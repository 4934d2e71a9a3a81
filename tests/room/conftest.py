"""tests/room: a room. Each test here needs an emulator of its own that a room shares (started
in room mode, ``LAMBDA_LAB_SHARED_EMULATOR=1``, with the instructor's home), the instructor's
collector, or JupyterHub with configurable-http-proxy (npm).

Simulated learners are home folders: switching ``LAMBDA_LAB_HOME`` (and the backend) switches
who the kit acts as, exactly as two laptops would differ.
"""

from __future__ import annotations

import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from reference_app.lab import clients, embedded
from reference_app.lab.config import resolve_backend


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def shared_emulator(tmp_path_factory):
    """One emulator a room shares: the instructor's, in room mode, on a port of its own."""
    home = tmp_path_factory.mktemp("instructor")
    port = _free_port()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LAMBDA_LAB_HOME", str(home))
        mp.setenv("LAMBDA_LAB_SHARED_EMULATOR", "1")
        backend = resolve_backend("embedded", port=port)
        embedded.start(backend)
    yield f"http://127.0.0.1:{port}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LAMBDA_LAB_HOME", str(home))
        embedded.stop(backend)


@dataclass
class Learner:
    name: str
    home: Path
    backend: str | None  # the URL of the emulator they use, or None for the session's own

    @contextmanager
    def acting(self, monkeypatch: pytest.MonkeyPatch):
        """The kit acts as this learner inside the block."""
        with monkeypatch.context() as mp:
            mp.setenv("LAMBDA_LAB_HOME", str(self.home))
            if self.backend:
                mp.setenv("LAMBDA_LAB_BACKEND", self.backend)
            yield self


@pytest.fixture
def learners(tmp_path, shared_emulator):
    """Ada and Bob, two learners on the room's shared emulator, each with a home of their own."""
    made = {name: Learner(name, tmp_path / name, shared_emulator) for name in ("ada", "bob")}
    for learner in made.values():
        learner.home.mkdir()
    clients._session.cache_clear()
    yield made
    clients._session.cache_clear()


@pytest.fixture
def collector(tmp_path, monkeypatch):
    """The instructor's collector (``lambda-lab room serve`` without the emulator), serving in a thread."""
    from reference_app.lab.room.collector import make_server

    monkeypatch.setenv("LAMBDA_LAB_ROOM_DIR", str(tmp_path / "room"))
    server, me = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield me
    server.shutdown()
    server.server_close()
