"""Backend selection: one setting picks where every AWS call of the kit goes.

``LAMBDA_LAB_BACKEND`` (or the CLI's ``--backend``) is one of

* ``embedded`` (default): ministack, started by the kit on 127.0.0.1;
* ``localstack``: LocalStack from ``localstack/docker-compose.yml`` on 127.0.0.1;
* an ``http(s)://`` URL: any running emulator, e.g. one an instructor shares.

``LAMBDA_LAB_PORT`` moves the local port (default 4566). An endpoint that is not
on this machine is refused unless ``LAMBDA_LAB_ALLOW_REMOTE=1`` says the learner
means it, or the learner joined a room on that host (see :mod:`reference_app.lab.net`).
When the learner joined a room that shares an emulator, that emulator is the default.

:func:`account_id` is the account the kit's requests run in: the emulator's default
account on the learner's own emulator, the learner's own account on a URL backend,
which others may share (:mod:`reference_app.lab.accounts.membership`).
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass

from .accounts import membership
from .errors import LabError
from .locations import HOME_ENV, WRITE_ERRNOS, lab_home, lab_home_path, write_error, writing  # noqa: F401 (the home folder, re-exported for its callers)

BACKEND_ENV = "LAMBDA_LAB_BACKEND"
PORT_ENV = "LAMBDA_LAB_PORT"
ALLOW_REMOTE_ENV = "LAMBDA_LAB_ALLOW_REMOTE"

REGION = "us-east-1"
ACCOUNT_ID = "000000000000"
DEFAULT_PORT = 4566
# The runtime every function declares. python3.14 is the newest Lambda runtime;
# python3.13 is supported until 2029 and is what Powertools' wheels and this
# kit's tests cover. The emulator itself runs functions on the host interpreter.
DEFAULT_RUNTIME = "python3.13"

# Host names that only ever mean "an emulator": docker-compose service names and
# LocalStack's wildcard DNS name, which resolves to 127.0.0.1.
EMULATOR_HOSTS = frozenset({"localhost", "localstack", "ministack", "localhost.localstack.cloud"})


@dataclass(frozen=True)
class Backend:
    """Where the kit's AWS calls go."""

    kind: str  # "embedded" | "localstack" | "url"
    endpoint: str

    @property
    def port(self) -> int:
        parts = split_url(self.endpoint)
        return parts.port or (443 if parts.scheme == "https" else 80)

    @property
    def host(self) -> str:
        return split_url(self.endpoint).host


# --- one strict reading of a URL ----------------------------------------------------------------
#
# Python's urlsplit, urllib3 and the WHATWG parsers disagree on URLs with a backslash, user info,
# percent-escapes, spaces or numeric hosts such as 2130706433 or 0x7f.1 (urlsplit reads the host of
# ``http://10.0.0.1\@127.0.0.1:4566`` as 127.0.0.1, urllib3 connects to 10.0.0.1). The kit reads a
# URL once, with rules every parser agrees on, refuses anything else before it sends a byte, and
# rebuilds the endpoint from the parts it checked.

_AUTHORITY = re.compile(r"(?P<host>\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?\Z")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
_NUMERIC_LABEL = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)\Z")
_ENDPOINT_PATH = re.compile(r"(?:/[A-Za-z0-9._~-]*)*\Z")
_EXAMPLE = "http://127.0.0.1:4566"


@dataclass(frozen=True)
class UrlParts:
    """A URL read strictly: ``scheme://host[:port]`` and the rest (path, query), as sent."""

    scheme: str
    host: str  # lower case; an IPv6 address without its brackets
    port: int | None
    rest: str

    @property
    def origin(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}" + (f":{self.port}" if self.port is not None else "")


def as_typed(text: object) -> str:
    """``text`` in quotes as the user typed it (a backslash stays one backslash, not repr's two);
    only an unprintable character (a newline, a tab, a NUL) is written as its escape, so the
    sentence stays on one line."""
    return "'" + "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text)) + "'"


def _refuse(url: str, reason: str) -> LabError:
    shown = url if len(url) <= 120 else url[:117] + "..."
    return LabError(f"Refusing the URL {as_typed(shown)}: {reason}; write it plainly, e.g. {_EXAMPLE}.")


def split_url(url: str) -> UrlParts:
    """``url`` read with rules every URL parser agrees on, or a LabError (nothing is sent).

    Refused: anything but http(s); user info (``user@``); a backslash, a percent-escape, a space,
    a control or non-ASCII character anywhere; a host that is not a plain name, a dotted IPv4
    address or a bracketed IPv6 address (numeric forms such as ``2130706433``, ``0x7f.1`` or
    ``017700000001``, a trailing dot, an IPv6 zone); a port that is not 1-65535.
    """
    if not isinstance(url, str):
        raise LabError(f"A URL must be text, not {type(url).__name__}.")
    if "\\" in url:
        raise _refuse(url, "it contains a backslash, which URL parsers read differently")
    if any(ord(c) <= 0x20 or ord(c) >= 0x7F for c in url):
        raise _refuse(url, "it contains a space, a control character or a non-ASCII character")
    scheme, sep, after = url.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in ("http", "https"):
        raise _refuse(url, "only http:// and https:// URLs are used")
    cut = min((i for i in (after.find(c) for c in "/?#") if i >= 0), default=len(after))
    authority, rest = after[:cut], after[cut:]
    if "@" in authority:
        raise _refuse(url, "it carries user info (an @ before the host), which hides the real host")
    if "%" in authority:
        raise _refuse(url, "its host is percent-encoded, which URL parsers decode differently")
    match = _AUTHORITY.match(authority.lower())
    if not match:
        raise _refuse(url, "its host and port are not a plain name, IP address and port number")
    host = _check_host(url, match["host"])
    port = None
    if match["port"] is not None:
        port = int(match["port"])
        if not 1 <= port <= 65535:
            raise _refuse(url, "its port is not between 1 and 65535")
    return UrlParts(scheme, host, port, rest)


def _check_host(url: str, host: str) -> str:
    if host.startswith("["):
        try:
            address = ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise _refuse(url, "its IPv6 address is not valid") from None
        return str(address)
    if host.endswith("."):
        raise _refuse(url, "its host ends with a dot, which resolves differently from the same name without it")
    labels = host.split(".")
    if _NUMERIC_LABEL.match(labels[-1]):
        try:
            address4: ipaddress.IPv4Address | None = ipaddress.IPv4Address(host)
        except ValueError:
            address4 = None
        if address4 is None or str(address4) != host:
            raise _refuse(url, "its host is a numeric form (decimal, octal or hex) that parsers read differently")
        return host
    if len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise _refuse(url, "its host is not a valid host name")
    return host


def is_loopback_address(host: str) -> bool:
    """True when ``host`` is an IP address on this machine (an IPv4-mapped IPv6 address by its IPv4)."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def is_emulator_name(host: str) -> bool:
    """A host *name* (not an address) that only ever means an emulator; it must still resolve to
    loopback before the kit uses it without the opt-in (:func:`reference_app.lab.net.check_endpoint`)."""
    host = host.lower()
    return host in EMULATOR_HOSTS or host.endswith(".localhost.localstack.cloud")


def _port(port: int | str | None) -> int:
    raw = port if port is not None else os.environ.get(PORT_ENV, DEFAULT_PORT)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise LabError(f"{PORT_ENV} must be a port number, not {as_typed(raw)}.") from None
    if not 1 <= value <= 65535:
        raise LabError(f"{PORT_ENV} must be between 1 and 65535, not {value}.")
    return value


def resolve_backend(value: str | None = None, port: int | str | None = None) -> Backend:
    """The backend named by ``value``, else by ``LAMBDA_LAB_BACKEND``, else the emulator the
    learner's room shares, else ``embedded``."""
    choice = (value or os.environ.get(BACKEND_ENV) or _room_emulator() or "embedded").strip()
    if choice in ("embedded", "localstack"):
        return Backend(choice, f"http://127.0.0.1:{_port(port)}")
    if choice.lower().startswith(("http://", "https://")):
        parts = split_url(choice)
        if not _ENDPOINT_PATH.match(parts.rest):
            raise _refuse(choice, "an emulator's URL has no query, fragment or unusual path characters")
        return Backend("url", parts.origin + parts.rest.rstrip("/"))
    raise LabError(f"{BACKEND_ENV} must be 'embedded', 'localstack' or an http(s):// URL, not {as_typed(choice)}.")


def _room_emulator() -> str | None:
    member = membership.load()
    return member.emulator if member is not None else None


def account_id(backend: Backend) -> str:
    """The 12-digit account the kit's requests to ``backend`` run in.

    The learner's own emulator (embedded, localstack) holds only their resources: its
    default account (``LAMBDA_LAB_ACCOUNT`` overrides it). A URL backend may be shared by a
    room, so there every learner works in an account of their own, and the emulator keeps
    each account's resources apart.
    """
    if backend.kind == "url":
        return membership.learner_account()
    return membership.explicit_account() or ACCOUNT_ID


def is_local_host(host: str) -> bool:
    """True for loopback addresses and the emulator host names (which must also *resolve* to
    loopback: :func:`reference_app.lab.net.check_endpoint` checks that)."""
    host = host.strip("[]").lower()
    return is_emulator_name(host) or is_loopback_address(host)


def remote_allowed() -> bool:
    return os.environ.get(ALLOW_REMOTE_ENV, "").strip().lower() in ("1", "true", "yes")
