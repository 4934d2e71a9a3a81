"""Who the learner is in a room, kept in the per-user home (``room.json``); a leaf module.

``lambda-lab room join URL --name NAME`` writes it; nothing else does. It holds the
room's URL (the instructor's collector), the display name, and the shared emulator the
room advertises, if any. Two things follow from it:

* **the opt-in**: the room's host is the one host off this machine that the kit's
  network guard (:func:`reference_app.lab.net.check_endpoint`) lets through without
  ``LAMBDA_LAB_ALLOW_REMOTE=1``. Joining names it; nothing is sent anywhere before.
* **the backend**: when the room shares an emulator, it is the learner's backend unless
  ``LAMBDA_LAB_BACKEND`` says otherwise.

**The learner's account** on an emulator shared with others (any URL backend): every
request is signed with the learner's own 12-digit account id, so the emulator keeps each
learner's resources apart (ministack is multi-tenant by account: nobody can even list
another account's resources). The id is derived from a secret made once per home folder
(``identity``), not from the display name: two learners who pick the same name never
share an account, nobody can work out another learner's account from a name, and it needs
no set-up, room or not. ``LAMBDA_LAB_ACCOUNT`` overrides it.

It imports only :mod:`reference_app.lab.locations`, so the guard and the client factory can use it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import LabError
from ..locations import lab_home, lab_home_path

FILE = "room.json"
IDENTITY_FILE = "identity"
ACCOUNT_ENV = "LAMBDA_LAB_ACCOUNT"
NAME_RE = re.compile(r"^[\w][\w .'-]{0,39}$", re.UNICODE)
_ACCOUNT_RE = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class Membership:
    """The room this learner joined."""

    url: str  # the instructor's collector, e.g. http://10.0.0.5:8765
    name: str  # the display name the instructor sees
    emulator: str | None = None  # the emulator the room shares, if any
    token: str = ""  # what every report carries (the collector issued it at join)
    account: str = ""  # the learner's account on the room's emulator, issued at join ...
    secret: str = ""  # ... and its secret access key: the emulator checks every signature against it

    def __repr__(self) -> str:  # never show the token or the secret in a notebook's output
        return f"Membership(url={self.url!r}, name={self.name!r}, emulator={self.emulator!r}, account={self.account!r})"

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()


def account_for(identity: str) -> str:
    """A stable 12-digit account id for ``identity``, never ``000000000000`` (everyone's default)."""
    number = int.from_bytes(hashlib.sha256(identity.encode("utf-8")).digest()[:8], "big") % 10**12
    return f"{max(number, 1):012d}"


def check_name(name: str) -> str:
    name = name.strip()
    if not NAME_RE.match(name):
        raise LabError(
            f"{name!r} cannot be your name in the room: use 1 to 40 letters, digits, spaces, dots, dashes or quotes."
        )
    return name


def path() -> Path:
    return lab_home_path() / FILE


def load() -> Membership | None:
    """The room this learner joined, or None (also for a damaged file: the learner joins again)."""
    try:
        raw = json.loads(path().read_text(encoding="utf-8"))
        return Membership(
            raw["url"],
            raw["name"],
            raw.get("emulator"),
            str(raw.get("token", "")),
            str(raw.get("account", "")),
            str(raw.get("secret", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write(name: str, text: str) -> None:
    target = lab_home() / name
    tmp = target.with_name(f".{name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(target)  # atomic: a reader sees the old file or the new one
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _write_error(target, exc) from None


def _write_error(target: Path, exc: OSError) -> LabError:
    return LabError(f"Cannot write {target} ({exc.strerror}); free some space there or fix its permissions.")


def save(
    url: str, name: str, emulator: str | None = None, token: str = "", account: str = "", secret: str = ""
) -> Membership:
    """Record the membership (joining again replaces it); the file is the learner's only (0600)."""
    if account and not _ACCOUNT_RE.match(account):
        raise LabError(f"The room gave {account!r} as your account; it must be 12 digits. Join again.")
    member = Membership(
        url.rstrip("/"), check_name(name), emulator.rstrip("/") if emulator else None, token, account, secret
    )
    _write(FILE, json.dumps(asdict(member), indent=2))
    return member


def forget() -> Membership | None:
    """Leave the room: the kit sends nothing there any more. Returns the room left, if any."""
    member = load()
    path().unlink(missing_ok=True)
    return member


def allowed_host() -> str | None:
    """The one host off this machine the learner opted in to by joining its room."""
    member = load()
    return member.host if member is not None else None


def explicit_account() -> str | None:
    """``LAMBDA_LAB_ACCOUNT``, checked, or None."""
    explicit = os.environ.get(ACCOUNT_ENV, "").strip()
    if not explicit:
        return None
    if not _ACCOUNT_RE.match(explicit) or explicit == "000000000000":
        raise LabError(f"{ACCOUNT_ENV} must be 12 digits (not 000000000000, everyone's default), not {explicit!r}.")
    return explicit


def learner_account() -> str:
    """The learner's own account on a shared emulator: ``LAMBDA_LAB_ACCOUNT``, else the one the
    room issued at join, else the one derived from this home folder's secret (made on first use,
    kept across sessions)."""
    explicit = explicit_account()
    if explicit:
        return explicit
    member = load()
    if member is not None and member.account:
        return member.account
    return account_for(identity_secret())


def secret_for(account: str) -> str | None:
    """The secret access key the room issued for ``account``, if this learner holds it: from joining a
    room that shares an emulator, or (on a hub) from the learner's own credentials file, which only
    the learner's Unix user can read (``LAMBDA_LAB_ROOM_CREDENTIALS``)."""
    member = load()
    if member is not None and member.account == account and member.secret:
        return member.secret
    own = os.environ.get("LAMBDA_LAB_ROOM_CREDENTIALS")
    if own and os.environ.get("LAMBDA_LAB_EMULATOR_GATE") == "owner":
        try:
            secret = json.loads(Path(own).read_text(encoding="utf-8"))["accounts"].get(account)
            return str(secret) if secret else None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
    return None


def identity_secret() -> str:
    """This home folder's secret (made on first use): the learner's account and room key derive from it."""
    target = lab_home_path() / IDENTITY_FILE
    try:
        return _valid_secret(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    # First use: write it aside, then link it into place, which fails if another process won
    # the race; either way every process reads back the one secret that stays.
    home = lab_home()
    tmp = home / f".{IDENTITY_FILE}.{os.getpid()}.tmp"
    try:
        tmp.write_text(secrets.token_hex(16) + "\n", encoding="utf-8")
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, target)
        except FileExistsError:
            pass
        return _valid_secret(target.read_text(encoding="utf-8"))
    except ValueError:  # a damaged file: replace it
        tmp.replace(target)
        return _valid_secret(target.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _write_error(target, exc) from None
    finally:
        tmp.unlink(missing_ok=True)


def _valid_secret(text: str) -> str:
    secret = text.strip()
    if not re.fullmatch(r"[0-9a-f]{32}", secret):
        raise ValueError("not a secret")
    return secret
