"""benchmarks/room_hub.py tells a spawn the hub gave up on from one still starting (no 300 s wait on a dead one)."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("room_hub_under_test", ROOT / "benchmarks" / "room_hub.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


class Answer:
    def __init__(self, status, body):
        self.status_code, self._body, self.text = status, body, ""

    def json(self):
        return self._body


class FakeHub:
    """The hub's REST answers, in order: the start request, then each poll of the user's model."""

    def __init__(self, polls, log=""):
        self.polls = list(polls)
        self.log = log

    def api(self, method, path, **kwargs):
        if method == "POST":
            return Answer(202, {})
        return Answer(200, {"servers": self.polls.pop(0) if len(self.polls) > 1 else self.polls[0]})

    def lines_about(self, name, lines=25):
        return "\n".join(line for line in self.log.splitlines() if name in line)


def test_a_spawn_the_hub_gave_up_on_raises_at_once_with_the_hubs_reason(bench, monkeypatch):
    monkeypatch.setattr(bench.time, "sleep", lambda s: None)
    log = (
        "[E JupyterHub user:1000] Unhandled error starting learner05's server: "
        "Server at http://127.0.0.1:4/ didn't respond\nother line"
    )
    hub = FakeHub([{"": {"pending": "spawn", "ready": False}}, {}], log)
    with pytest.raises(bench.SpawnFailed, match="didn't respond"):
        bench.start_server(hub, "learner05", deadline_s=30)


def test_a_spawn_still_pending_is_waited_for_and_a_ready_one_returns(bench, monkeypatch):
    monkeypatch.setattr(bench.time, "sleep", lambda s: None)
    pending = {"": {"pending": "spawn", "ready": False}}
    bench.start_server(FakeHub([pending, pending, pending, {"": {"pending": None, "ready": True}}]), "x", 30)
    clock = iter(range(0, 10_000, 10))
    monkeypatch.setattr(bench.time, "monotonic", lambda: next(clock))
    with pytest.raises(RuntimeError, match="not ready within 30 s"):
        bench.start_server(FakeHub([pending]), "x", 30)


def test_a_learner_whose_first_start_failed_starts_again_and_it_is_recorded(bench, monkeypatch):
    calls = []

    def start(hub, name):
        calls.append(name)
        if len(calls) == 1:
            raise bench.SpawnFailed("the hub gave up on learner01's server")

    monkeypatch.setattr(bench, "start_server", start)
    monkeypatch.setattr(bench, "log_in", lambda hub, name: None)
    monkeypatch.setattr(bench, "user_token", lambda hub, name: (_ for _ in ()).throw(RuntimeError("stop here")))
    learner = bench.Learner("learner01")
    go = bench.threading.Event()
    go.set()
    bench.run_learner(FakeHub([{}]), learner, [], "", go)
    assert calls == ["learner01", "learner01"]
    assert "gave up" in learner.retried
    assert learner.failure.startswith("RuntimeError: stop here")  # the run went on past the server step
