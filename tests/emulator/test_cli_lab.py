"""`lambda-lab lab` for real: emulator up, JupyterLab serving the course folder, emulator down however it ends."""

import http.client
import json
import os
import pty
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from reference_app.lab import emulator
from reference_app.lab.config import resolve_backend

CLI = str(Path(sys.executable).with_name("lambda-lab"))


def _get(url: str):
    with urllib.request.urlopen(url, timeout=2) as resp:
        return json.loads(resp.read())


def _lab_args(jupyter_port: int) -> list[str]:
    return [
        CLI,
        "lab",
        "--no-browser",
        f"--ServerApp.port={jupyter_port}",
        "--ServerApp.token=t0ken",
        "--ServerApp.port_retries=0",
    ]


def _ports(free_port: int) -> tuple[int, int]:
    """The emulator's port and, for JupyterLab, another port nothing listens on."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            other = sock.getsockname()[1]
        if other != free_port:
            return free_port, other


def _env(tmp_path, emulator_port: int) -> dict:
    return {**os.environ, "LAMBDA_LAB_PORT": str(emulator_port), "JUPYTER_RUNTIME_DIR": str(tmp_path)}


def _wait_for_jupyter(jupyter_port: int, alive, output) -> dict:
    listing = None
    deadline = time.monotonic() + 90
    while listing is None and time.monotonic() < deadline and alive():
        try:
            listing = _get(f"http://127.0.0.1:{jupyter_port}/api/contents?token=t0ken")
        except (OSError, http.client.HTTPException):
            time.sleep(0.3)
    assert listing is not None, output() if not alive() else "JupyterLab did not answer"
    return listing


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _assert_all_gone(procs: list[psutil.Process], backend) -> None:
    _, alive = psutil.wait_procs(procs, timeout=30)
    assert not alive, [p.pid for p in alive]
    assert emulator.health(backend.endpoint) is None


def _kill_leftovers(procs: list[psutil.Process]) -> None:
    """After a failure, leave nothing running (JupyterLab, kernels, the emulator)."""
    for proc in procs:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass


def _kernel_answers(url: str) -> bool:
    """A kernel_info request through JupyterLab's websocket gets its reply (the kernel is up)."""
    import asyncio
    import uuid

    from tornado.websocket import websocket_connect

    async def ask() -> bool:
        ws = await websocket_connect(url)
        msg_id = uuid.uuid4().hex
        ws.write_message(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "msg_type": "kernel_info_request",
                        "username": "t",
                        "session": msg_id,
                        "version": "5.3",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "content": {},
                    "channel": "shell",
                }
            )
        )
        while True:
            reply = json.loads(await ws.read_message())
            if reply.get("parent_header", {}).get("msg_id") == msg_id and reply["channel"] == "shell":
                ws.close()
                return reply["content"]["status"] == "ok"

    return asyncio.run(asyncio.wait_for(ask(), 60))


def _terminal_says(base_ws: str, name: str, command: str, marker: str) -> str:
    """Type ``command`` in JupyterLab's terminal ``name``; the line of its output that starts with ``marker``."""
    import asyncio

    from tornado.websocket import websocket_connect

    async def run() -> str:
        ws = await websocket_connect(f"{base_ws}/terminals/websocket/{name}?token=t0ken")
        ws.write_message(json.dumps(["stdin", command + "\r"]))
        seen = ""
        while True:
            message = json.loads(await ws.read_message())
            if message[0] == "stdout":
                seen += message[1]
                found = [line for line in seen.splitlines() if line.startswith(marker)]
                if found and found[-1].endswith("#"):
                    ws.close()
                    return found[-1].removeprefix(marker).removesuffix("#")

    return asyncio.run(asyncio.wait_for(run(), 60))


def test_lab_serves_the_course_folder_offline_and_stops_its_emulator(tmp_path, free_port):
    # GIVEN `lambda-lab lab` in learner mode, every process it starts under a guard that records and
    # refuses any look-up or connection off loopback (tests/emulator/net_guard/sitecustomize.py)
    emulator_port, jupyter_port = _ports(free_port)
    guard_log = tmp_path / "net.log"
    guard = str(Path(__file__).with_name("net_guard"))
    env = {
        **_env(tmp_path, emulator_port),
        "NET_GUARD_LOG": str(guard_log),
        "PYTHONPATH": os.pathsep.join([guard, os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("LAMBDA_LAB_SOLUTIONS", None)
    log = tmp_path / "lab.log"
    with open(log, "wb") as output:
        proc = subprocess.Popen(
            _lab_args(jupyter_port), env=env, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    backend = resolve_backend("embedded", emulator_port)
    base = f"http://127.0.0.1:{jupyter_port}"
    try:
        listing = _wait_for_jupyter(
            jupyter_port, lambda: proc.poll() is None, lambda: log.read_text(errors="replace")[-2000:]
        )
        # THEN JupyterLab opens on the course folder: notebooks and exercises side by side, no solutions
        names = {item["name"] for item in listing["content"]}
        assert {"notebooks", "exercises"} <= names and "solutions" not in names
        assert "00_setup.ipynb" in {i["name"] for i in _get(f"{base}/api/contents/notebooks?token=t0ken")["content"]}
        assert _get(f"{base}/api/contents/exercises?token=t0ken")["content"]
        assert emulator.health(backend.endpoint) is not None
        # AND the pages, the extension manager, the news and the update check ask nothing of the internet
        for path in (
            "/lab",
            "/lab/api/extensions?refresh=1",
            "/lab/api/extensions?query=git&refresh=1",
            "/lab/api/news",
            "/lab/api/update",
        ):
            try:
                urllib.request.urlopen(f"{base}{path}{'&' if '?' in path else '?'}token=t0ken", timeout=30).close()
            except OSError:
                pass  # a refused page is fine; a connection attempt is not
        page = urllib.request.urlopen(f"{base}/lab?token=t0ken", timeout=30).read().decode()
        assert "@jupyterlab/apputils-extension:announcements" in page  # disabled: no "Jupyter news" prompt
        assert not guard_log.exists(), guard_log.read_text()
        # AND a kernel talks to JupyterLab over encrypted sockets: no "running over TCP without encryption"
        request = urllib.request.Request(
            f"{base}/api/kernels?token=t0ken",
            data=b'{"name": "python3"}',
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as resp:
            kernel = json.loads(resp.read())["id"]
        assert _kernel_answers(f"ws://127.0.0.1:{jupyter_port}/api/kernels/{kernel}/channels?token=t0ken")
        assert "without encryption" not in log.read_text(errors="replace")
        # AND its terminal finds the kit first on PATH, although JupyterLab has no terminal of its own here
        # (a login shell's /etc/profile used to reset PATH)
        request = urllib.request.Request(
            f"{base}/api/terminals?token=t0ken", data=b"{}", method="POST", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as resp:
            terminal = json.loads(resp.read())["name"]
        found = _terminal_says(f"ws://127.0.0.1:{jupyter_port}", terminal, "echo KIT=$(command -v lambda-lab)#", "KIT=")
        assert found == str(Path(sys.executable).with_name("lambda-lab"))
    finally:
        for child in psutil.Process(proc.pid).children():
            child.terminate()  # JupyterLab ends by itself (File > Shut Down does the same)
        proc.wait(timeout=60)
    assert emulator.health(backend.endpoint) is None


@pytest.mark.parametrize(
    ("signum", "to_group"),
    [
        (signal.SIGHUP, True),  # the terminal window is closed: the session's foreground group gets SIGHUP
        (signal.SIGINT, False),  # `kill -INT <lab>`: no terminal to ask on, so it stops
        (signal.SIGTERM, False),  # logout, a supervisor, `kill <lab>`
    ],
    ids=["hangup", "interrupt-alone", "terminate"],
)
def test_lab_stops_jupyter_and_the_emulator_on_a_signal(tmp_path, free_port, signum, to_group):
    # GIVEN `lambda-lab lab` running in a session of its own, as in a terminal
    emulator_port, jupyter_port = _ports(free_port)
    proc = subprocess.Popen(
        _lab_args(jupyter_port),
        env=_env(tmp_path, emulator_port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    backend = resolve_backend("embedded", emulator_port)
    everything: list[psutil.Process] = []
    try:
        _wait_for_jupyter(jupyter_port, lambda: proc.poll() is None, lambda: "lab exited early")
        assert emulator.health(backend.endpoint) is not None
        everything = _descendants(proc.pid)
        # WHEN the signal arrives
        (os.killpg if to_group else os.kill)(proc.pid, signum)
        # THEN lab ends, and JupyterLab, its kernels and the emulator are all gone
        assert proc.wait(timeout=60) == 128 + signum
        _assert_all_gone(everything, backend)
    finally:
        if proc.poll() is None:
            proc.kill()
        _kill_leftovers(everything)


def _read_until(fd: int, text: str, timeout: float) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while text not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                seen += os.read(fd, 4096).decode(errors="replace")
            except OSError:
                break
    assert text in seen, seen[-2000:]
    return seen


def test_ctrl_c_in_a_terminal_asks_then_stops_everything(tmp_path, free_port):
    # GIVEN `lambda-lab lab` in a real terminal (a pty is its controlling terminal)
    emulator_port, jupyter_port = _ports(free_port)
    pid, fd = pty.fork()
    if pid == 0:  # the child: lambda-lab lab, in the terminal's foreground
        os.execve(CLI, _lab_args(jupyter_port), _env(tmp_path, emulator_port))
    backend = resolve_backend("embedded", emulator_port)
    everything: list[psutil.Process] = []
    try:
        _wait_for_jupyter(jupyter_port, lambda: psutil.pid_exists(pid), lambda: "lab exited early")
        everything = _descendants(pid)
        # WHEN Ctrl-C is typed, then "n": it asks, and JupyterLab keeps running
        os.write(fd, b"\x03")
        _read_until(fd, "Stop JupyterLab and the emulator? (y/[n])", 20)
        os.write(fd, b"n\n")
        time.sleep(1)
        assert _get(f"http://127.0.0.1:{jupyter_port}/api/status?token=t0ken")
        # AND when Ctrl-C is typed again and answered "y", everything stops
        os.write(fd, b"\x03")
        _read_until(fd, "Stop JupyterLab and the emulator? (y/[n])", 20)
        os.write(fd, b"y\n")
        _read_until(fd, "Stopped the emulator", 60)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        _assert_all_gone(everything, backend)
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)
        _kill_leftovers(everything)
