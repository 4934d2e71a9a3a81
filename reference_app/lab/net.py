"""Every network call the kit makes outside boto3, behind one guard.

A leaf module (it imports only :mod:`.config` and :mod:`.errors`), so the
backends, the CLI and the doctor can all use it without importing each other.

The guard is the same one the boto3 clients pass (:func:`check_endpoint`): an
endpoint that is not on this machine is refused, *before* any packet leaves,
unless ``LAMBDA_LAB_ALLOW_REMOTE=1`` says the learner means it, or it is on the
host of the room the learner joined (``lambda-lab room join URL``: naming that
host is the learner's opt-in for it, and for no other). The health probe,
``status``, ``doctor``, ``reset`` and :func:`reference_app.lab.http.http_call`
all go through :func:`open_url`, which checks first, ignores proxy settings from
the environment and never follows a redirect to another host.
"""

from __future__ import annotations

import json
import socket
import urllib.request
from typing import Any

from .accounts import membership
from .config import (
    ALLOW_REMOTE_ENV,
    Backend,
    is_emulator_name,
    is_local_host,
    is_loopback_address,
    remote_allowed,
    split_url,
)
from .errors import LabError

HEALTH_PATH = "/_localstack/health"


def check_endpoint(url: str) -> None:
    """Refuse a URL that is not on this machine unless the learner opted in.

    The URL is read once, strictly (:func:`reference_app.lab.config.split_url`): one that URL
    parsers could read differently is refused whatever the opt-in says. An emulator host name
    (``localhost``, ``localstack`` ...) counts as this machine only when every address it
    resolves to is loopback.
    """
    parts = split_url(url)
    host = parts.host
    if remote_allowed() or _room_host(host):
        return
    if is_local_host(host):
        if not is_emulator_name(host):
            return
        addresses = resolved(host, parts.port or (443 if parts.scheme == "https" else 80))
        strangers = sorted(a for a in addresses if not is_loopback_address(a))
        if addresses and not strangers:
            return
        found = f"it resolves to {', '.join(strangers)}" if strangers else "it does not resolve to any address"
        raise LabError(
            f"Refusing to contact {parts.origin}: {found}, not this machine. "
            f"Use http://127.0.0.1:<port>, or set {ALLOW_REMOTE_ENV}=1 if you really mean that emulator."
        )
    raise LabError(
        f"Refusing to contact {parts.origin}: it is not on this machine. "
        f"Set {ALLOW_REMOTE_ENV}=1 if you really mean that emulator."
    )


def resolved(host: str, port: int) -> set[str]:
    """Every address ``host`` resolves to (empty when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return set()
    return {str(info[4][0]).split("%", 1)[0] for info in infos}


def _room_host(host: str) -> bool:
    return bool(host) and host.lower() == membership.allowed_host()


def is_remote(backend: Backend) -> bool:
    """True when the backend's endpoint is not on this machine."""
    return not is_local_host(backend.host)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect is returned to the caller, never followed (it could name another host).
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def open_url(request: str | urllib.request.Request, timeout: float):
    """``urlopen`` for the kit: the endpoint guard first, no proxies, no redirects."""
    url = request.full_url if isinstance(request, urllib.request.Request) else request
    check_endpoint(url)
    if isinstance(request, urllib.request.Request) and split_url(f"http://{request.host}").host != split_url(url).host:
        raise LabError(f"Refusing to contact {request.host}: it is not the host the kit checked.")
    return _OPENER.open(request, timeout=timeout)


def health(endpoint: str, timeout: float = 1.0) -> dict | None:
    """The emulator's health document, or None when nothing healthy answers.

    Raises :class:`LabError` (and sends nothing) for an endpoint the guard refuses.
    """
    try:
        with open_url(endpoint + HEALTH_PATH, timeout=timeout) as resp:
            doc = json.loads(resp.read() or b"{}")
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and "services" in doc else None


def emulator_name(doc: dict) -> str:
    edition = str(doc.get("edition", ""))
    return "localstack" if edition in ("community", "pro", "enterprise") else "ministack"


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True when something accepts connections on ``host:port`` (loopback only)."""
    if not is_local_host(host):
        raise LabError(f"The kit only probes ports on this machine, not on {host}.")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def post(url: str, timeout: float = 30.0, headers: dict[str, str] | None = None) -> bytes:
    """POST with no body through the guard; the answer's bytes."""
    request = urllib.request.Request(url, method="POST", headers=headers or {})
    with open_url(request, timeout=timeout) as resp:
        return resp.read()
