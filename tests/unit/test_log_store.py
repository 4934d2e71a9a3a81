"""The emulator's log store: retention, 256 KB events and a cap per group (issue 17, section 6)."""

from reference_app.lab.emulator_patch import log_store

DAY = 86_400_000


def _group(*streams, retention=None):
    return {
        "retentionInDays": retention,
        "streams": {
            name: {
                "events": [{"timestamp": t, "message": m, "eventId": f"{name}{t}"} for t, m in events],
                "firstEventTimestamp": None,
                "lastEventTimestamp": None,
            }
            for name, events in streams
        },
    }


def test_the_oldest_events_of_the_group_go_first_whichever_stream_holds_them():
    group = _group(("a", [(1, "x" * 10), (4, "x" * 10)]), ("b", [(2, "x" * 10), (3, "x" * 10)]))
    dropped = set()
    assert log_store.trim(group, now_ms=10, cap=20, dropped=dropped) == 20
    assert [e["timestamp"] for e in group["streams"]["a"]["events"]] == [4]
    assert [e["timestamp"] for e in group["streams"]["b"]["events"]] == [3]
    assert group["streams"]["b"]["firstEventTimestamp"] == 3 and dropped == {"a1", "b2"}


def test_retention_drops_older_events():
    now = 10 * DAY
    group = _group(("a", [(now - 3 * DAY, "old"), (now - DAY // 2, "new")]), retention=1)
    log_store.trim(group, now_ms=now, cap=2**20)
    assert [e["message"] for e in group["streams"]["a"]["events"]] == ["new"]


def test_an_event_is_cut_to_256_kb_without_splitting_a_character():
    assert log_store.truncate("short") == "short"
    cut = log_store.truncate("é" * 200_000)
    assert len(cut.encode()) <= log_store.MAX_EVENT_BYTES and set(cut) == {"é"}
