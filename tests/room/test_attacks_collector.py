"""The room's collector against a mischievous learner (issue 18): one test per attack.

GIVEN the instructor's collector (``lambda-lab room serve``) and Ada, who joined it with the
room's join code, WHEN someone tries what a classmate might (forge a learner, take a name,
flood joins, send escapes to the instructor's terminal, hold threads with half-sent
requests), THEN it fails and the honest learner is still served.
"""

import http.client
import json
import os
import socket
import stat
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reference_app import lab
from reference_app.lab.cli import app
from reference_app.lab.room import collector as collector_mod
from reference_app.lab.room import limits
from reference_app.lab.room.view import RoomView

EXERCISE = "handler-validation"
runner = CliRunner()


def _call(room, method, path, doc=None, *, source="127.0.0.1", raw_headers=None):
    host, port = room.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(source, 0))
    body = json.dumps(doc).encode() if doc is not None else None
    conn.request(method, path, body=body, headers=raw_headers or {"Content-Type": "application/json"})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, (json.loads(data) if data else None)


def _join(room, name, key, source="127.0.0.1", code=None):
    return _call(room, "POST", "/join", {"name": name, "code": code or room.code, "key": key}, source=source)


@pytest.fixture
def ada(collector):
    status, answer = _join(collector, "Ada", "a" * 32)
    assert status == 200
    return answer


def test_a_report_without_a_token_invents_nobody(collector, ada):
    progress = {EXERCISE: {"status": "passed", "attempts": 1}}
    assert _call(collector, "POST", "/report", {"name": "Mallory", "key": "m" * 32, "progress": progress})[0] == 400
    assert _call(collector, "POST", "/report", {"token": "made-up-token-0123456789", "progress": progress})[0] == 401
    assert set(lab.room_view(collector.url, collector.key).learners) == {"Ada"}


def test_joining_needs_the_rooms_join_code(collector):
    assert _join(collector, "Mallory", "m" * 32, code="AAAAA-AAAAA")[0] == 403
    assert _call(collector, "POST", "/join", {"name": "Mallory", "key": "m" * 32})[0] == 403
    assert lab.room_view(collector.url, collector.key).learners == {}


def test_what_is_on_disk_gives_nobody_a_learners_row(collector, ada):
    folder = Path(os.environ["LAMBDA_LAB_ROOM_DIR"])
    stored = (folder / "progress.json").read_text()
    assert ada["token"] not in stored and "a" * 32 not in stored  # hashes only
    for name in ("progress.json", "instructor.json"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    # Ada's key, even stolen, is not a token: it cannot rewrite her row.
    assert _call(collector, "POST", "/report", {"token": "a" * 32, "progress": {}})[0] == 401


@pytest.mark.parametrize("lookalike", ["ada", "ADA", "\u0410da", "\uff21\uff44\uff41", "A\u0064\u0430", "Ada."])
def test_a_name_and_its_lookalikes_belong_to_the_first_learner(collector, ada, lookalike):
    status, answer = _join(collector, lookalike, "m" * 32)
    assert status == 409, answer
    assert _join(collector, "Ada", "a" * 32)[0] == 200  # Ada herself joins again


def test_a_flood_of_joins_does_not_lock_out_a_real_learner(collector):
    refused = 0
    for n in range(150):
        status, _ = _join(collector, f"junk{n}", f"{n:032d}")
        refused += status == 429
    assert refused > 0  # the flooding address is slowed down ...
    status, answer = _join(collector, "Bob", "b" * 32, source="127.0.0.2")
    assert status == 200, answer  # ... and a learner at another address joins at once
    assert _call(collector, "POST", "/report", {"token": answer["token"], "progress": {}}, source="127.0.0.2")[0] == 204


def test_guessing_the_join_code_is_slowed_down(collector):
    codes = [_join(collector, "Mallory", "m" * 32, code=f"AAAAA-AAA{n:02d}")[0] for n in range(15)]
    assert codes[:10] == [403] * 10 and set(codes[10:]) == {429}
    assert _join(collector, "Bob", "b" * 32, source="127.0.0.2")[0] == 200  # other addresses are not


def _hostile(collector, ada_token, text):
    progress = {EXERCISE: {"status": "failed", "attempts": 1, "failed_checks": [text]}}
    assert _call(collector, "POST", "/report", {"token": ada_token, "progress": progress})[0] == 204


def test_learner_text_reaches_the_instructors_terminal_as_text(collector, ada):
    text = (
        "[link=http://evil.example]click[/link] [bold red]X\x1b[2J\x1b]8;;http://evil.example\x1b\\here\x1b]8;;\x1b\\"
    )
    _hostile(collector, ada["token"], text)
    stored = lab.room_view(collector.url, collector.key).learners["Ada"]["progress"][EXERCISE]["failed_checks"][0]
    assert "\x1b" not in stored and "[link=http://evil.example]" in stored
    shown = runner.invoke(
        app, ["room", "--once", "--url", collector.url, "--key", collector.key], terminal_width=400, color=True
    )
    assert shown.exit_code == 0, shown.output
    assert "\x1b]8;" not in shown.output and "\x1b[2J" not in shown.output  # no link, no clear screen
    assert "[link=http://evil.example]click[/link]" in shown.output  # the markup is shown, not obeyed


def test_dollar_signs_do_not_break_the_notebook_view(collector, ada):
    _hostile(collector, ada["token"], r"costs $5 and $\frac{ in total")
    view = lab.room_view(collector.url, collector.key)
    assert r"$\frac{" in view._repr_html_()
    assert r"$\frac{" in view.plot().to_dict()["title"]  # Vega draws a title as plain text


def test_a_bad_content_length_is_a_400_without_a_traceback(collector, capfd):
    host, port = collector.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(b"POST /report HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}")
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.0 400") or answer.startswith(b"HTTP/1.1 400")
    assert "Traceback" not in capfd.readouterr().err


@pytest.fixture
def quick_deadline(monkeypatch):
    monkeypatch.setattr(limits, "DEADLINE_S", 1.5)


def test_half_sent_requests_hold_no_threads_and_no_learner_out(quick_deadline, collector):
    host, port = collector.url.removeprefix("http://").split(":")
    before = threading.active_count()
    held = []
    for _ in range(limits.MAX_CONNECTIONS + 20):
        sock = socket.create_connection((host, int(port)), timeout=5)
        sock.sendall(b"POST /report HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n")  # and never the rest
        held.append(sock)
    time.sleep(0.3)
    assert threading.active_count() - before <= limits.PER_ADDRESS + 2  # bounded per address, not one each
    assert _join(collector, "Bob", "b" * 32, source="127.0.0.2")[0] == 200  # the room still answers
    deadline = time.monotonic() + 10
    for sock in held:  # every half-sent request is closed by the server
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            while sock.recv(4096):
                pass
        except (TimeoutError, ConnectionResetError):
            pytest.fail("a half-sent request was still open after its deadline")
        finally:
            sock.close()


def test_the_table_shown_in_a_notebook_escapes_names_and_checks(collector, ada):
    _hostile(collector, ada["token"], "<img src=x onerror=alert(1)>")
    shown = RoomView.from_collector(collector.url, collector.key)._repr_html_()
    assert "<img src=x" not in shown and "&lt;img src=x" in shown


def test_an_old_room_file_with_keys_in_it_is_dropped_and_made_private(tmp_path):
    folder = tmp_path / "room"
    folder.mkdir()
    (folder / "progress.json").write_text(
        json.dumps({"learners": {"Ada": {"key": "k" * 32, "joined": "", "progress": {}}}})
    )
    os.chmod(folder / "progress.json", 0o644)
    store = collector_mod.Store(folder)
    assert store.data["learners"] == {}
    assert stat.S_IMODE((folder / "progress.json").stat().st_mode) == 0o600
