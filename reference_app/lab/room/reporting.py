"""The learner's side of a room: join, leave, and report check results.

Nothing is sent anywhere until the learner joins (``lambda-lab room join URL --name NAME
--code CODE`` or ``lab.join_room(URL, NAME, CODE)``, with the join code the instructor gives
out): joining names the instructor's host, which is the
learner's opt-in for that host and no other (the network guard lets it through,
:func:`reference_app.lab.net.check_endpoint`). From then on every check posts the learner's
whole progress there (so a report that could not be sent is caught up by the next one),
until ``lambda-lab room leave``. Joining returns a per-learner token that every report
carries and, when the room shares an emulator, the learner's own account and secret there.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from .. import progress_store
from ..accounts import membership
from ..config import as_typed, split_url
from ..errors import LabError
from ..net import open_url

TIMEOUT_S = 3.0


def learner_key(url: str) -> str:
    """What proves to this room that a report comes from this learner (never the account)."""
    secret = membership.identity_secret()
    return hashlib.sha256(f"{secret}|room|{url.rstrip('/')}".encode()).hexdigest()


def _check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LabError(f"{as_typed(url)} is not a room's address; the instructor's looks like http://10.0.0.5:8765.")
    return split_url(url.strip()).origin  # one strict reading: joining opts in to exactly this host


def _request(url: str, doc: dict | None = None) -> dict:
    data = json.dumps(doc).encode() if doc is not None else None
    request = urllib.request.Request(
        url, data=data, method="POST" if doc is not None else "GET", headers={"Content-Type": "application/json"}
    )
    with open_url(request, timeout=TIMEOUT_S) as resp:
        body = resp.read()
    return json.loads(body) if body else {}


def _progress() -> dict:
    return progress_store.load()


def join(url: str, name: str, code: str) -> membership.Membership:
    """Join the room at ``url`` as ``name`` with the room's join ``code``: from now on, checks are reported there."""
    url = _check_url(url)
    name = membership.check_name(name)
    code = str(code or "").strip()
    if not code:
        raise LabError("Joining a room needs its join code: ask the instructor (`lambda-lab room serve` printed it).")
    previous = membership.load()
    member = membership.save(url, name)  # the opt-in for this host: the guard lets the calls below through
    try:
        info = _request(url + "/room")
        emulator = info.get("emulator") if isinstance(info, dict) else None
        emulator = _same_host(url, str(emulator)) if emulator else None
        admitted = _request(url + "/join", {"name": name, "code": code, "key": learner_key(url)})
        member = membership.save(
            url,
            name,
            emulator,
            str(admitted["token"]),
            str(admitted.get("account") or ""),
            str(admitted.get("secret") or ""),
        )
        _request(url + "/report", {"token": member.token, "progress": _progress()})
    except BaseException as exc:
        _restore(previous)
        if isinstance(exc, urllib.error.HTTPError) and exc.code == 409:
            raise LabError(
                f"Someone in the room at {url} already goes by {as_typed(name)} (or a name that looks the "
                "same); join with another name."
            ) from None
        if isinstance(exc, urllib.error.HTTPError) and exc.code == 403:
            refused = f"The room at {url} refused the join code {as_typed(code)}"
            raise LabError(f"{refused}; ask the instructor for it.") from None
        if isinstance(exc, urllib.error.HTTPError) and exc.code == 429:
            raise LabError(f"The room at {url} is busy; join again in a few seconds.") from None
        if isinstance(exc, (KeyError, TypeError)):
            raise LabError(f"The room at {url} did not admit you; check the address the instructor gave.") from None
        if isinstance(exc, (OSError, ValueError)):
            raise LabError(
                f"No room answers at {url} ({_reason(exc)}); check the address the instructor gave."
            ) from None
        raise
    return member


def _same_host(room_url: str, emulator: str) -> str:
    """The room's emulator, addressed through the host the learner reached the room on (a room
    that listens on every address advertises 127.0.0.1)."""
    parts = urlsplit(emulator)
    room_host = urlsplit(room_url).hostname or ""
    if parts.hostname in ("127.0.0.1", "localhost", "0.0.0.0") and parts.port:
        return f"{parts.scheme}://{room_host}:{parts.port}"
    return emulator.rstrip("/")


def _restore(previous: membership.Membership | None) -> None:
    if previous is None:
        membership.forget()
    else:
        membership.save(
            previous.url, previous.name, previous.emulator, previous.token, previous.account, previous.secret
        )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


def leave() -> str:
    member = membership.forget()
    if member is None:
        return "You are not in a room; nothing is sent anywhere."
    return f"Left the room at {member.url}: nothing is sent there any more."


def report() -> str | None:
    """Post the learner's progress to their room; one sentence on what happened, or None outside a room.

    Never raises: a room that does not answer must not fail a check (the next report catches up)."""
    member = membership.load()
    if member is None:
        return None
    try:
        if not member.token:
            return f"Not reported to the room at {member.url}: join it again (`lambda-lab room join`)."
        _request(member.url + "/report", {"token": member.token, "progress": _progress()})
    except Exception as exc:
        return f"Not reported to the room at {member.url} ({_reason(exc)}); the next check sends it again."
    return f"Reported to the room at {member.url} as {member.name}."


def join_room(url: str, name: str, code: str) -> str:
    """``lab.join_room(URL, NAME, CODE)``: join the instructor's room with its join code; your checks
    are reported there from now on."""
    member = join(url, name, code)
    shared = f"; your emulator is the room's, at {member.emulator}" if member.emulator else ""
    return f"Joined the room at {member.url} as {member.name}{shared}."


def leave_room() -> str:
    """``lab.leave_room()``: nothing is sent to the room any more."""
    return leave()
