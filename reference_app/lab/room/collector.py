"""The instructor's collector: ``lambda-lab room serve``, a small HTTP endpoint for one room.

Learners who joined the room (``lambda-lab room join URL --name NAME``) post their whole
progress after every ``lambda-lab check`` / ``lab.check``; the instructor's views
(``lambda-lab room``, ``lab.room_view()``) read it back. Everything is JSON:

``GET /room``
    what a learner needs to join: the room's title and the emulator it shares, if any.
``POST /report`` ``{"name", "key", "progress": {exercise: {status, attempts, failed_checks, ...}}}``
    a learner's progress, replacing what they sent before. ``key`` is derived on the
    learner's machine (:func:`reference_app.lab.room.reporting.learner_key`); the first key a
    name is seen with keeps the name, so nobody can report as someone else (409).
``GET /progress`` with ``Authorization: Bearer <instructor key>``
    every learner's progress, for the instructor's views (the key is written beside the
    room's data, where ``lambda-lab room`` on the same machine finds it).

The room's data (``progress.json``) lives in the instructor's home, under ``room/``, and
survives a restart of the collector. Requests are small and few (one per check), so one
thread per request and a lock around the file are plenty for a room of hundreds.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .. import course
from ..config import lab_home
from .membership import check_name

MAX_BODY = 64 * 1024
MAX_LEARNERS = 500
STATUSES = ("passed", "failed", "not started yet", "syntax error")
INSTRUCTOR_FILE = "instructor.json"
DATA_FILE = "progress.json"
ROOM_DIR_ENV = "LAMBDA_LAB_ROOM_DIR"


def room_dir() -> Path:
    """The folder that holds the room's data and the instructor's key (created)."""
    override = os.environ.get(ROOM_DIR_ENV)
    folder = Path(override) if override else lab_home() / "room"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass(frozen=True)
class Instructor:
    url: str
    key: str


def instructor() -> Instructor | None:
    """The collector this machine runs (its URL and key), as ``serve`` wrote it."""
    try:
        raw = json.loads((room_dir() / INSTRUCTOR_FILE).read_text(encoding="utf-8"))
        return Instructor(raw["url"], raw["key"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


class Store:
    """The room's progress, one entry per learner, kept in ``progress.json``."""

    def __init__(self, folder: Path):
        self.path = folder / DATA_FILE
        self.lock = threading.Lock()
        try:
            self.data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.data = {"learners": {}}

    def _save(self) -> None:
        tmp = self.path.with_name(f".{DATA_FILE}.tmp")
        tmp.write_text(json.dumps(self.data, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(self.path)

    def report(self, name: str, key: str, progress: dict[str, Any]) -> int:
        """Record a learner's progress; the HTTP status to answer with."""
        now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        with self.lock:
            learners = self.data["learners"]
            entry = learners.get(name)
            if entry is not None and not secrets.compare_digest(entry["key"], key):
                return 409
            if entry is None:
                if len(learners) >= MAX_LEARNERS:
                    return 429
                entry = learners[name] = {"key": key, "joined": now, "progress": {}}
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


def clean_progress(raw: Any) -> dict[str, Any] | None:
    """The fields the views use, for known exercises only; None when ``raw`` is not progress."""
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
            "attempts": int(entry.get("attempts", 0)) if str(entry.get("attempts", 0)).isdigit() else 0,
            "failed_checks": [str(f)[:200] for f in failed[:20]] if isinstance(failed, list) else [],
            "last_attempt": str(entry.get("last_attempt", ""))[:40],
            "hint_level": int(entry.get("hint_level", 0)) if str(entry.get("hint_level", 0)).isdigit() else 0,
        }
    return clean


def make_handler(store: Store, info: dict[str, Any], instructor_key: str):
    class Handler(BaseHTTPRequestHandler):
        server_version = "lambda-lab-room"

        def _answer(self, status: int, doc: Any = None) -> None:
            body = b"" if doc is None else json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path == "/room":
                return self._answer(200, info)
            if self.path == "/progress":
                given = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
                if not secrets.compare_digest(given, instructor_key):
                    return self._answer(401, {"message": "the instructor's key is needed"})
                return self._answer(200, store.snapshot())
            return self._answer(404, {"message": "not found"})

        def do_POST(self) -> None:
            if self.path != "/report":
                return self._answer(404, {"message": "not found"})
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 < length <= MAX_BODY:
                return self._answer(413, {"message": "too large"})
            try:
                doc = json.loads(self.rfile.read(length))
                name = check_name(str(doc["name"]))
                key = str(doc["key"])
                progress = clean_progress(doc.get("progress", {}))
            except Exception:
                return self._answer(400, {"message": "a report is {name, key, progress}"})
            if progress is None or not 16 <= len(key) <= 128:
                return self._answer(400, {"message": "a report is {name, key, progress}"})
            status = store.report(name, key, progress)
            messages = {409: "that name is taken in this room; join with another",
                        429: "the room is full"}
            return self._answer(status, {"message": messages[status]} if status in messages else None)

        def log_message(self, *args: Any) -> None:  # the instructor's terminal shows the table, not a log
            pass

    return Handler


def make_server(host: str = "127.0.0.1", port: int = 8765, emulator: str | None = None,
                title: str = "lambda-lab") -> tuple[ThreadingHTTPServer, Instructor]:
    """A collector bound to ``host:port`` (not yet serving), and the instructor's URL and key."""
    folder = room_dir()
    previous = instructor()
    key = previous.key if previous is not None else secrets.token_urlsafe(24)
    info = {"room": title, "emulator": emulator, "exercises": [e.id for e in course.load().exercises]}
    server = ThreadingHTTPServer((host, port), make_handler(Store(folder), info, key))
    server.daemon_threads = True
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    me = Instructor(f"http://{shown}:{server.server_port}", key)
    target = folder / INSTRUCTOR_FILE
    target.write_text(json.dumps({"url": me.url, "key": me.key}), encoding="utf-8")
    os.chmod(target, 0o600)
    return server, me
