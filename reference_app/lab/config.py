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
which others may share (:mod:`reference_app.lab.room.membership`).
"""

from __future__ import annotations

import errno
import ipaddress
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from .errors import LabError

BACKEND_ENV = "LAMBDA_LAB_BACKEND"
PORT_ENV = "LAMBDA_LAB_PORT"
HOME_ENV = "LAMBDA_LAB_HOME"
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
        parts = urlsplit(self.endpoint)
        return parts.port or (443 if parts.scheme == "https" else 80)

    @property
    def host(self) -> str:
        return urlsplit(self.endpoint).hostname or ""


def _port(port: int | str | None) -> int:
    raw = port if port is not None else os.environ.get(PORT_ENV, DEFAULT_PORT)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise LabError(f"{PORT_ENV} must be a port number, not {raw!r}.") from None
    if not 1 <= value <= 65535:
        raise LabError(f"{PORT_ENV} must be between 1 and 65535, not {value}.")
    return value


def resolve_backend(value: str | None = None, port: int | str | None = None) -> Backend:
    """The backend named by ``value``, else by ``LAMBDA_LAB_BACKEND``, else the emulator the
    learner's room shares, else ``embedded``."""
    choice = (value or os.environ.get(BACKEND_ENV) or _room_emulator() or "embedded").strip()
    if choice in ("embedded", "localstack"):
        return Backend(choice, f"http://127.0.0.1:{_port(port)}")
    parts = urlsplit(choice)
    if parts.scheme in ("http", "https") and parts.hostname:
        try:
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise LabError(f"The backend URL {choice!r} has an invalid port.") from None
        return Backend("url", choice.rstrip("/"))
    raise LabError(
        f"{BACKEND_ENV} must be 'embedded', 'localstack' or an http(s):// URL, not {choice!r}."
    )


def _room_emulator() -> str | None:
    from .room import membership

    member = membership.load()
    return member.emulator if member is not None else None


def account_id(backend: Backend) -> str:
    """The 12-digit account the kit's requests to ``backend`` run in.

    The learner's own emulator (embedded, localstack) holds only their resources: its
    default account (``LAMBDA_LAB_ACCOUNT`` overrides it). A URL backend may be shared by a
    room, so there every learner works in an account of their own, and the emulator keeps
    each account's resources apart.
    """
    from .room import membership

    if backend.kind == "url":
        return membership.learner_account()
    return membership.explicit_account() or ACCOUNT_ID


def is_local_host(host: str) -> bool:
    """True for loopback addresses and the emulator host names."""
    host = host.strip("[]").lower()
    if host in EMULATOR_HOSTS or host.endswith(".localhost.localstack.cloud"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def remote_allowed() -> bool:
    return os.environ.get(ALLOW_REMOTE_ENV, "").strip().lower() in ("1", "true", "yes")


def lab_home_path() -> Path:
    """The per-user folder for emulator state, logs, pid files and build caches (not created)."""
    override = os.environ.get(HOME_ENV)
    return Path(override) if override else Path(platformdirs.user_state_dir("lambda-lab"))


def lab_home() -> Path:
    """:func:`lab_home_path`, created if missing."""
    home = lab_home_path()
    with writing(home):
        home.mkdir(parents=True, exist_ok=True)
    return home


_WRITE_ERRORS = {
    errno.ENOSPC: ("the disk is full", "free some space{or_move}"),
    errno.EDQUOT: ("you are over your disk quota", "free some space{or_move}"),
    errno.EROFS: ("it is on a read-only file system", "{move}"),
    errno.EACCES: ("permission denied", "fix its permissions{or_move}"),
    errno.EPERM: ("permission denied", "fix its permissions{or_move}"),
    errno.ENOTDIR: ("a file stands where a folder should be", "move that file{or_move}"),
}
WRITE_ERRNOS = frozenset(_WRITE_ERRORS)


def write_error(folder: Path, exc: OSError) -> LabError:
    """One sentence for a failed write under ``folder``: what is wrong there and what to do."""
    reason, fix = _WRITE_ERRORS.get(exc.errno or 0, (exc.strerror or str(exc), "see its permissions and free space"))
    ours = Path(folder).is_relative_to(lab_home_path())
    move = f"set {HOME_ENV} to a writable folder" if ours else "make it writable"
    or_move = f", or set {HOME_ENV} to a folder on another disk" if ours else ""
    return LabError(f"Cannot write to {folder}: {reason}; {fix.format(move=move, or_move=or_move)}.")


@contextmanager
def writing(folder: Path):
    """Turn a failed write (disk full, read-only, no permission) under ``folder`` into a LabError."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in _WRITE_ERRORS:
            raise
        failed = Path(os.fsdecode(exc.filename)) if exc.filename else None
        if failed is not None and not failed.is_relative_to(folder):
            folder = failed.parent  # e.g. the system's temp folder: name the one that is full
        raise write_error(folder, exc) from None
