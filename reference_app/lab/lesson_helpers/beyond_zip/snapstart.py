"""SnapStart: a stand-in database with one id per connection, and one snapshot restored into several environments."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import itertools
import json
import os
import select
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...clients import client
from ...deploy import deploy_function
from ...errors import LabError
from ..common import new_run_id as new_run_id  # re-exported for the lesson
from ._shared import _counter


# --- a stand-in database: one id per connection --------------------------------------------------------------
class Ledger:
    """A loopback line service: ``RECORD <text>`` answers ``ok conn=<n>``; it remembers what each
    connection sent, and when each connection opened and closed (as an ordered event list)."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self._server.getsockname()[1]}"
        self.events: list[tuple[str, int]] = []  # ("open" | "close", connection id), in order
        self.records: list[tuple[int, str]] = []  # (connection id, text)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._live: dict[int, socket.socket] = {}
        self._thread = threading.Thread(target=self._accept, name="lab-ledger", daemon=True)
        self._thread.start()

    def _log(self, kind: str, conn_id: int) -> None:
        with self._lock:
            if (kind, conn_id) not in self.events:
                self.events.append((kind, conn_id))

    def _note_closed(self) -> None:
        """Log the close of every connection whose peer has already closed it. Called before an open
        is logged: a client that closes one connection and then opens another is seen in that order,
        whichever of the serving threads notices the end of its stream first."""
        for conn_id, conn in list(self._live.items()):
            try:
                readable, _, _ = select.select([conn], [], [], 0)
                if readable and conn.recv(1, socket.MSG_PEEK) == b"":
                    self._log("close", conn_id)
            except (OSError, ValueError):
                self._log("close", conn_id)

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            conn_id = next(self._ids)
            self._note_closed()
            self._log("open", conn_id)
            self._live[conn_id] = conn
            threading.Thread(target=self._serve, args=(conn, conn_id), daemon=True).start()

    def _serve(self, conn: socket.socket, conn_id: int) -> None:
        with conn, conn.makefile("rw", encoding="utf-8", newline="\n") as stream:
            try:
                for line in stream:
                    with self._lock:
                        self.records.append((conn_id, line.strip()))
                    stream.write(f"ok conn={conn_id}\n")
                    stream.flush()
            except OSError:
                pass
        self._live.pop(conn_id, None)
        self._log("close", conn_id)

    def closed_before_opened(self, closed: int, opened: int) -> bool:
        """Did connection ``closed`` close before connection ``opened`` opened?"""
        with self._lock:
            events = list(self.events)
        try:
            return events.index(("close", closed)) < events.index(("open", opened))
        except ValueError:
            return False

    def wait_closed(self, conn_id: int, timeout: float = 2.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ("close", conn_id) in self.events:
                return True
            time.sleep(0.02)
        return False

    def close(self) -> None:
        self._server.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- SnapStart: one snapshot, several restored environments -------------------------------------------------
@dataclass
class Restored:
    """What one environment restored from the snapshot answered (or the error it raised)."""

    environment: int
    pid: int
    answer: Any = None
    error: str = ""
    hooks: list[str] = field(default_factory=list)


def _import_fresh(path: Path):
    name = f"lab_snapstart_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise LabError(f"Cannot load {path} as a Python module.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _snapshot_process(path: Path, environments: int, event: dict, env: dict[str, str], out: int) -> None:
    """Runs in a child of the caller: INIT, before-snapshot hooks, then one fork per restored environment."""
    import snapshot_restore_py as hooks

    def send(message: dict) -> None:
        os.write(out, (json.dumps(message, default=str) + "\n").encode())

    try:
        hooks.get_before_snapshot().clear()
        hooks.get_after_restore().clear()
        os.environ.update(env)
        module = _import_fresh(path)
        for fn, args, kwargs in reversed(hooks.get_before_snapshot()):  # reverse order of registration
            fn(*args, **kwargs)
    except BaseException as exc:
        send({"environment": 0, "pid": os.getpid(), "error": f"{type(exc).__name__}: {exc}"})
        return
    children = []
    for number in range(1, environments + 1):
        pid = os.fork()
        if pid == 0:  # a restored environment: the snapshot's memory, after-restore hooks, one invocation
            result: dict[str, Any] = {"environment": number, "pid": os.getpid()}
            try:
                for fn, args, kwargs in hooks.get_after_restore():  # order of registration
                    fn(*args, **kwargs)
                result["answer"] = module.lambda_handler(dict(event), None)
            except BaseException as exc:
                result["error"] = f"{type(exc).__name__}: {exc}"
            send(result)
            os._exit(0)
        children.append(pid)
        os.waitpid(pid, 0)  # one after the other: the order the ledger sees is the order they ran
    for pid in children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def restore(
    path: str | os.PathLike,
    environments: int = 2,
    event: dict | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 20.0,
) -> list[Restored]:
    """Import ``path`` once (INIT), run its before-snapshot hooks, then restore that process
    ``environments`` times (``os.fork``: each child has the snapshot's memory, open sockets included),
    each running the after-restore hooks and ``lambda_handler(event, None)``. POSIX only."""
    if not hasattr(os, "fork"):
        raise LabError("Restoring a snapshot here uses os.fork, which this system does not have; use Linux or macOS.")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the snapshot's process: nothing of the caller's (a notebook kernel) is touched
        os.close(read)
        code = 0
        try:
            sys.stdout = sys.stderr = io.StringIO()
            _snapshot_process(Path(path), environments, event or {}, env or {}, write)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    chunks, deadline = [], time.monotonic() + timeout
    with os.fdopen(read, "rb") as stream:
        while time.monotonic() < deadline:
            chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
            if not chunk:
                break
            chunks.append(chunk)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    found = [json.loads(line) for line in b"".join(chunks).decode().splitlines() if line.strip()]
    return [Restored(m["environment"], m["pid"], m.get("answer"), m.get("error", "")) for m in found]


def restored_frame(restored: list[Restored]):
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "environment": r.environment,
                "pid": r.pid,
                **(
                    {"error": r.error}
                    if r.error
                    else (r.answer if isinstance(r.answer, dict) else {"answer": r.answer})
                ),
            }
            for r in restored
        ]
    ).set_index("environment")


def publish_snapstart(
    name: str,
    path: str | os.PathLike,
    environment: dict[str, str],
    requirements: tuple[str, ...] = ("snapshot-restore-py",),
    timeout_s: float = 30.0,
) -> str:
    """Deploy ``path`` with SnapStart on published versions, publish a version, wait until it is
    Active (the snapshot is taken at publish time) and return the version number."""
    deploy_function(
        name,
        path,
        environment=environment,
        requirements=requirements,
        timeout=10,
        SnapStart={"ApplyOn": "PublishedVersions"},
        description="lambda-lab 12: SnapStart",
    )
    lam = client("lambda")
    version = lam.publish_version(FunctionName=name)["Version"]
    deadline = time.monotonic() + timeout_s
    while True:
        config = lam.get_function_configuration(FunctionName=name, Qualifier=version)
        if config["State"] != "Pending":
            break
        if time.monotonic() > deadline:
            raise LabError(
                f"Version {version} of {name} is still Pending after {timeout_s:.0f} s; "
                "run `lambda-lab logs " + name + "` to see its INIT."
            )
        time.sleep(0.2)
    if config["State"] != "Active":
        raise LabError(
            f"Version {version} of {name} is {config['State']}: "
            f"{config.get('StateReason', 'its INIT or a runtime hook failed')}."
        )
    return version
