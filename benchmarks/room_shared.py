"""How many learners one embedded emulator carries: the shared-emulator alternative to the hub.

    python benchmarks/room_shared.py --learners 1 10 20 30

For each N: start one embedded emulator as ``lambda-lab room serve --emulator`` does (room
mode: an account per learner, issued as at join and verified on every request, per-account
bucket names, sandboxed workers, the room's worker settings), then N simulated learners at
once, each a process of its own in an account of its own (as N laptops would be), each
deploying 4 small functions and invoking each 10 times. Zips are built once beforehand (a
learner builds them on their own laptop, not on the emulator's machine).

It prints, per N: wall time per learner (median, max, ratio to the first N), failures (an
exception or a function error), the emulator's memory (its own process and its function
workers) at the peak of the burst, and again after the learners have been idle for
``--idle`` seconds (the room's settings stop idle workers after 60 s, so their memory comes
back), and the machine's load average while it ran.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

FUNCTIONS = 4
INVOKES = 10
HANDLER = "reference_app.handlers.hello"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def room_settings(learners: int) -> dict[str, str]:
    from reference_app.lab.cli.room import ROOM_RUNTIME, WARM_WORKERS_PER_LEARNER

    return {
        **ROOM_RUNTIME,
        "LAMBDA_LAB_WARM_WORKERS": str(WARM_WORKERS_PER_LEARNER * learners),
        "LAMBDA_LAB_SHARED_EMULATOR": "1",
    }


def learner(index: int, endpoint: str, credentials: tuple[str, str], home: Path, go, results) -> None:
    """One learner, in a process of their own, holding the account and secret the room issued at
    join (every request is signed with it and verified): deploy 4 functions, invoke each 10 times."""
    os.environ["LAMBDA_LAB_BACKEND"] = endpoint
    os.environ["LAMBDA_LAB_HOME"] = str(home / f"learner{index}")
    from reference_app import lab
    from reference_app.lab.accounts import membership

    membership.save("http://127.0.0.1:9", f"learner{index}", endpoint, "token", *credentials)

    go.wait()
    started = time.monotonic()
    failure = ""
    try:
        for f in range(FUNCTIONS):
            lab.deploy_function(f"room-fn-{f}", HANDLER, environment={"GREETING": f"Hi {index}"})
        for _ in range(INVOKES):
            for f in range(FUNCTIONS):
                answer = lab.invoke(f"room-fn-{f}", {"name": f"learner{index}"})
                if answer.function_error:
                    raise RuntimeError(f"room-fn-{f}: {answer.function_error}")
    except Exception as exc:
        failure = f"{type(exc).__name__}: {exc}"[:300]
    results.put((index, time.monotonic() - started, failure))


class Sampler(threading.Thread):
    """The emulator's own and its workers' resident memory, every half second; the peak is kept."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = (0.0, 0.0, 0)
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            now = measure(self.pid)
            if now[0] + now[1] > self.peak[0] + self.peak[1]:
                self.peak = now


def measure(pid: int) -> tuple[float, float, int]:
    """(emulator MB, workers MB, workers) now."""
    from reference_app.lab.emulator import memory

    m = memory(pid)
    return (m.emulator_mb, m.workers_mb, m.workers) if m else (0.0, 0.0, 0)


@dataclass
class Round:
    learners: int
    seconds: list[float]
    failures: list[str]
    peak_mb: float
    peak_workers: int
    idle_mb: float
    idle_workers: int
    emulator_idle_mb: float
    load_before: float
    load_peak: float

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def run_round(n: int, idle_s: float) -> Round:
    from reference_app.lab import embedded, packaging
    from reference_app.lab.config import resolve_backend

    home = Path(tempfile.mkdtemp(prefix=f"room-shared-{n}-"))
    port = free_port()
    saved = dict(os.environ)
    from reference_app.lab.accounts.credentials import FILE, PATH_ENV, Registry

    registry = Registry(home / FILE)  # as `room serve --emulator`: an account per learner who joins
    accounts = [registry.issue() for _ in range(n)]
    os.environ.update(room_settings(n), LAMBDA_LAB_HOME=str(home), **{PATH_ENV: str(home / FILE)})
    os.environ.pop("LAMBDA_LAB_ACCOUNT", None)
    backend = resolve_backend("embedded", port=port)
    load_before = os.getloadavg()[0]
    try:
        pid = embedded.start(backend)
        packaging.build_zip(HANDLER)  # the zip and its import check, once: learners build on their own laptops
        ctx = multiprocessing.get_context("fork")
        go, results = ctx.Event(), ctx.Queue()
        procs = [
            ctx.Process(target=learner, args=(i, backend.endpoint, accounts[i], home, go, results)) for i in range(n)
        ]
        for p in procs:
            p.start()
        time.sleep(1.0)  # every learner imported and waiting
        sampler = Sampler(pid)
        sampler.start()
        load_peak = 0.0
        go.set()
        got = []
        deadline = time.monotonic() + 900
        while len(got) < n and time.monotonic() < deadline:
            try:
                got.append(results.get(timeout=1))
            except Exception:
                pass
            load_peak = max(load_peak, os.getloadavg()[0])
        for p in procs:
            p.join(10)
        sampler.done.set()
        time.sleep(idle_s)
        emulator_idle, workers_idle, idle_workers = measure(pid)
    finally:
        embedded.stop(backend)
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(home, ignore_errors=True)
    failures = [f"learner{i}: {f}" for i, _, f in got if f]
    if len(got) < n:
        failures.append(f"{n - len(got)} learners never finished")
    peak = sampler.peak
    return Round(
        n,
        [s for _, s, _ in got],
        failures,
        peak[0] + peak[1],
        peak[2],
        emulator_idle + workers_idle,
        idle_workers,
        emulator_idle,
        load_before,
        load_peak,
    )


def table(rounds: list[Round]) -> str:
    base = rounds[0].median
    lines = [
        f"{'N':>3} {'median s':>9} {'max s':>7} {'ratio':>6} {'fail':>5} {'peak MB':>8} {'workers':>8} "
        f"{'idle MB':>8} {'idle workers':>13} {'load before/peak':>17}"
    ]
    for r in rounds:
        lines.append(
            f"{r.learners:>3} {r.median:>9.1f} {max(r.seconds):>7.1f} {r.median / base:>6.2f} "
            f"{len(r.failures):>5} {r.peak_mb:>8.0f} {r.peak_workers:>8} {r.idle_mb:>8.0f} "
            f"{r.idle_workers:>13} {r.load_before:>8.2f} / {r.load_peak:<6.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--idle", type=float, default=75.0, help="seconds of idleness before the second reading")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    rounds = []
    for n in args.learners:
        r = run_round(n, args.idle)
        rounds.append(r)
        print(
            f"N={n}: {len(r.failures)} failures, median {r.median:.1f} s, peak {r.peak_mb:.0f} MB, "
            f"after {args.idle:.0f} s idle {r.idle_mb:.0f} MB",
            flush=True,
        )
        for failure in r.failures[:5]:
            print("  " + failure, flush=True)
    print(table(rounds))
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in rounds], indent=1))
    return 1 if any(r.failures for r in rounds) else 0


if __name__ == "__main__":
    sys.exit(main())
