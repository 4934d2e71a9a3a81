"""The emulator's logs honour retention and a size cap (issue 17, section 6).

A handler that prints a lot must not leave it all in the emulator's saved state forever.
The emulator here is the test's own, started with a 2 MB cap per log group.
"""

import json
import time
from pathlib import Path

import pytest

from reference_app.lab import clients, deploy, embedded, emulator
from reference_app.lab.config import resolve_backend

LOUD = Path(__file__).parent / "fixtures" / "loud_handler.py"


@pytest.fixture
def own(free_port, monkeypatch):
    monkeypatch.setenv("LAMBDA_LAB_LOG_GROUP_MAX_MB", "2")
    backend = resolve_backend("embedded", free_port)
    emulator.up(backend)
    yield backend
    emulator.down(backend)


def _stored(logs, group: str) -> int:
    return sum(
        len(e["message"])
        for s in logs.describe_log_streams(logGroupName=group)["logStreams"]
        for e in logs.get_log_events(logGroupName=group, logStreamName=s["logStreamName"], limit=10_000)["events"]
    )


def test_a_loud_function_leaves_at_most_the_cap_in_memory_and_in_the_saved_state(own):
    name = deploy.deploy_function("loud", LOUD, backend=own, timeout=60).name
    logs = clients.client("logs", own)
    # WHEN the function prints 8 MB, twice
    for _ in range(2):
        assert deploy.invoke(name, {"mb": 8}, own).ok
    # THEN the group keeps at most its cap, the newest events
    stored = _stored(logs, f"/aws/lambda/{name}")
    assert 0 < stored <= 2 * 2**20
    # AND the saved state is that small too
    emulator.down(own)
    saved = embedded.run_path(own) / "state" / "cloudwatch_logs.json"
    assert saved.stat().st_size < 4 * 2**20
    # AND what comes back ends with the last invocation's REPORT line
    emulator.up(own)
    streams = logs.describe_log_streams(logGroupName=f"/aws/lambda/{name}", orderBy="LastEventTime", descending=True)[
        "logStreams"
    ]
    last = logs.get_log_events(
        logGroupName=f"/aws/lambda/{name}", logStreamName=streams[0]["logStreamName"], startFromHead=False, limit=1
    )["events"][-1]["message"]
    assert last.startswith("REPORT RequestId:")


def test_one_event_is_at_most_256_kb(own):
    name = deploy.deploy_function("loud-line", LOUD, backend=own).name
    assert deploy.invoke(name, {"line_kb": 600}, own).ok
    logs = clients.client("logs", own)
    group = f"/aws/lambda/{name}"
    stream = logs.describe_log_streams(logGroupName=group)["logStreams"][0]["logStreamName"]
    sizes = [
        len(e["message"].encode()) for e in logs.get_log_events(logGroupName=group, logStreamName=stream)["events"]
    ]
    assert max(sizes) == 262_144


def test_events_past_the_groups_retention_are_dropped(own):
    logs = clients.client("logs", own)
    logs.create_log_group(logGroupName="kept-a-day")
    logs.create_log_stream(logGroupName="kept-a-day", logStreamName="s")
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName="kept-a-day",
        logStreamName="s",
        logEvents=[
            {"timestamp": now - 3 * 86_400_000, "message": "three days old"},
            {"timestamp": now - 2 * 86_400_000, "message": "two days old"},
        ],
    )
    # WHEN the group keeps one day, and the emulator saves its state
    logs.put_retention_policy(logGroupName="kept-a-day", retentionInDays=1)
    logs.put_log_events(
        logGroupName="kept-a-day", logStreamName="s", logEvents=[{"timestamp": now, "message": "today"}]
    )
    emulator.down(own)
    saved = json.loads((embedded.run_path(own) / "state" / "cloudwatch_logs.json").read_text())
    assert "two days old" not in json.dumps(saved)
    # THEN only today's event is left
    emulator.up(own)
    events = logs.get_log_events(logGroupName="kept-a-day", logStreamName="s")["events"]
    assert [e["message"] for e in events] == ["today"]
