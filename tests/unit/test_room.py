"""A room's pure logic: learners' accounts, the opt-in host, the collector's rules, the view, the hub's hooks."""

import json
import os
import threading
import types
import urllib.request
from pathlib import Path

import pytest
from traitlets.config import Config

from reference_app.lab import clients, config, net
from reference_app.lab.accounts import membership
from reference_app.lab.emulator_patch import room_accounts
from reference_app.lab.errors import LabError
from reference_app.lab.room import collector, hub, reporting
from reference_app.lab.room.view import RoomView

ROOT = Path(__file__).resolve().parents[2]
URL_BACKEND = config.Backend("url", "http://127.0.0.1:4999")
EMBEDDED = config.Backend("embedded", "http://127.0.0.1:4999")


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LAMBDA_LAB_ACCOUNT", raising=False)
    return tmp_path / "home"


# --- the learner's account -------------------------------------------------------------------------------------
def test_an_account_is_twelve_digits_stable_and_never_the_default():
    ids = {membership.account_for(f"learner-{i}") for i in range(500)}
    assert len(ids) == 500 and all(len(a) == 12 and a.isdigit() and a != "000000000000" for a in ids)
    assert membership.account_for("ada") == membership.account_for("ada")


def test_each_home_has_its_own_account_kept_across_sessions(home, monkeypatch, tmp_path):
    first = membership.learner_account()
    assert membership.learner_account() == first
    assert oct((home / "identity").stat().st_mode & 0o777) == "0o600"
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(tmp_path / "other-laptop"))
    assert membership.learner_account() != first


def test_the_url_backend_signs_with_the_learners_account_and_the_own_emulator_with_the_default(home):
    account = membership.learner_account()
    assert config.account_id(URL_BACKEND) == account and config.account_id(EMBEDDED) == "000000000000"
    assert clients.access_key(URL_BACKEND) == account and clients.access_key(EMBEDDED) == "test"
    assert clients.arn("iam", "role/x", URL_BACKEND) == f"arn:aws:iam::{account}:role/x"
    assert clients.arn("lambda", "function:f", EMBEDDED) == "arn:aws:lambda:us-east-1:000000000000:function:f"


def test_lambda_lab_account_overrides_and_is_checked(home, monkeypatch):
    monkeypatch.setenv("LAMBDA_LAB_ACCOUNT", "123456789012")
    assert config.account_id(URL_BACKEND) == config.account_id(EMBEDDED) == "123456789012"
    for bad in ("12345", "000000000000", "12345678901x"):
        monkeypatch.setenv("LAMBDA_LAB_ACCOUNT", bad)
        with pytest.raises(LabError, match="must be 12 digits"):
            config.account_id(URL_BACKEND)


# --- joining is the opt-in for one host ----------------------------------------------------------------------
def test_the_rooms_host_is_the_one_remote_host_let_through(home, monkeypatch, no_connections):
    monkeypatch.delenv("LAMBDA_LAB_ALLOW_REMOTE", raising=False)
    with pytest.raises(LabError, match="Refusing to contact http://10.1.2.3:8765"):
        net.check_endpoint("http://10.1.2.3:8765/report")
    membership.save("http://10.1.2.3:8765", "Ada", "http://10.1.2.3:4566")
    net.check_endpoint("http://10.1.2.3:8765/report")  # the room
    net.check_endpoint("http://10.1.2.3:4566/_localstack/health")  # its shared emulator, on the same host
    with pytest.raises(LabError, match="Refusing to contact http://10.9.9.9:4566"):
        net.check_endpoint("http://10.9.9.9:4566")
    membership.forget()
    with pytest.raises(LabError, match="Refusing to contact"):
        net.check_endpoint("http://10.1.2.3:8765/report")
    assert no_connections == []


def test_the_rooms_emulator_is_the_default_backend(home, monkeypatch):
    monkeypatch.delenv("LAMBDA_LAB_BACKEND", raising=False)
    assert config.resolve_backend().kind == "embedded"
    membership.save("http://10.1.2.3:8765", "Ada", "http://10.1.2.3:4566")
    assert config.resolve_backend() == config.Backend("url", "http://10.1.2.3:4566")
    monkeypatch.setenv("LAMBDA_LAB_BACKEND", "embedded")
    assert config.resolve_backend().kind == "embedded"  # the environment still decides first


@pytest.mark.parametrize("url", ["not a url", "ftp://10.0.0.5/", "http://"])
def test_joining_a_bad_address_sends_nothing_and_keeps_nothing(home, url, no_connections):
    with pytest.raises(LabError, match="is not a room's address"):
        reporting.join(url, "Ada", "ABCDE-FGHJK")
    assert membership.load() is None and no_connections == []


def test_a_bad_room_address_is_quoted_as_typed(home, no_connections):
    with pytest.raises(LabError) as refused:
        reporting.join("ftp://10.0.0.5\\room", "Ada", "ABCDE-FGHJK")
    assert str(refused.value).startswith("'ftp://10.0.0.5\\room' is not a room's address") and no_connections == []


def test_joining_a_room_that_does_not_answer_keeps_nothing(home, free_port):
    with pytest.raises(LabError, match=f"No room answers at http://127.0.0.1:{free_port}"):
        reporting.join(f"http://127.0.0.1:{free_port}", "Ada", "ABCDE-FGHJK")
    assert membership.load() is None


@pytest.mark.parametrize("name", ["", " ", "a" * 41, "<script>", "x\ny"])
def test_a_display_name_is_short_and_plain(name):
    with pytest.raises(LabError, match="cannot be your name in the room"):
        membership.check_name(name)


def test_outside_a_room_a_check_reports_nothing(home, no_connections):
    assert reporting.report() is None and no_connections == []


# --- the collector -------------------------------------------------------------------------------------------
@pytest.fixture
def room(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMBDA_LAB_ROOM_DIR", str(tmp_path / "room"))
    server, me = collector.make_server("127.0.0.1", 0, emulator="http://127.0.0.1:4566", title="Tuesday")
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield me
    server.shutdown()
    server.server_close()


def _post_json(url, doc):
    request = urllib.request.Request(url, json.dumps(doc).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as resp:
        return json.loads(resp.read())


def _post(url, doc):
    request = urllib.request.Request(url, json.dumps(doc).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def test_the_collector_keeps_names_filters_reports_and_guards_its_table(room):
    key = "k" * 32
    good = {
        "handler-validation": {"status": "failed", "attempts": 2, "failed_checks": ["a valid user is created"]},
        "no-such-exercise": {"status": "passed"},
    }
    joined = _post_json(room.url + "/join", {"name": "Ada", "code": room.code, "key": key})
    assert set(joined) >= {"token", "account", "secret"} and len(joined["account"]) == 12
    assert _post(room.url + "/report", {"token": joined["token"], "progress": good}) == 204
    assert _post(room.url + "/join", {"name": "Ada", "code": room.code, "key": "x" * 32}) == 409
    assert _post(room.url + "/join", {"name": "Bob", "code": "WRONG-CODE", "key": "x" * 32}) == 403
    assert _post(room.url + "/join", {"name": "<b>", "code": room.code, "key": key}) == 400
    assert _post(room.url + "/join", {"name": "Bob", "code": room.code, "key": "short"}) == 400
    assert _post(room.url + "/report", {"name": "Ada", "key": key, "progress": {}}) == 400  # no token
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(room.url + "/progress", timeout=5)
    assert refused.value.code == 401
    view = RoomView.from_collector(room.url, room.key)
    assert list(view.learners) == ["Ada"]
    assert list(view.learners["Ada"]["progress"]) == ["handler-validation"]  # unknown exercises are dropped
    with urllib.request.urlopen(room.url + "/room", timeout=5) as resp:
        info = json.loads(resp.read())
    assert info["room"] == "Tuesday" and info["emulator"] == "http://127.0.0.1:4566"
    assert collector.instructor() == collector.Instructor(room.url, room.key, room.code)


def test_the_view_says_who_finished_what_and_where_the_room_is_stuck():
    def learner(**progress):
        return {"joined": "2026-01-01T10:00:00+0000", "seen": "2026-01-01T10:05:00+0000", "progress": progress}

    failing = {"status": "failed", "attempts": 3, "failed_checks": ["a second user is a 409"]}
    view = RoomView(
        {
            "Ada": learner(**{"handler-validation": {"status": "passed", "attempts": 1, "failed_checks": []}}),
            "Bob": learner(**{"handler-validation": failing}),
            "Cy": learner(**{"handler-validation": failing, "debug-s3-keys": {"status": "not started yet"}}),
            "Di": learner(),
        }
    )
    rows = {r["learner"]: r for r in view.rows()}
    assert rows["Ada"]["handler-validation"] == "✅" and rows["Bob"]["handler-validation"] == "❌"
    assert rows["Cy"]["debug-s3-keys"] == "…" and rows["Di"]["handler-validation"] == ""
    stuck = {s.exercise: s for s in view.stuck()}["handler-validation"]
    assert (stuck.passed, stuck.failing, stuck.not_tried, stuck.top_failure_count) == (1, 2, 1, 2)
    assert view.where_stuck() == "2 of 4 are failing handler-validation, most on “a second user is a 409” (2)."
    assert str(view).splitlines()[0].startswith("4 learners.")


def test_the_notebook_shows_the_rooms_tables_then_its_chart(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objects, **_: shown.extend(objects))
    failing = {"status": "failed", "attempts": 1, "failed_checks": ["a 409"]}
    RoomView({"Bob": {"joined": "", "seen": "", "progress": {"handler-validation": failing}}})._ipython_display_()
    tables, chart = shown
    assert "<table" in tables.data and "1 of 1 are failing handler-validation" in tables.data
    assert "application/vnd.vegalite.v5+json" in chart._repr_mimebundle_()[0]
    assert {
        (v["status"], v["learners"]) for v in chart.to_dict()["data"]["values"] if v["exercise"] == "handler-validation"
    } == {("passed", 0), ("failing", 1), ("started", 0), ("not tried", 0)}


def test_the_live_room_redraws_its_tables_and_its_chart_in_place(monkeypatch):
    import IPython.display

    from reference_app.lab.room import view as room_view

    class Handle:
        def __init__(self, shown):
            self.shown = [shown]

        def update(self, shown):
            self.shown.append(shown)

    handles = []
    monkeypatch.setattr(
        IPython.display, "display", lambda obj, display_id=False: handles.append(Handle(obj)) or handles[-1]
    )
    snapshots = iter([{}, {"Ada": {"joined": "", "seen": "", "progress": {}}}] * 50)
    monkeypatch.setattr(RoomView, "from_collector", classmethod(lambda cls, url, key: cls(next(snapshots))))
    last = room_view.room_view("http://127.0.0.1:1", "k", live=0.01, until=0.05)
    tables, chart = handles
    assert len(tables.shown) == len(chart.shown) >= 2  # each redraw updates both outputs, none is added
    assert all("<table" in shown.data for shown in tables.shown)
    assert all("application/vnd.vegalite.v5+json" in shown._repr_mimebundle_()[0] for shown in chart.shown)
    assert isinstance(last, RoomView)


def test_what_learners_send_is_escaped_in_the_instructors_notebook():
    hostile = {"status": "failed", "attempts": 1, "failed_checks": ["<script>alert(1)</script>"]}
    view = RoomView({"Eve": {"joined": "", "seen": "", "progress": {"handler-validation": hostile}}})
    shown = view._repr_html_()
    assert "<script>" not in shown and "&lt;script&gt;" in shown


# --- JupyterHub ------------------------------------------------------------------------------------------------
def _spawner(user_id, name):
    return types.SimpleNamespace(user=types.SimpleNamespace(id=user_id, name=name))


def test_each_learner_gets_a_port_a_home_and_a_course_folder_of_their_own(tmp_path):
    env = hub.environment(lambda s: tmp_path / s.user.name)
    seen = set()
    for uid in range(1, 200):
        spawner = _spawner(uid, f"learner{uid}")
        values = {k: v(spawner) if callable(v) else v for k, v in env.items()}
        seen.add(values["LAMBDA_LAB_PORT"])
        assert values["LAMBDA_LAB_HOME"] == str(tmp_path / f"learner{uid}" / ".lambda-lab")
        assert values["LAMBDA_LAB_COURSE_DIR"] == str(tmp_path / f"learner{uid}" / "workshop")
    assert len(seen) == 199 and all(21000 < int(p) < 32768 for p in seen)


def test_the_course_is_copied_once_and_a_learners_work_is_kept(tmp_path):
    folder = hub.prepare_learner(tmp_path / "ada")
    exercise = folder / "exercises" / "02_handler" / "create_user.py"
    exercise.write_text("# my work\n")
    assert hub.prepare_learner(tmp_path / "ada") == folder and exercise.read_text() == "# my work\n"


def test_a_server_the_hub_did_not_configure_still_gets_a_port_and_a_home(tmp_path, monkeypatch):
    env = {"JUPYTERHUB_USER": "ada@example.org"}
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(tmp_path))
    chosen = hub.fill_environment(env)
    assert chosen["LAMBDA_LAB_HOME"].startswith(str(tmp_path / "hub-ada-example.org-"))
    assert 21000 <= int(chosen["LAMBDA_LAB_PORT"]) < 30000 and env["LAMBDA_LAB_PORT"] == chosen["LAMBDA_LAB_PORT"]
    assert hub.fill_environment(env) == {}  # set already: kept


def test_only_a_live_emulator_counts_as_left_over(tmp_path):
    (tmp_path / "embedded-4999").mkdir()
    (tmp_path / "embedded-4999" / "ministack.pid").write_text(str(os.getpid()))  # this test, not an emulator
    assert hub.leftover_emulators(tmp_path) == []


def test_the_hub_configuration_runs_the_kit(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMBDA_LAB_ROOM_DIR", str(tmp_path))
    monkeypatch.setenv("LAMBDA_LAB_ROOM_PASSWORD", "classroom-42")
    c = Config()
    config_file = ROOT / "classroom" / "jupyterhub_config.py"
    umask = os.umask(0o022)
    try:
        exec(config_file.read_text(), {"get_config": lambda: c, "__file__": str(config_file)})
        assert os.umask(0o022) == 0o077  # the hub's files are the instructor's only
    finally:
        os.umask(umask)
    assert c.JupyterHub.authenticator_class == "shared-password"
    if os.geteuid() == 0:  # a Unix user per learner, never root
        assert c.JupyterHub.spawner_class.__name__ == "LearnerSpawner"
        assert not any("allow_root" in arg for arg in c.Spawner.args)
    assert c.SharedPasswordAuthenticator.user_password == "classroom-42"
    assert any("reference_app.lab.room.hub" in arg for arg in c.Spawner.args)
    assert {s["name"] for s in c.JupyterHub.services} == {"idle-culler", "room"}
    assert c.SimpleLocalProcessSpawner.home_dir_template == str(tmp_path / "learners" / "{username}")
    monkeypatch.setenv("LAMBDA_LAB_ROOM_PASSWORD", "short")
    try:
        with pytest.raises(SystemExit, match="LAMBDA_LAB_ROOM_PASSWORD"):
            exec(config_file.read_text(), {"get_config": Config, "__file__": str(config_file)})
    finally:
        os.umask(umask)


def test_bucket_names_are_per_learner_only_on_a_shared_emulator(monkeypatch):
    monkeypatch.delenv(room_accounts.SHARED_ENV, raising=False)
    assert room_accounts.hooks() == {}
    monkeypatch.setenv(room_accounts.SHARED_ENV, "1")
    assert list(room_accounts.hooks()) == ["ministack.services.s3"]


# --- the instructor's reset of the room's emulator --------------------------------------------------


def test_admin_headers_carry_the_instructors_secret_only_where_the_user_holds_it(tmp_path, monkeypatch):
    from reference_app.lab.accounts.credentials import FILE, INSTRUCTOR_HEADER, Registry, admin_headers

    monkeypatch.delenv("LAMBDA_LAB_ROOM_CREDENTIALS", raising=False)
    monkeypatch.delenv("LAMBDA_LAB_ROOM_DIR", raising=False)
    assert admin_headers(tmp_path) == {}  # a learner: nothing to send
    (tmp_path / "room").mkdir()
    secret = Registry(tmp_path / "room" / FILE).instructor
    assert admin_headers(tmp_path) == {INSTRUCTOR_HEADER: secret}
    (tmp_path / "room" / FILE).write_text("not json")
    assert admin_headers(tmp_path) == {}


def test_reset_of_a_ministack_emulator_sends_the_instructors_header(tmp_path, monkeypatch):
    from reference_app.lab import emulator
    from reference_app.lab.accounts.credentials import FILE, INSTRUCTOR_HEADER, Registry
    from reference_app.lab.config import resolve_backend

    monkeypatch.setenv("LAMBDA_LAB_HOME", str(tmp_path))
    monkeypatch.delenv("LAMBDA_LAB_ROOM_CREDENTIALS", raising=False)
    monkeypatch.delenv("LAMBDA_LAB_ROOM_DIR", raising=False)
    (tmp_path / "room").mkdir()
    secret = Registry(tmp_path / "room" / FILE).instructor
    sent = []
    monkeypatch.setattr(emulator, "check_endpoint", lambda endpoint: None)
    monkeypatch.setattr(emulator, "stopped_with_saved_state", lambda backend: False)
    monkeypatch.setattr(emulator, "require", lambda backend: {"services": {}, "edition": "ministack"})
    monkeypatch.setattr(emulator, "emulator_name", lambda doc: "ministack")
    monkeypatch.setattr(emulator, "post", lambda url, timeout, headers: sent.append((url, headers)))
    emulator.reset(resolve_backend("embedded", port=4999))
    assert sent == [("http://127.0.0.1:4999/_ministack/reset", {INSTRUCTOR_HEADER: secret})]
