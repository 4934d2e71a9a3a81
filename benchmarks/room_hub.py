"""Load test: the classroom hub (classroom/jupyterhub_config.py) with N simulated learners.

    python benchmarks/room_hub.py --n 1 5 10 20      (--learners is the same)

For each N: start JupyterHub (its SimpleLocalProcessSpawner, the shared-password login,
configurable-http-proxy from npm) on loopback ports with a throw-away room folder; then, all
at once, each simulated learner logs in with the room's password, gets their server started
(each with its own embedded emulator), and through the Jupyter server's REST and kernel
WebSocket APIs runs every code cell of ``00_setup`` in a kernel, writes the solution of
``handler-validation`` into their exercise file (the contents API, as the editor saves it)
and runs ``lab.check("handler-validation")``, which must pass. Then the hub is stopped
(and with it every server and emulator).

It prints, per N: wall time per learner from login to a passed check (median, max, and the
median's ratio to the first N's), failures, and memory per learner: the resident memory of
the learner's whole process tree (single-user server, kernel, emulator, function workers),
its peak while the test ran and its proportional share (PSS: shared pages split between
the processes that share them) at the end. And the machine's load average before and after.

tests/room/test_hub_load.py runs it at N=5 and requires zero failures.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "classroom" / "jupyterhub_config.py"
EXERCISE = "handler-validation"
SOLUTION = ROOT / "solutions" / "02_handler" / "create_user.py"
EXERCISE_FILE = "workshop/exercises/02_handler/create_user.py"
NOTEBOOK = ROOT / "notebooks" / "00_setup.ipynb"
CELL_TIMEOUT_S = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup_cells() -> list[str]:
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def solution_text() -> str:
    from reference_app.lab.generate import clean_solution

    return clean_solution(SOLUTION.read_text(encoding="utf-8"))


# --- the hub ---------------------------------------------------------------------------------------------------
@dataclass
class Hub:
    folder: Path
    port: int
    token: str
    password: str
    proc: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, deadline_s: float = 90) -> None:
        api_port, proxy_port, room_port = free_port(), free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAMBDA_LAB_", "JUPYTER"))}
        env.update(
            LAMBDA_LAB_ROOM_DIR=str(self.folder),
            LAMBDA_LAB_HUB_IP="127.0.0.1",
            LAMBDA_LAB_HUB_PORT=str(self.port),
            LAMBDA_LAB_HUB_API_PORT=str(api_port),
            LAMBDA_LAB_PROXY_API_PORT=str(proxy_port),
            LAMBDA_LAB_ROOM_PORT=str(room_port),
            LAMBDA_LAB_ROOM_PASSWORD=self.password,
            LAMBDA_LAB_HUB_API_TOKEN=self.token,
            LAMBDA_LAB_HUB_PORT_BASE=str(22000 + secrets.randbelow(8000)),
            CONFIGPROXY_AUTH_TOKEN=secrets.token_hex(16),
        )
        self.log_path = self.folder / "jupyterhub.log"
        jupyterhub = Path(sys.executable).parent / "jupyterhub"
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [str(jupyterhub), "-f", str(CONFIG)],
                cwd=self.folder,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started = time.monotonic()
        import requests

        while time.monotonic() - started < deadline_s:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterHub exited ({self.proc.returncode}); see {self.log_path}:\n{self.tail()}")
            try:
                if requests.get(self.url + "/hub/api/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"JupyterHub did not answer within {deadline_s:.0f} s; see {self.log_path}")

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def lines_about(self, name: str, lines: int = 25) -> str:
        """The hub's last log lines that mention ``name`` (its spawner, its server, the proxy's route)."""
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except (OSError, AttributeError):
            return ""
        mine = [line for line in text if name in line and "(room-driver@" not in line]  # not this script's polls
        return "\n".join(mine[-lines:])

    def stop(self, grace_s: float = 60) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()  # the hub stops every server (cleanup_servers), its services and the proxy, then itself
        try:
            self.proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop_server(self, name: str, deadline_s: float = 120) -> None:
        """What *Stop My Server* (or the idle culler) does; returns once the server is gone."""
        self.api("DELETE", f"/users/{name}/server")
        started = time.monotonic()
        while time.monotonic() - started < deadline_s:
            if not self.api("GET", f"/users/{name}").json().get("servers"):
                return
            time.sleep(0.5)

    def api(self, method: str, path: str, **kwargs):
        import requests

        headers = {"Authorization": f"token {self.token}"}
        return requests.request(method, f"{self.url}/hub/api{path}", headers=headers, timeout=30, **kwargs)


# --- one learner -----------------------------------------------------------------------------------------------
@dataclass
class Learner:
    name: str
    seconds: float = 0.0
    failure: str = ""
    retried: str = ""  # a first spawn the hub gave up on (its reason), when the second one worked
    steps: dict[str, float] = field(default_factory=dict)
    kernel: Kernel | None = None


def log_in(hub: Hub, name: str) -> None:
    """The login form, as a browser fills it: the hub's XSRF cookie, then name and password."""
    import requests

    with requests.Session() as web:
        web.get(f"{hub.url}/hub/login", timeout=30)
        form = {"username": name, "password": hub.password, "_xsrf": web.cookies.get("_xsrf", "")}
        answer = web.post(f"{hub.url}/hub/login", data=form, allow_redirects=False, timeout=60)
        if answer.status_code != 302 or not any(c.name.startswith("jupyterhub-") for c in web.cookies):
            raise RuntimeError(f"login as {name} failed: {answer.status_code}")


class SpawnFailed(RuntimeError):
    """The hub gave up on a learner's server (its own start or HTTP timeout, or the server exited)."""


def start_server(hub: Hub, name: str, deadline_s: float = 240) -> None:
    """Ask the hub for ``name``'s server and wait until it is ready. A spawn the hub reports failed
    (the server is no longer pending and not ready) raises :class:`SpawnFailed` at once, with the
    hub's log lines about ``name``; a spawn still pending after ``deadline_s`` (beyond the hub's
    own 180 s start timeout) raises too."""
    answer = hub.api("POST", f"/users/{name}/server")
    if answer.status_code not in (201, 202, 400):  # 400: already running
        raise RuntimeError(f"starting {name}'s server: {answer.status_code} {answer.text[:200]}")
    started = time.monotonic()
    while time.monotonic() - started < deadline_s:
        server = hub.api("GET", f"/users/{name}").json().get("servers", {}).get("")
        if server and server.get("ready"):
            return
        if not server or not (server.get("pending") or server.get("ready")):
            time.sleep(1.0)  # the hub logs its reason as it removes the server: let the line land
            raise SpawnFailed(f"the hub gave up on {name}'s server; its log says:\n{hub.lines_about(name)}")
        time.sleep(0.5)
    raise RuntimeError(
        f"{name}'s server was not ready within {deadline_s:.0f} s; the hub's log:\n{hub.lines_about(name)}"
    )


def user_token(hub: Hub, name: str) -> str:
    answer = hub.api("POST", f"/users/{name}/tokens", json={"note": "room load test", "expires_in": 7200})
    answer.raise_for_status()
    return answer.json()["token"]


class Kernel:
    """A kernel of the learner's server, driven over its WebSocket channels (Jupyter's messaging protocol)."""

    def __init__(self, hub: Hub, name: str, token: str):
        import requests
        import websocket

        self.base = f"{hub.url}/user/{name}/api"
        self.headers = {"Authorization": f"token {token}"}
        session = requests.post(
            f"{self.base}/sessions",
            headers=self.headers,
            timeout=120,
            json={
                "path": "workshop/notebooks/00_setup.ipynb",
                "type": "notebook",
                "name": "00_setup.ipynb",
                "kernel": {"name": "python3"},
            },
        )
        session.raise_for_status()
        self.kernel_id = session.json()["kernel"]["id"]
        ws_url = f"ws://127.0.0.1:{hub.port}/user/{name}/api/kernels/{self.kernel_id}/channels"
        self.ws = websocket.create_connection(ws_url, header=[f"Authorization: token {token}"], timeout=CELL_TIMEOUT_S)
        self.session_id = uuid.uuid4().hex

    def execute(self, code: str) -> None:
        """Run ``code``; raise with the kernel's error when it fails."""
        msg_id = uuid.uuid4().hex
        self.ws.send(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "username": "learner",
                        "session": self.session_id,
                        "msg_type": "execute_request",
                        "version": "5.3",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "channel": "shell",
                    "content": {
                        "code": code,
                        "silent": False,
                        "store_history": True,
                        "user_expressions": {},
                        "allow_stdin": False,
                        "stop_on_error": True,
                    },
                }
            )
        )
        error = None
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "error":
                error = f"{msg['content']['ename']}: {msg['content']['evalue']}"[:500]
            elif kind == "execute_reply":
                if msg["content"]["status"] != "ok":
                    raise RuntimeError(error or msg["content"].get("evalue", "cell failed"))
                return

    def close(self) -> None:
        import requests

        self.ws.close()
        requests.delete(f"{self.base}/kernels/{self.kernel_id}", headers=self.headers, timeout=60)


def write_exercise(hub: Hub, name: str, token: str, text: str) -> None:
    import requests

    answer = requests.put(
        f"{hub.url}/user/{name}/api/contents/{EXERCISE_FILE}",
        timeout=60,
        headers={"Authorization": f"token {token}"},
        json={"type": "file", "format": "text", "content": text},
    )
    answer.raise_for_status()


def run_learner(hub: Hub, learner: Learner, cells: list[str], solution: str, go: threading.Event) -> None:
    go.wait()
    started = time.monotonic()
    mark = started
    kernel = None

    def step(label: str) -> None:
        nonlocal mark
        now = time.monotonic()
        learner.steps[label] = now - mark
        mark = now

    try:
        log_in(hub, learner.name)
        step("login")
        try:
            start_server(hub, learner.name)
        except SpawnFailed as first:  # what a learner does when the hub says so: Start My Server again
            learner.retried = str(first)[:1500]
            start_server(hub, learner.name)
        step("server")
        token = user_token(hub, learner.name)
        kernel = Kernel(hub, learner.name, token)
        step("kernel")
        for code in cells:
            kernel.execute(code)
        step("00_setup")
        write_exercise(hub, learner.name, token, solution)
        kernel.execute(f"report = lab.check({EXERCISE!r})\nassert report.passed, str(report)")
        step("check")
    except Exception as exc:
        learner.failure = f"{type(exc).__name__}: {exc}"[:2500]
        if "log says" not in learner.failure and "hub's log" not in learner.failure:
            learner.failure += f"\nthe hub's log about {learner.name}:\n{hub.lines_about(learner.name, 12)}"
    finally:
        learner.seconds = time.monotonic() - started
        learner.kernel = kernel  # closed after memory is measured


def leftovers(folder: Path, names: list[str]) -> list[str]:
    """Learners whose emulator still runs although their server stopped (must be none)."""
    from reference_app.lab.room.hub import lab_home_for, leftover_emulators

    return [n for n in names if leftover_emulators(lab_home_for(folder / "learners" / n))]


# --- memory ----------------------------------------------------------------------------------------------------
def learner_trees(names: set[str]) -> dict[str, list]:
    """Each learner's process tree: their single-user server and everything below it (kernel, emulator, workers)."""
    import psutil

    trees: dict[str, list] = {}
    for proc in psutil.process_iter(["cmdline"]):
        cmd = " ".join(proc.info["cmdline"] or ())
        if "jupyterhub-singleuser" not in cmd:
            continue
        try:
            user = proc.environ().get("JUPYTERHUB_USER")
            if user in names:
                trees[user] = [proc, *proc.children(recursive=True)]
        except psutil.Error:
            continue
    return trees


class MemorySampler(threading.Thread):
    """Every second, the resident memory of each learner's process tree; the peak is kept."""

    def __init__(self, names: set[str]):
        super().__init__(daemon=True)
        self.names = names
        self.peak: dict[str, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        import psutil

        while not self.done.wait(1.0):
            for user, procs in learner_trees(self.names).items():
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak[user] = max(self.peak.get(user, 0.0), total / 2**20)


def pss_now(names: set[str]) -> dict[str, float]:
    import psutil

    shares = {}
    for user, procs in learner_trees(names).items():
        total = 0
        for p in procs:
            try:
                total += p.memory_full_info().pss
            except (psutil.Error, AttributeError):
                pass
        shares[user] = total / 2**20
    return shares


# --- one round -------------------------------------------------------------------------------------------------
@dataclass
class Round:
    learners: int
    seconds: list[float]
    failures: list[str]
    rss_peak_mb: list[float]
    pss_mb: list[float]
    steps: dict[str, float]
    retried: list[str]  # "<name>: <the hub's reason>" for each first spawn the hub gave up on
    load_before: float
    load_after: float
    hub_start_s: float
    total_s: float

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")


def run_round(n: int, keep: bool = False) -> Round:
    load_before = os.getloadavg()[0]
    folder = Path(tempfile.mkdtemp(prefix=f"room-hub-{n}-"))
    hub = Hub(folder, free_port(), secrets.token_hex(24), secrets.token_urlsafe(12))
    began = time.monotonic()
    cells, solution = setup_cells(), solution_text()
    learners = [Learner(f"learner{i:02d}") for i in range(1, n + 1)]
    sampler = MemorySampler({lr.name for lr in learners})
    try:
        hub.start()
        hub_start_s = time.monotonic() - began
        go = threading.Event()
        threads = [threading.Thread(target=run_learner, args=(hub, lr, cells, solution, go)) for lr in learners]
        for t in threads:
            t.start()
        sampler.start()
        go.set()
        for t in threads:
            t.join(timeout=1800)
        pss = pss_now({lr.name for lr in learners})
        sampler.done.set()
        for lr in learners:
            if lr.kernel is not None:
                try:
                    lr.kernel.close()
                except Exception:
                    pass
        stoppers = [threading.Thread(target=hub.stop_server, args=(lr.name,)) for lr in learners]
        for t in stoppers:
            t.start()
        for t in stoppers:
            t.join(timeout=300)
        still = leftovers(folder, [lr.name for lr in learners])
    finally:
        sampler.done.set()
        hub.stop()
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    failures = [f"{lr.name}: {lr.failure}" for lr in learners if lr.failure]
    failures += [f"{name}: the emulator still runs after the server stopped" for name in still]
    steps = {
        k: statistics.median(lr.steps.get(k, 0.0) for lr in learners)
        for k in ("login", "server", "kernel", "00_setup", "check")
    }
    return Round(
        n,
        [lr.seconds for lr in learners],
        failures,
        [sampler.peak.get(lr.name, 0.0) for lr in learners],
        [pss.get(lr.name, 0.0) for lr in learners],
        steps,
        [f"{lr.name}: {lr.retried}" for lr in learners if lr.retried],
        load_before,
        os.getloadavg()[0],
        hub_start_s,
        time.monotonic() - began,
    )


def table(rounds: list[Round]) -> str:
    # the ratio is to N=1's median when N=1 ran, else to the smallest N's
    first = min(rounds, key=lambda r: r.learners) if rounds else None
    base = first.median if first else float("nan")
    lines = [
        f"{'N':>3} {'median s':>9} {'max s':>7} {'ratio':>6} {'fail':>5} {'RSS peak MB':>12} {'PSS MB':>7} "
        f"{'load before/after':>18}  median steps (login/server/kernel/00_setup/check s)",
    ]
    for r in rounds:
        steps = "/".join(f"{r.steps[k]:.1f}" for k in ("login", "server", "kernel", "00_setup", "check"))
        lines.append(
            f"{r.learners:>3} {r.median:>9.1f} {max(r.seconds):>7.1f} {r.median / base:>6.2f} {len(r.failures):>5} "
            f"{statistics.median(r.rss_peak_mb):>12.0f} {statistics.median(r.pss_mb):>7.0f} "
            f"{r.load_before:>8.2f} / {r.load_after:<7.2f}  {steps}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--learners",
        "--n",
        type=int,
        nargs="+",
        default=[1, 5],
        help="the room sizes, one round each (the issue's table: --n 1 5 10 20)",
    )
    parser.add_argument("--keep", action="store_true", help="keep each round's room folder (logs, homes)")
    parser.add_argument("--json", type=Path, help="also write the rounds as JSON here")
    args = parser.parse_args(argv)
    if shutil.which("configurable-http-proxy") is None:
        print("configurable-http-proxy is not installed: npm install -g configurable-http-proxy", file=sys.stderr)
        return 2
    rounds = []
    for n in args.learners:
        r = run_round(n, keep=args.keep)
        rounds.append(r)
        print(
            f"N={n}: {len(r.failures)} failures, median {r.median:.1f} s, hub up in {r.hub_start_s:.1f} s, "
            f"round {r.total_s:.0f} s",
            flush=True,
        )
        for failure in r.failures:
            print("  " + failure, flush=True)
        for retry in r.retried:
            print("  started again after the hub gave up: " + retry, flush=True)
    print(table(rounds))
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in rounds], indent=1))
    return 1 if any(r.failures for r in rounds) else 0


if __name__ == "__main__":
    sys.exit(main())
