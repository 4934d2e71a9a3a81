"""tests/room: a room. Each test here needs an emulator of its own that a room shares (started
in room mode, ``LAMBDA_LAB_SHARED_EMULATOR=1``, with the instructor's home), the instructor's
collector, or JupyterHub with configurable-http-proxy (npm).

Simulated learners are home folders: switching ``LAMBDA_LAB_HOME`` (and the backend) switches
who the kit acts as, exactly as two laptops would differ.
"""

from __future__ import annotations

import os
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
def instructor_room(tmp_path_factory):
    """The instructor's room folder: the credentials the shared emulator checks signatures against."""
    from reference_app.lab.accounts.credentials import FILE, Registry

    folder = tmp_path_factory.mktemp("instructor-room")
    os.chmod(folder, 0o700)
    Registry(folder / FILE)
    return folder


@pytest.fixture(scope="session")
def instructor_home(tmp_path_factory):
    """The shared emulator's home: its state, S3 objects and every worker's code."""
    return tmp_path_factory.mktemp("instructor")


@pytest.fixture(scope="session")
def shared_emulator(instructor_home, instructor_room):
    """One emulator a room shares: the instructor's, in room mode, on a port of its own."""
    from reference_app.lab.accounts.credentials import FILE, PATH_ENV

    home = instructor_home
    port = _free_port()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LAMBDA_LAB_HOME", str(home))
        mp.setenv("LAMBDA_LAB_SHARED_EMULATOR", "1")
        mp.setenv(PATH_ENV, str(instructor_room / FILE))
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
            mp.delenv("LAMBDA_LAB_ACCOUNT", raising=False)
            if self.backend:
                mp.setenv("LAMBDA_LAB_BACKEND", self.backend)
            yield self


def _serve(monkeypatch, folder: Path, **kwargs):
    from reference_app.lab.room.collector import make_server

    monkeypatch.setenv("LAMBDA_LAB_ROOM_DIR", str(folder))
    server, me = make_server("127.0.0.1", 0, **kwargs)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    return server, me


@pytest.fixture
def collector(tmp_path, monkeypatch):
    """The instructor's collector (``lambda-lab room serve`` without the emulator), serving in a thread."""
    server, me = _serve(monkeypatch, tmp_path / "room")
    yield me
    server.shutdown()
    server.server_close()


@pytest.fixture
def shared_room(tmp_path, monkeypatch, shared_emulator, instructor_room):
    """``lambda-lab room serve --emulator``: the collector that issues each learner's account on the shared emulator."""
    from reference_app.lab.accounts.credentials import FILE

    server, me = _serve(monkeypatch, tmp_path / "room", emulator=shared_emulator, credentials=instructor_room / FILE)
    yield me
    server.shutdown()
    server.server_close()


@pytest.fixture
def learners(tmp_path, shared_room, shared_emulator, monkeypatch):
    """Ada and Bob, two learners who joined the room that shares its emulator, each with a home of their own."""
    from reference_app.lab.room.reporting import join_room

    made = {name: Learner(name, tmp_path / name, shared_emulator) for name in ("ada", "bob")}
    clients._session.cache_clear()
    for learner in made.values():
        learner.home.mkdir()
        with learner.acting(monkeypatch):
            join_room(shared_room.url, learner.name.title(), shared_room.code)
    yield made
    clients._session.cache_clear()
