"""The embedded backend: ministack, started and stopped by the kit.

ministack runs as a background process bound to 127.0.0.1, in a session of its
own, with its state, S3 data, temp files (the function workers live there), log
and pid file in a per-user folder (``lambda-lab paths`` prints it), and its extra
listeners (IoT MQTT on 8883, SFTP) switched off. If a healthy emulator already
answers on the endpoint, the kit uses it and starts nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil

from .config import Backend, lab_home_path, writing
from .errors import LabError
from .net import health, port_in_use
from .poll import attempts

START_DEADLINE_S = 20.0


def run_path(backend: Backend) -> Path:
    """This port's folder (not created): state/, s3/, tmp/, ministack.pid and ministack.log."""
    return lab_home_path() / f"embedded-{backend.port}"


def run_dir(backend: Backend) -> Path:
    """:func:`run_path`, with its state/, s3/ and tmp/ folders created."""
    path = run_path(backend)
    with writing(path):
        for sub in ("state", "s3", "tmp"):
            (path / sub).mkdir(parents=True, exist_ok=True)
    return path


def pid_file(backend: Backend) -> Path:
    return run_path(backend) / "ministack.pid"


def log_file(backend: Backend) -> Path:
    return run_path(backend) / "ministack.log"


def owned_pid(backend: Backend) -> int | None:
    """The pid of the emulator this kit started on this port, if it is still running."""
    path = pid_file(backend)
    try:
        pid = int(path.read_text().strip())
        proc = psutil.Process(pid)
        if "ministack" in " ".join(proc.cmdline()) and proc.status() != psutil.STATUS_ZOMBIE:
            return pid
    except (OSError, ValueError, psutil.Error):
        pass
    path.unlink(missing_ok=True)
    return None


def emulator_env(backend: Backend, home: Path) -> dict[str, str]:
    """The emulator's environment. It, and the function workers it spawns, must not
    see the learner's AWS identity or endpoints, so every AWS_* variable is dropped."""
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


def port_taken_error(backend: Backend) -> LabError:
    other = backend.port + 1 if backend.port < 65535 else backend.port - 1
    return LabError(
        f"Port {backend.port} is in use by something that is not an AWS emulator; pick another: "
        f"`lambda-lab up --port {other}` (or set LAMBDA_LAB_PORT={other} for every command and notebook)."
    )


def not_answering_error(backend: Backend, pid: int) -> LabError:
    """The kit's own emulator (its pid file names a live ministack) does not answer."""
    restart = "restart it: `lambda-lab down`, then `lambda-lab up`"
    try:
        paused = psutil.Process(pid).status() == psutil.STATUS_STOPPED
    except psutil.Error:
        paused = False
    if paused:
        return LabError(
            f"The emulator lambda-lab started at {backend.endpoint} (pid {pid}) is paused and does not answer; "
            f"resume it with `kill -CONT {pid}`, or {restart}."
        )
    return LabError(
        f"The emulator lambda-lab started at {backend.endpoint} (pid {pid}) is running but does not answer; "
        f"{restart} (its log is {log_file(backend)})."
    )


def start(backend: Backend, deadline_s: float = START_DEADLINE_S) -> int | None:
    """Start ministack for ``backend`` unless a healthy emulator already answers there;
    return the pid of the process started, or None when one was already running."""
    if health(backend.endpoint) is not None:
        return None
    pid = owned_pid(backend)
    if pid is not None:
        raise not_answering_error(backend, pid)
    if port_in_use(backend.port):
        raise port_taken_error(backend)
    home = run_dir(backend)
    log_path = log_file(backend)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ministack"],
            cwd=home,
            env=emulator_env(backend, home),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives the CLI; `down` stops the whole group
        )
    pid_file(backend).write_text(str(proc.pid))
    for _ in attempts(deadline_s, first=0.05, cap=0.05):
        if health(backend.endpoint, timeout=0.5) is not None:
            return proc.pid
        if proc.poll() is not None:
            pid_file(backend).unlink(missing_ok=True)
            tail = log_path.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise LabError(f"The emulator exited during start-up ({tail[0]}); see {log_path}.")
    stop_pid(proc.pid)
    pid_file(backend).unlink(missing_ok=True)
    raise LabError(f"The emulator did not become healthy within {deadline_s:.0f} s; see {log_path}.")


def stop_pid(pid: int, grace_s: float = 5.0) -> None:
    """SIGTERM the process group led by ``pid``; SIGKILL whatever is left after ``grace_s``."""
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    try:
        os.killpg(pid, signal.SIGTERM)
        os.killpg(pid, signal.SIGCONT)  # a paused emulator handles SIGTERM (and saves its state) once resumed
    except (ProcessLookupError, PermissionError):
        for p in procs:
            try:
                p.terminate()
                p.resume()
            except psutil.NoSuchProcess:
                pass
    _, alive = psutil.wait_procs(procs, timeout=grace_s)
    for p in alive:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=grace_s)


def stop(backend: Backend) -> int | None:
    """Stop the emulator this kit started on this port; the pid stopped, or None."""
    pid = owned_pid(backend)
    if pid is None:
        return None
    stop_pid(pid)
    pid_file(backend).unlink(missing_ok=True)
    return pid
