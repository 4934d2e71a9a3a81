"""The instructor's collector: ``lambda-lab room serve``, a small HTTP endpoint for one room.

Learners who joined the room (``lambda-lab room join URL --name NAME --code CODE``) post their
whole progress after every ``lambda-lab check`` / ``lab.check``; the instructor's views
(``lambda-lab room``, ``lab.room_view()``) read it back. Everything is JSON:

``GET /room``
    what a learner needs to join: the room's title and the emulator it shares, if any.
``POST /join`` ``{"name", "code", "key"}``
    ``code`` is the room's join code (``serve`` prints it; the instructor gives it out). ``key``
    is derived on the learner's machine (:func:`reference_app.lab.room.reporting.learner_key`)
    and proves it is the same learner when they join again. The answer is a per-learner
    ``token`` every report must carry and, when the room shares an emulator, the learner's
    own ``account`` and ``secret`` there (:mod:`reference_app.lab.accounts.credentials`). A name is the first joiner's:
    names are compared after folding case and look-alike letters (:func:`.names.fold`), so
    nobody else joins as ``ada``, or as ``Ada`` spelt with a Cyrillic ``A`` (409).
``POST /report`` ``{"token", "progress": {exercise: {status, attempts, failed_checks, ...}}}``
    a learner's progress, replacing what they sent before (401 without a valid token).
``GET /progress`` with ``Authorization: Bearer <instructor key>``
    every learner's progress, for the instructor's views (the key is written beside the
    room's data, where ``lambda-lab room`` on the same machine finds it).

The room's data (``progress.json``, with hashes of the learners' keys and tokens, never the
keys) and the instructor's key and secrets live in the instructor's home under ``room/``,
readable by the instructor only (0600 files in a 0700 folder), and survive a restart.
Requests are small and few (one per check); :mod:`.limits` bounds what one address can take.
Whatever a learner writes is stripped of control characters here (:func:`.names.clean_text`)
and escaped again where it is shown.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from .. import course
from ..accounts.credentials import FILE as CREDENTIALS_FILE
from ..accounts.credentials import Registry, write_private
from ..accounts.membership import check_name
from ..config import lab_home
from ..errors import LabError
from . import limits
from .names import clean_text, fold

MAX_BODY = 64 * 1024
MAX_LEARNERS = 5000  # a safety net for the disk, far above any room; limits.RATES keep junk joins slow
STATUSES = ("passed", "failed", "not started yet", "syntax error")
INSTRUCTOR_FILE = "instructor.json"
DATA_FILE = "progress.json"
ROOM_DIR_ENV = "LAMBDA_LAB_ROOM_DIR"


def room_dir() -> Path:
    """The folder that holds the room's data and the instructor's key (created, the instructor's only)."""
    override = os.environ.get(ROOM_DIR_ENV)
    folder = Path(override) if override else lab_home() / "room"
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


@dataclass(frozen=True)
class Instructor:
    url: str
    key: str
    code: str = ""  # the join code learners need


def instructor() -> Instructor | None:
    """The collector this machine runs (its URL, key and join code), as ``serve`` wrote it."""
    try:
        raw = json.loads((room_dir() / INSTRUCTOR_FILE).read_text(encoding="utf-8"))
        return Instructor(raw["url"], raw["key"], raw.get("code", ""))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_join_code() -> str:
    """Ten letters and digits, easy to read out (no 0/O, 1/I/L): about 2^50 codes."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _same_code(given: str, code: str) -> bool:
    normal = given.strip().upper().replace("-", "").replace(" ", "")
    return secrets.compare_digest(normal.encode(), code.replace("-", "").encode())


class Store:
    """The room's progress, one entry per learner, kept in ``progress.json`` (0600)."""

    def __init__(self, folder: Path, registry: Registry | None = None):
        self.path = folder / DATA_FILE
        self.lock = threading.Lock()
        self.registry = registry
        try:
            self.data = json.loads(self.path.read_text(encoding="utf-8"))
            if self.path.stat().st_mode & 0o077:
                os.chmod(self.path, 0o600)
        except (OSError, ValueError):
            self.data = {"learners": {}}
        learners = self.data["learners"]
        for name, entry in list(learners.items()):
            if "key" in entry or "token" not in entry:  # written before tokens: join again
                del learners[name]
        self.tokens = {e["token"]: name for name, e in learners.items()}

    def _save(self) -> None:
        write_private(self.path, json.dumps(self.data, indent=1, sort_keys=True))

    def join(self, name: str, key: str) -> tuple[int, dict[str, Any]]:
        """Admit ``name`` (or the same learner again); the HTTP status and the answer."""
        now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        folded, key_hash = fold(name), _digest(key)
        token = secrets.token_urlsafe(24)
        with self.lock:
            learners = self.data["learners"]
            mine = next((n for n, e in learners.items() if secrets.compare_digest(e["key_hash"], key_hash)), None)
            taken = next((n for n, e in learners.items() if e["folded"] == folded), None)
            if taken is not None and taken != mine:
                return 409, {
                    "message": "that name (or one that looks the same) is taken in this room; join with another"
                }
            if mine is None:
                if len(learners) >= MAX_LEARNERS:
                    return 429, {"message": "the room is full"}
                entry: dict[str, Any] = {"key_hash": key_hash, "joined": now, "progress": {}}
                if self.registry is not None:
                    entry["account"], _ = self.registry.issue()
            else:
                entry = learners.pop(mine)
                self.tokens.pop(entry["token"], None)
            entry.update(folded=folded, token=_digest(token), seen=now)
            learners[name] = entry
            self.tokens[entry["token"]] = name
            self._save()
            answer: dict[str, Any] = {"token": token, "name": name}
            if "account" in entry and self.registry is not None:
                answer.update(account=entry["account"], secret=self.registry.accounts[entry["account"]])
        return 200, answer

    def new_name(self, name: str, key: str) -> bool:
        """True when joining as ``name`` with ``key`` would add a learner (not the same one again)."""
        key_hash = _digest(key)
        with self.lock:
            return not any(secrets.compare_digest(e["key_hash"], key_hash) for e in self.data["learners"].values())

    def report(self, token: str, progress: dict[str, Any]) -> int:
        """Record the progress of the learner ``token`` belongs to; the HTTP status to answer with."""
        now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        with self.lock:
            name = self.tokens.get(_digest(token))
            if name is None:
                return 401
            entry = self.data["learners"][name]
            entry["progress"] = progress
            entry["seen"] = now
            self._save()
        return 204

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "learners": {
                    name: {"joined": e["joined"], "seen": e.get("seen", e["joined"]), "progress": e["progress"]}
                    for name, e in self.data["learners"].items()
                }
            }


def _count(value: Any) -> int:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() and len(str(value)) < 7 else 0


def clean_progress(raw: Any) -> dict[str, Any] | None:
    """The fields the views use, for known exercises only, every text stripped of control characters;
    None when ``raw`` is not progress."""
    if not isinstance(raw, dict):
        return None
    known = {e.id for e in course.load().exercises}
    clean = {}
    for exercise, entry in raw.items():
        if exercise not in known or not isinstance(entry, dict):
            continue
        status = entry.get("status")
        failed = entry.get("failed_checks") or []
        clean[exercise] = {
            "status": status if status in STATUSES else "failed",
            "attempts": _count(entry.get("attempts", 0)),
            "failed_checks": [clean_text(f) for f in failed[:20]] if isinstance(failed, list) else [],
            "last_attempt": clean_text(entry.get("last_attempt", ""), 40),
            "hint_level": _count(entry.get("hint_level", 0)),
        }
    return clean


class BadRequest(Exception):
    pass


class RoomHandler(BaseHTTPRequestHandler):
    """One request to the collector; :func:`make_handler` gives it the room."""

    server_version = "lambda-lab-room"
    store: Store
    info: dict[str, Any]
    instructor_key: str
    join_code: str
    buckets: limits.Buckets
    timeout = limits.SOCKET_TIMEOUT_S

    def _answer(self, status: int, doc: Any = None, retry_after: float | None = None) -> None:
        body = b"" if doc is None else json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if retry_after is not None:
            self.send_header("Retry-After", str(max(1, int(retry_after + 0.999))))
        self.end_headers()
        self.wfile.write(body)

    def _slow_down(self, wait: float) -> None:
        self._answer(429, {"message": f"too many requests from your address; try again in {wait:.0f} s"}, wait)

    @property
    def address(self) -> str:
        return self.client_address[0]

    def _body(self) -> dict:
        raw = self.headers.get("Content-Length", "")
        if not raw.strip().isdigit():
            raise BadRequest("a request needs a Content-Length that is a number")
        length = int(raw)
        if not 0 < length <= MAX_BODY:
            raise BadRequest("too large" if length else "empty")
        doc = json.loads(self.rfile.read(length))
        if not isinstance(doc, dict):
            raise BadRequest("the body is a JSON object")
        return doc

    def do_GET(self) -> None:
        wait = self.buckets.wait("request", self.address)
        if wait:
            return self._slow_down(wait)
        if self.path == "/room":
            return self._answer(200, self.info)
        if self.path == "/progress":
            given = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            if not secrets.compare_digest(given.encode(), self.instructor_key.encode()):
                return self._answer(401, {"message": "the instructor's key is needed"})
            return self._answer(200, self.store.snapshot())
        return self._answer(404, {"message": "not found"})

    def do_POST(self) -> None:
        wait = self.buckets.wait("request", self.address)
        if wait:
            return self._slow_down(wait)
        if self.path not in ("/join", "/report"):
            return self._answer(404, {"message": "not found"})
        try:
            doc = self._body()
        except (BadRequest, ValueError, OSError) as exc:
            message = str(exc) if isinstance(exc, BadRequest) else "the body is not JSON"
            return self._answer(413 if message == "too large" else 400, {"message": message})
        if self.path == "/join":
            return self._join(doc)
        progress = clean_progress(doc.get("progress", {}))
        token = doc.get("token")
        if progress is None or not isinstance(token, str):
            return self._answer(400, {"message": "a report is {token, progress}"})
        status = self.store.report(token, progress)
        if status == 401:
            return self._answer(401, {"message": "join the room first (lambda-lab room join)"})
        return self._answer(status)

    def _join(self, doc: dict) -> None:
        wait = self.buckets.blocked("bad code", self.address)
        if wait:
            return self._slow_down(wait)
        if not _same_code(str(doc.get("code", "")), self.join_code):
            self.buckets.spend("bad code", self.address)
            return self._answer(403, {"message": "that is not this room's join code; ask the instructor"})
        try:
            name = check_name(str(doc["name"]))
            key = str(doc["key"])
        except (KeyError, LabError):
            return self._answer(400, {"message": "a join is {name, code, key}, with a plain name"})
        if not 16 <= len(key) <= 128:
            return self._answer(400, {"message": "a join is {name, code, key}, with a plain name"})
        if self.store.new_name(name, key):
            wait = self.buckets.wait("new learner", self.address)
            if wait:
                return self._slow_down(wait)
        status, answer = self.store.join(name, key)
        return self._answer(status, answer)

    def log_message(self, *args: Any) -> None:  # the instructor's terminal shows the table, not a log
        pass


def make_handler(
    store: Store, info: dict[str, Any], instructor_key: str, join_code: str, buckets: limits.Buckets | None = None
) -> type[RoomHandler]:
    return type(
        "Handler",
        (RoomHandler,),
        {
            "store": store,
            "info": info,
            "instructor_key": instructor_key,
            "join_code": join_code,
            "buckets": buckets or limits.Buckets(),
        },
    )


def make_server(
    host: str = "127.0.0.1",
    port: int = 8765,
    emulator: str | None = None,
    title: str = "lambda-lab",
    credentials: Path | None = None,
) -> tuple[limits.BoundedServer, Instructor]:
    """A collector bound to ``host:port`` (not yet serving), and the instructor's URL, key and join code.

    With ``emulator`` (the room shares one), every learner who joins gets an account of their own
    there, recorded in ``credentials.json`` beside the room's data (or in ``credentials``; see
    :mod:`reference_app.lab.accounts.credentials`)."""
    folder = room_dir()
    previous = instructor()
    key = previous.key if previous is not None else secrets.token_urlsafe(24)
    code = previous.code if previous is not None and previous.code else new_join_code()
    info = {"room": title, "emulator": emulator, "exercises": [e.id for e in course.load().exercises]}
    registry = Registry(credentials or folder / CREDENTIALS_FILE) if emulator else None
    server = limits.BoundedServer((host, port), make_handler(Store(folder, registry), info, key, code))
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    me = Instructor(f"http://{shown}:{server.server_port}", key, code)
    write_private(folder / INSTRUCTOR_FILE, json.dumps({"url": me.url, "key": me.key, "code": me.code}))
    return server, me
