"""Finding, starting and stopping the emulator.

The embedded backend is ministack, run by the kit as a background process bound
to 127.0.0.1, with its state, S3 data, temp files (the function workers live
there), log and pid file in a per-user folder (``lambda-lab paths`` prints it),
and its extra listeners (IoT MQTT on 8883, SFTP) switched off. If a healthy
emulator already answers on the endpoint, the kit uses it and starts nothing.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from .config import Backend, lab_home, resolve_backend
from .errors import LabError

HEALTH_PATH = "/_localstack/health"
START_DEADLINE_S = 20.0


@dataclass
class Status:
    backend: Backend
    healthy: bool
    emulator: str | None = None  # "ministack", "localstack", ...
    version: str | None = None
    pid: int | None = None  # set when this kit started the process
    functions: list[str] = field(default_factory=list)


def health(endpoint: str, timeout: float = 1.0) -> dict | None:
    """The emulator's health document, or None when nothing healthy answers."""
    try:
        with urllib.request.urlopen(endpoint + HEALTH_PATH, timeout=timeout) as resp:
            doc = json.loads(resp.read() or b"{}")
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and "services" in doc else None


def emulator_name(doc: dict) -> str:
    edition = str(doc.get("edition", ""))
    return "localstack" if edition in ("community", "pro", "enterprise") else "ministack"


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def require(backend: Backend | None = None) -> dict:
    """The health document of a running emulator, or a LabError saying how to start one."""
    backend = backend or resolve_backend()
    doc = health(backend.endpoint)
    if doc is not None:
        return doc
    if backend.kind != "url" and port_in_use(backend.port):
        raise port_taken_error(backend)
    hint = {
        "embedded": "run `lambda-lab up`",
        "localstack": "run `lambda-lab up --backend localstack`",
        "url": "check the URL, or ask whoever runs that emulator",
    }[backend.kind]
    raise LabError(f"No emulator at {backend.endpoint} — {hint}.")


def port_taken_error(backend: Backend) -> LabError:
    return LabError(
        f"Port {backend.port} is in use by something that is not an AWS emulator; "
        f"pick another with LAMBDA_LAB_PORT={backend.port + 1} (or --port {backend.port + 1})."
    )


# --- the embedded emulator -------------------------------------------------------------

def run_dir(backend: Backend) -> Path:
    """This port's folder: state/, s3/, tmp/, ministack.pid and ministack.log."""
    path = lab_home() / f"embedded-{backend.port}"
    for sub in ("state", "s3", "tmp"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    return path


def _pid_file(backend: Backend) -> Path:
    return run_dir(backend) / "ministack.pid"


def owned_pid(backend: Backend) -> int | None:
    """The pid of the emulator this kit started on this port, if it is still running."""
    pid_file = _pid_file(backend)
    try:
        pid = int(pid_file.read_text().strip())
        proc = psutil.Process(pid)
        if "ministack" in " ".join(proc.cmdline()) and proc.status() != psutil.STATUS_ZOMBIE:
            return pid
    except (OSError, ValueError, psutil.Error):
        pass
    pid_file.unlink(missing_ok=True)
    return None


def _emulator_env(backend: Backend, home: Path) -> dict[str, str]:
    # The emulator, and the function workers it spawns, must not see the
    # learner's AWS identity or endpoints: drop every AWS_* variable.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        GATEWAY_PORT=str(backend.port),
        BIND_HOST="127.0.0.1",
        IOT_MTLS_ENABLED="0",
        SFTP_ENABLED="0",
        STATE_DIR=str(home / "state"),
        S3_DATA_DIR=str(home / "s3"),
        TMPDIR=str(home / "tmp"),
        LOG_LEVEL=os.environ.get("LAMBDA_LAB_EMULATOR_LOG_LEVEL", "WARNING"),
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        PYTHONUNBUFFERED="1",
    )
    return env


def start_embedded(backend: Backend, deadline_s: float = START_DEADLINE_S) -> Status:
    """Start ministack for ``backend`` unless a healthy emulator already answers there."""
    doc = health(backend.endpoint)
    if doc is not None:
        return status(backend, doc)
    if port_in_use(backend.port):
        raise port_taken_error(backend)
    home = run_dir(backend)
    log_path = home / "ministack.log"
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ministack"],
            cwd=home,
            env=_emulator_env(backend, home),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives the CLI; `down` stops the whole group
        )
    _pid_file(backend).write_text(str(proc.pid))
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        doc = health(backend.endpoint, timeout=0.5)
        if doc is not None:
            return status(backend, doc)
        if proc.poll() is not None:
            _pid_file(backend).unlink(missing_ok=True)
            tail = log_path.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise LabError(f"The emulator exited during start-up ({tail[0]}); see {log_path}.")
        time.sleep(0.05)
    stop_pid(proc.pid)
    _pid_file(backend).unlink(missing_ok=True)
    raise LabError(
        f"The emulator did not become healthy within {deadline_s:.0f} s; see {log_path}."
    )


def stop_pid(pid: int, grace_s: float = 5.0) -> None:
    """SIGTERM the process group led by ``pid``; SIGKILL whatever is left after ``grace_s``."""
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        for p in procs:
            try:
                p.terminate()
            except psutil.NoSuchProcess:
                pass
    _, alive = psutil.wait_procs(procs, timeout=grace_s)
    for p in alive:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=grace_s)


def up(backend: Backend | None = None) -> Status:
    """Make sure an emulator answers on the backend's endpoint; start one if the kit can."""
    backend = backend or resolve_backend()
    if backend.kind == "embedded":
        return start_embedded(backend)
    if backend.kind == "localstack":
        from . import localstack

        return localstack.up(backend)
    require(backend)
    return status(backend)


def down(backend: Backend | None = None) -> str:
    """Stop the emulator this kit started; never one it did not start."""
    backend = backend or resolve_backend()
    if backend.kind == "localstack":
        from . import localstack

        return localstack.down(backend)
    pid = owned_pid(backend) if backend.kind == "embedded" else None
    if pid is None:
        if health(backend.endpoint) is not None:
            return f"The emulator at {backend.endpoint} was not started by lambda-lab; left running."
        return f"No emulator is running at {backend.endpoint}."
    stop_pid(pid)
    _pid_file(backend).unlink(missing_ok=True)
    return f"Stopped the emulator at {backend.endpoint} (pid {pid})."


def status(backend: Backend | None = None, doc: dict | None = None) -> Status:
    """What answers on the backend's endpoint, and which functions it holds."""
    backend = backend or resolve_backend()
    doc = doc if doc is not None else health(backend.endpoint)
    pid = owned_pid(backend) if backend.kind == "embedded" else None
    if doc is None:
        return Status(backend, healthy=False, pid=pid)
    from .clients import client

    names: list[str] = []
    for page in client("lambda", backend).get_paginator("list_functions").paginate():
        names += [f["FunctionName"] for f in page["Functions"]]
    return Status(
        backend,
        healthy=True,
        emulator=emulator_name(doc),
        version=str(doc.get("version", "")) or None,
        pid=pid,
        functions=sorted(names),
    )


def reset(backend: Backend | None = None) -> str:
    """Delete every resource in the emulator: ministack's reset, else a restart."""
    backend = backend or resolve_backend()
    doc = require(backend)
    if emulator_name(doc) == "ministack":
        request = urllib.request.Request(backend.endpoint + "/_ministack/reset", method="POST")
        with urllib.request.urlopen(request, timeout=30) as resp:
            resp.read()
        return f"Reset the emulator at {backend.endpoint}: every resource is gone."
    if backend.kind == "localstack":
        from . import localstack

        return localstack.restart(backend)
    raise LabError(
        f"The emulator at {backend.endpoint} has no reset the kit can call; restart it to start clean."
    )
