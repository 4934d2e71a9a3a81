"""Reading an invocation's logs however much a function has logged before it (issue 8, item 22)."""

from __future__ import annotations

import time
from pathlib import Path

from reference_app.lab import deploy, logs

PROBE = Path(__file__).parent / "fixtures" / "runtime_probe.py"
CHATTER = 10_500  # more than the 10,000 events one FilterLogEvents call returns on the emulator


def test_an_invocation_after_a_chatty_one_is_still_found(backend):
    name = deploy.deploy_function("lg-chatty", PROBE, backend=backend).name
    since = int(time.time() * 1000) - 1000
    # GIVEN an invocation that logged more than 10,000 lines
    chatty = deploy.invoke(name, {"action": "chatter", "lines": CHATTER}, backend)
    assert chatty.ok
    # WHEN a later invocation's logs are asked for
    quiet = deploy.invoke(name, {"action": "print"}, backend)
    block = quiet.logs(backend)
    # THEN they are found, complete, by its request id
    assert block is not None and block.complete
    assert block.request_id == quiet.request_id and block.output == ["one line"]
    # AND the group's invocations list shows both, the chatty one with every line
    found = logs.invocations(name, since, backend)
    assert [b.request_id for b in found] == [chatty.request_id, quiet.request_id]
    assert len(found[0].output) == CHATTER and found[0].output[-1] == f"line {CHATTER - 1}"
