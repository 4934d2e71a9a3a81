"""A learner's Jupyter server gets a port below the ephemeral range, from their hub id, skipping taken ones."""

import socket

import pytest

from reference_app.lab import LabError
from reference_app.lab.room import learner_users
from reference_app.lab.room.learner_users import SERVER_PORTS, server_port_for


def test_the_port_comes_from_the_hub_id_and_stays_below_the_ephemeral_range(monkeypatch):
    monkeypatch.setattr(learner_users, "port_in_use", lambda port: False)
    assert server_port_for(1) == 30001
    assert server_port_for(7) == 30007
    assert all(30000 <= server_port_for(uid) < 32768 for uid in (0, 2767, 2768, 10**6))


def test_a_port_something_else_holds_is_skipped():
    with socket.socket() as held:
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            held.bind(("127.0.0.1", 30000 + 2500))
        except OSError:
            pytest.skip("port 32500 is busy on this machine")
        held.listen()
        assert server_port_for(2500) == 30000 + 2501


def test_a_full_range_is_one_sentence(monkeypatch):
    monkeypatch.setattr(learner_users, "port_in_use", lambda port: True)
    with pytest.raises(LabError, match="in use: stop what holds them"):
        server_port_for(3)
    assert len(SERVER_PORTS) == 2768


def test_learner_kernels_use_unix_sockets_in_a_short_private_folder():
    assert "--KernelManager.transport=ipc" in learner_users.KERNEL_ARGS
    longest = f"{learner_users.RUNTIME_DIR}/kernel-{'0' * 36}-ipc-4"
    assert len(longest.encode()) < 107  # sun_path
