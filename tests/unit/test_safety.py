"""Never touch real AWS by accident.

The learner's environment here looks like a real AWS setup (access keys, a named
profile that does not exist locally, an endpoint and region of its own); every
request the kit's clients make must still go to the local emulator, with dummy
credentials. The test-wide socket guard (pytest-socket, ``--allow-hosts`` in
pyproject.toml) fails any connection to an address outside loopback.
"""

import socket
from unittest import mock

import pytest

from reference_app.lab import clients
from reference_app.lab.config import resolve_backend
from reference_app.lab.errors import LabError


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_socket_guard_blocks_non_loopback():
    # GIVEN the suite's socket guard; WHEN connect() is called for a non-loopback
    # address (on a stand-in socket, so nothing could be sent even without the guard)
    fake = mock.Mock(family=socket.AF_INET)
    # THEN it is refused before any system call
    with pytest.raises(Exception, match="192.0.2.1"):
        socket.socket.connect(fake, ("192.0.2.1", 443))
    fake.close.assert_called_once()


def test_clients_ignore_the_learners_aws_identity(real_looking_env):
    lam = clients.client("lambda", resolve_backend())
    creds = lam._request_signer._credentials
    assert lam.meta.endpoint_url == resolve_backend().endpoint
    assert lam.meta.region_name == "us-east-1"
    assert (creds.access_key, creds.secret_key, creds.token) == ("test", "test", None)


@pytest.mark.parametrize(
    "endpoint", ["https://lambda.us-east-1.amazonaws.com", "http://10.1.2.3:4566", "http://192.168.0.9:4566"]
)
def test_remote_endpoint_refused_without_opt_in(monkeypatch, endpoint):
    monkeypatch.delenv("LAMBDA_LAB_ALLOW_REMOTE", raising=False)
    with pytest.raises(LabError, match="LAMBDA_LAB_ALLOW_REMOTE=1"):
        clients.client("lambda", resolve_backend(endpoint))


def test_remote_endpoint_allowed_with_explicit_opt_in(monkeypatch):
    monkeypatch.setenv("LAMBDA_LAB_ALLOW_REMOTE", "1")
    lam = clients.client("lambda", resolve_backend("http://10.1.2.3:4566"))
    assert lam.meta.endpoint_url == "http://10.1.2.3:4566"  # built, not called


def test_request_to_another_host_is_blocked_before_sending():
    # GIVEN a client of the kit's session whose endpoint was overridden by hand
    backend = resolve_backend("embedded")
    rogue = clients.session(backend).client("sts", endpoint_url="http://127.0.0.2:9")
    # WHEN it sends; THEN the session's pin refuses before any connection
    with pytest.raises(LabError, match="127.0.0.2"):
        rogue.get_caller_identity()
