"""The embedded backend: ministack, started and stopped by the kit.

ministack runs as a background process bound to 127.0.0.1, in a session of its
own, with its state, S3 data, temp files (the function workers live there), log
and pid file in a per-user folder (``lambda-lab paths`` prints it), and its extra
listeners (IoT MQTT on 8883, SFTP) switched off. If a healthy emulator already
answers on the endpoint, the kit uses it and starts nothing.

The command that starts it comes from :mod:`.runtime` (ministack, through the kit's
Lambda runtime when it applies). ``down``, and the next ``up`` after an emulator was
killed, stop leftover function workers and clear the code folders in ``tmp/``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import psutil

from . import runtime
from .config import Backend, lab_home
from .errors import LabError
from .net import health, port_in_use
from .poll import attempts

START_DEADLINE_S = 20.0


def run_dir(backend: Backend) -> Path:
    """This port's folder: state/, s3/, tmp/, ministack.pid and ministack.log."""
    path = lab_home() / f"embedded-{backend.port}"
    for sub in ("state", "s3", "tmp"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    return path


def pid_file(backend: Backend) -> Path:
    return run_dir(backend) / "ministack.pid"


def log_file(backend: Backend) -> Path:
    return run_dir(backend) / "ministack.log"


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
    return LabError(
        f"Port {backend.port} is in use by something that is not an AWS emulator; "
        f"pick another with LAMBDA_LAB_PORT={backend.port + 1} (or --port {backend.port + 1})."
    )


def start(backend: Backend, deadline_s: float = START_DEADLINE_S) -> int | None:
    """Start ministack for ``backend`` unless a healthy emulator already answers there;
    return the pid of the process started, or None when one was already running."""
    if health(backend.endpoint) is not None:
        return None
    if port_in_use(backend.port):
        raise port_taken_error(backend)
    clean_leftovers(backend)  # of an emulator that was killed: its workers, its code folders
    home = run_dir(backend)
    log_path = log_file(backend)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            runtime.emulator_command(),
            cwd=home,
            env=emulator_env(backend, home),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives the CLI; `down` stops the whole group
        )
    pid_file(backend).write_text(str(proc.pid))
    for _ in attempts(deadline_s, first=0.01, cap=0.02):  # a learner waits for `up`: look often
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


def stop(backend: Backend) -> int | None:
    """Stop the emulator this kit started on this port; the pid stopped, or None."""
    pid = owned_pid(backend)
    if pid is None:
        return None
    stop_pid(pid)
    pid_file(backend).unlink(missing_ok=True)
    clean_leftovers(backend)
    return pid


def worker_processes(backend: Backend) -> list[psutil.Process]:
    """Function workers running from this port's ``tmp/`` folder, whichever emulator started them."""
    tmp = str(run_dir(backend) / "tmp") + os.sep
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if any(arg.startswith(tmp) for arg in proc.info["cmdline"] or ()):
            found.append(proc)
    return found


def clean_leftovers(backend: Backend) -> None:
    """Stop the workers and remove the code folders an emulator left in this port's ``tmp/``.

    Only for an emulator that is not running: a stopped one leaves its code folders,
    a killed one (SIGKILL, out of memory) its workers too.
    """
    tmp = run_dir(backend) / "tmp"
    if not any(tmp.iterdir()):
        return  # a worker runs from its code folder there: none, so no process to look for
    workers = worker_processes(backend)
    for proc in workers:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(workers, timeout=5)
    for entry in tmp.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
