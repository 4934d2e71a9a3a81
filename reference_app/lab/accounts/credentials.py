"""The room's secrets, in one file only the instructor's user can read (``credentials.json``, 0600).

* **the instructor's secret**: what the shared emulator's internal endpoints
  (``/_ministack/*``) ask for, sent as the ``X-Lambda-Lab-Instructor`` header;
* **one AWS account per learner** on the shared emulator: a 12-digit id and a secret
  access key, issued by the collector when the learner joins. The emulator verifies every
  signed request against the secret of the account it names
  (:mod:`reference_app.lab.emulator_patch.room_signatures`), so knowing another learner's account id is
  not enough to act in it.

The collector writes the file; the emulator (the same user, started by ``room serve``) reads
it again whenever it changes. Function workers never see it: they run in a sandbox that
hides the instructor's home and the room's folder (:mod:`reference_app.lab.emulator_patch.room_sandbox`).
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from pathlib import Path

FILE = "credentials.json"
PATH_ENV = "LAMBDA_LAB_ROOM_CREDENTIALS"  # set for the shared emulator by ``room serve --emulator``
INSTRUCTOR_HEADER = "x-lambda-lab-instructor"


def write_private(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` atomically, readable by its owner only (0600) from the first byte."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o600)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def admin_headers(home: Path) -> dict[str, str]:
    """The header that opens a room emulator's internal endpoints (``/_ministack/*``), when this user
    holds the instructor's secret: in ``$LAMBDA_LAB_ROOM_CREDENTIALS``, the room's folder or ``home``.
    Empty for everyone else, whose reset then stays refused by the emulator."""
    room = os.environ.get("LAMBDA_LAB_ROOM_DIR")
    candidates = [os.environ.get(PATH_ENV), room and str(Path(room) / FILE), home / "room" / FILE, home / FILE]
    for candidate in candidates:
        if not candidate:
            continue
        try:
            secret = json.loads(Path(candidate).read_text(encoding="utf-8"))["instructor"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(secret, str) and secret:
            return {INSTRUCTOR_HEADER: secret}
    return {}


class Registry:
    """The instructor's secret and every learner's account credentials, kept in ``path``."""

    def __init__(self, path: Path):
        self.path = path
        self.lock = threading.Lock()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            self.instructor, self.accounts = str(raw["instructor"]), dict(raw["accounts"])
        except (OSError, ValueError, KeyError, TypeError):
            self.instructor, self.accounts = secrets.token_urlsafe(32), {}
            self._save()

    def _save(self) -> None:
        write_private(self.path, json.dumps({"instructor": self.instructor, "accounts": self.accounts}))

    def issue(self) -> tuple[str, str]:
        """A new account: a 12-digit id nobody has (never ``000000000000``) and its secret."""
        with self.lock:
            while True:
                account = f"{secrets.randbelow(10**12 - 10**11) + 10**11:012d}"
                if account not in self.accounts:
                    break
            secret = secrets.token_urlsafe(30)
            self.accounts[account] = secret
            self._save()
        return account, secret


class Reader:
    """The emulator's view of the file: the secret of an account, read again when the file changes."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._stamp: tuple[int, int] | None = None
        self.instructor: str | None = None
        self.accounts: dict[str, str] = {}
        self.lock = threading.Lock()

    def _refresh(self) -> None:
        try:
            stat = self.path.stat()
        except OSError:
            return
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp == self._stamp:
            return
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            instructor, accounts = str(raw["instructor"]), dict(raw["accounts"])
        except (OSError, ValueError, KeyError, TypeError):
            return
        self.instructor, self.accounts, self._stamp = instructor, accounts, stamp

    def secret(self, account: str) -> str | None:
        with self.lock:
            if account not in self.accounts:
                self._refresh()
            return self.accounts.get(account)

    def instructor_secret(self) -> str | None:
        with self.lock:
            self._refresh()
            return self.instructor
