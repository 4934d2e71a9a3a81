"""What the emulator acknowledged is stored; `down` tells the truth (issue 17, section 2).

A full disk is simulated portably: the emulator's file-size limit (RLIMIT_FSIZE, which any
user may lower on their own process) is set so low that a large write fails (EFBIG) while
small ones still succeed, as on a disk with little room left. Each test runs its own emulator.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from botocore.exceptions import ClientError

from reference_app.lab import clients, embedded, emulator
from reference_app.lab.config import resolve_backend

CLI = str(Path(sys.executable).with_name("lambda-lab"))
LIMIT = 256 * 1024  # bytes any one file of the emulator may reach


@pytest.fixture
def own(free_port):
    backend = resolve_backend("embedded", free_port)
    yield backend
    emulator.down(backend)


def _nearly_full(pid: int) -> None:
    if not hasattr(psutil, "RLIMIT_FSIZE"):
        pytest.skip("this platform cannot limit a process's file size")
    psutil.Process(pid).rlimit(psutil.RLIMIT_FSIZE, (LIMIT, LIMIT))


def test_a_put_that_cannot_be_stored_fails_and_down_says_what_was_not_saved(own):
    # GIVEN an emulator with a bucket and a table, whose disk then has almost no room left
    pid = emulator.up(own).pid
    s3, ddb = clients.client("s3", own), clients.client("dynamodb", own)
    s3.create_bucket(Bucket="durable")
    ddb.create_table(
        TableName="durable-table",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    _nearly_full(pid)
    # WHEN a small object and a large one are put
    s3.put_object(Bucket="durable", Key="small.txt", Body=b"fits")
    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket="durable", Key="large.bin", Body=os.urandom(LIMIT * 2))
    # THEN the large one fails with an error the SDK raises, and is not served as if it were stored
    assert refused.value.response["Error"]["Code"] == "InsufficientStorage"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 507
    assert "could not store this on disk" in refused.value.response["Error"]["Message"]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="durable").get("Contents", [])]
    assert keys == ["small.txt"]
    # AND when the table's items outgrow the room left, `down` says plainly what it could not save
    for n in range(40):
        ddb.put_item(TableName="durable-table", Item={"id": {"S": f"i{n}"}, "blob": {"S": "x" * 10_000}})
    said = emulator.down(own)
    assert "brings back every resource" not in said, said
    assert "could not save its tables and their items (dynamodb)" in said, said
    # AND so do the next `status` and `up`, and what they say is true
    assert "tables and their items (dynamodb)" in (emulator.status(own).notice or "")
    st = emulator.up(own)
    assert "could not save its tables and their items (dynamodb)" in (st.notice or "")
    assert "durable-table" not in ddb.list_tables()["TableNames"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="durable").get("Contents", [])] == ["small.txt"]
    # AND a stop that saves everything clears the note
    assert "brings back every resource" in emulator.down(own)
    assert emulator.up(own).notice is None


@pytest.mark.parametrize("reaps", [True, False], ids=["owner-reaps", "owner-never-reaps"])
def test_down_from_a_second_process_is_quick_and_truthful(own, reaps):
    # GIVEN an emulator owned by another process that keeps running (a notebook's lab.up(), `lambda-lab lab`);
    # one that never collects its exit status leaves a zombie, which must count as stopped
    env = {**os.environ, "LAMBDA_LAB_PORT": str(own.port)}
    never = "" if reaps else "embedded.process._reap_when_it_exits = lambda proc: None; "
    owner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from reference_app.lab import emulator, embedded; import time; {never}"
            "emulator.up(); print('up', flush=True); time.sleep(600)",
        ],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert owner.stdout.readline().strip() == "up"
        pid = embedded.owned_pid(own)
        assert pid is not None and psutil.Process(pid).ppid() == owner.pid
        # WHEN `lambda-lab down` runs in a second terminal
        started = time.monotonic()
        done = subprocess.run([CLI, "down"], env=env, capture_output=True, text=True, timeout=120)
        took = time.monotonic() - started
        said = " ".join(done.stdout.split())
        # THEN it tells the truth: stopped cleanly, state saved, nothing killed
        assert done.returncode == 0, done.stderr
        assert said.startswith(f"Stopped the emulator at {own.endpoint} (pid {pid})"), said
        assert "killed" not in said and "brings back every resource" in said, (said, took)
        assert embedded.owned_pid(own) is None and emulator.up(own).notice is None
        print(f"down from a second process took {took:.2f} s")
    finally:
        owner.kill()
        owner.wait()
