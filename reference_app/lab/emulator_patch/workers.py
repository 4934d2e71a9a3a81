"""The kit's Python worker inside ministack: how it starts, what it answers, when it is reclaimed.

:class:`LabWorker` (made by :func:`worker_class` from ministack's ``Worker``) starts
:mod:`.bootstrap` as ``python -I -S`` with Lambda's runtime variables, reads its log
events as they come, and stops reading when the worker says an invocation's output
is complete. :func:`guard_memory` stops a busy worker whose memory, with its whole
process tree's, passes its ``MemorySize``; :func:`reclaim` stops idle ones (the
settings are in the package docstring).

**The execution environment is the whole process tree.** AWS freezes an environment
between invocations, so a process a handler started and left running (a
``subprocess.Popen``, a ``multiprocessing`` pool) does nothing until the next
invocation thaws it, and it goes with the environment. Each worker keeps every
descendant it has been seen with (:class:`ProcessTree`): they are suspended (SIGSTOP)
when an invocation ends, resumed when the next one starts, counted in the worker's
memory, and killed when the environment ends (reclaimed, timed out, out of memory,
updated, deleted), even after the runtime process itself has gone and they were
re-parented. A process is seen at the end of each invocation and, while one runs,
by the memory guard (every 0.5 s): one that starts and leaves the tree (double fork)
between two looks is not frozen (``process-tree`` in the known differences).
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psutil

from .bootstrap import END_OF_OUTPUT, FRAME

logger = logging.getLogger("lambda_lab.runtime")

# How long a worker's stderr may lag behind its answer before the output is taken as complete.
OUTPUT_GRACE_S = 2.0
# request id -> (worker, its answer): from LabWorker.invoke to the invocation's result (see host.py)
answers: dict[str, tuple] = {}


@dataclass(frozen=True)
class Settings:
    idle_s: float = 300.0  # an idle function's last warm worker
    burst_idle_s: float = 30.0  # the extra workers a burst of concurrent invocations left
    max_idle_workers: int = 8

    @classmethod
    def from_environment(cls) -> Settings:
        def number(name: str, default: float) -> float:
            try:
                return max(0.0, float(os.environ.get(name, default)))
            except ValueError:
                return default

        return cls(
            idle_s=number("LAMBDA_LAB_WARM_IDLE_S", cls.idle_s),
            burst_idle_s=number("LAMBDA_LAB_BURST_IDLE_S", cls.burst_idle_s),
            max_idle_workers=int(number("LAMBDA_LAB_WARM_WORKERS", cls.max_idle_workers)),
        )


_sdk_dir: str | None = None


def _runtime_sdk_dir() -> str:
    """boto3 and its dependencies, and nothing else: what Lambda's Python runtime provides."""
    global _sdk_dir
    if _sdk_dir is None:
        # in the emulator's process: loaded at the first invoke, not at every emulator start (packaging, platformdirs)
        from ..runtime_sdk import sdk_dir

        _sdk_dir = str(sdk_dir())
    return _sdk_dir


def runtime_variables(config: dict) -> dict[str, str]:
    """The variables Lambda defines for a function from its configuration (configuration-envvars.html)."""
    logging_config = config.get("LoggingConfig") or {}
    name = config.get("FunctionName", "")
    variables = {
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{config.get('Runtime', 'python3.13')}",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": logging_config.get("LogGroup") or f"/aws/lambda/{name}",
        "_HANDLER": config.get("Handler", ""),
    }
    if str(logging_config.get("LogFormat", "Text")).upper() == "JSON":
        variables["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
        variables["AWS_LAMBDA_LOG_LEVEL"] = str(logging_config.get("ApplicationLogLevel") or "INFO").upper()
    return variables


def log_stream_name(config: dict) -> str:
    """A new execution environment's log stream, named as Lambda names it."""
    now = datetime.now(UTC)
    return f"{now:%Y/%m/%d}/[{config.get('Version', '$LATEST')}]{uuid.uuid4().hex}"


# A room's shared emulator sandboxes every worker (reference_app.lab.emulator_patch.room_sandbox.wrap):
# ``(args, popen_kwargs) -> (args, popen_kwargs)``, or None to start workers as they are.
spawn_wrapper: Callable[[list[str], dict], tuple[list[str], dict]] | None = None


def _child_pids(pid: int) -> list[int]:
    """The direct children of ``pid``: Linux lists them per thread in /proc (cheap), psutil elsewhere."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        try:
            return [c.pid for c in psutil.Process(pid).children()]
        except psutil.Error:
            return []
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as listing:
                found += [int(n) for n in listing.read().split()]
        except (OSError, ValueError):
            continue
    return found


def _runtime_pid(pid: int) -> int:
    """The runtime's own process under ``pid``: ``pid`` itself, or, when a room sandboxes the worker
    (:data:`spawn_wrapper`), the first process below bubblewrap's own (bwrap, and its init with a
    private /proc), so the runtime is never counted or frozen as one of its environment's children."""
    for _ in range(4):
        try:
            if psutil.Process(pid).name() != "bwrap":
                return pid
        except psutil.Error:
            return pid
        children = _child_pids(pid)
        if len(children) != 1:
            return pid
        pid = children[0]
    return pid


class ProcessTree:
    """Every process an execution environment has started, as seen so far (the runtime process excluded)."""

    def __init__(self) -> None:
        self.seen: dict[int, psutil.Process] = {}
        self._lock = threading.Lock()

    def look(self, root_pid: int | None) -> list[psutil.Process]:
        """Add the live descendants of ``root_pid``; return every one still running."""
        if root_pid is not None:
            pending = _child_pids(_runtime_pid(root_pid))
            while pending:
                pid = pending.pop()
                if pid not in self.seen:
                    try:
                        self.seen[pid] = psutil.Process(pid)
                    except psutil.Error:
                        continue
                pending += _child_pids(pid)
        with self._lock:
            for pid, proc in list(self.seen.items()):
                try:
                    gone = not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE
                except psutil.Error:
                    gone = True
                if gone:
                    del self.seen[pid]
            return list(self.seen.values())

    def _each(self, action: str, procs: list[psutil.Process]) -> None:
        for proc in procs:
            try:
                getattr(proc, action)()
            except psutil.Error:
                pass

    def freeze(self, root_pid: int | None) -> None:
        self._each("suspend", self.look(root_pid))

    def thaw(self) -> None:
        self._each("resume", self.look(None))

    def end(self) -> None:
        """Kill every process the environment started (SIGCONT first: a stopped process takes SIGKILL anyway)."""
        procs = self.look(None)
        self._each("kill", procs)
        psutil.wait_procs(procs, timeout=2)
        with self._lock:
            self.seen.clear()

    def rss_mb(self) -> float:
        total = 0
        for proc in self.look(None):
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                continue
        return total / 2**20


class IsolatedPython:
    """``subprocess`` for lambda_runtime: the Python worker starts as ``python -I -S`` (no site-packages).

    The bootstrap re-executes itself that way when it was not; starting it so saves
    a second interpreter start on every cold start. :data:`spawn_wrapper`, when set, wraps
    every command started here.
    """

    def __getattr__(self, name):
        return getattr(subprocess, name)

    @staticmethod
    def Popen(args, *more, **kwargs):  # noqa: N802  (subprocess's name)
        if isinstance(args, list) and len(args) == 2 and args[0] == sys.executable and args[1].endswith("_worker.py"):
            args = [args[0], "-I", "-S", args[1]]
        if spawn_wrapper is not None:
            args, kwargs = spawn_wrapper(args, kwargs)
        return subprocess.Popen(args, *more, **kwargs)


def worker_class(lr) -> type:
    class LabWorker(lr.Worker):
        """ministack's Python worker, speaking to :mod:`.bootstrap`."""

        def __init__(self, func_name: str, config: dict, code_zip: bytes):
            # A copy: the function's stored configuration must not see the runtime's variables.
            variables = dict((config.get("Environment") or {}).get("Variables") or {})
            super().__init__(func_name, {**config, "Environment": {"Variables": variables}}, code_zip)
            self.log_stream = ""
            self.peak_mb = 0
            self.memory_mb = int(config.get("MemorySize") or 128)
            self.out_of_memory = False
            self.process = None
            self.tree = ProcessTree()

        def _spawn(self):
            # Each process is a new execution environment, with a log stream of its own.
            self.tree.end()  # what the last environment left, were it still running
            self.log_stream = log_stream_name(self.config)
            self.peak_mb = 0
            variables = self.config["Environment"]["Variables"]
            variables.update(runtime_variables(self.config))
            variables.setdefault("TZ", ":UTC")
            variables["_LAB_SDK_DIR"] = variables["LAMBDA_RUNTIME_DIR"] = _runtime_sdk_dir()
            variables["_LAB_LOG_STREAM"] = self.log_stream
            super()._spawn()
            self.process = self._proc  # kept past ministack dropping it, for the exit status

        def _read_stderr(self):
            try:
                for line in self._proc.stderr:
                    line = line.rstrip("\n")
                    if not line.startswith(FRAME):  # written to the descriptor directly: stamp it now
                        line = f"{FRAME}{int(time.time() * 1000)}{FRAME}{line}"
                    self._stderr_queue.put(line)
            except Exception:
                pass

        def _drain_stderr_bounded(self, *args, **kwargs) -> str:
            return _output_until_end(self._stderr_queue, self._stderr_thread)

        def _drain_stderr(self) -> str:
            return "\n".join(line for line in super()._drain_stderr().split("\n") if line and line != END_OF_OUTPUT)

        def stop_for_memory(self, proc=None) -> None:
            """Lambda stops an environment whose memory passes its memory size (``signal: killed``)."""
            proc = proc or self._proc
            if proc is not None and proc is self._proc and proc.poll() is None:
                self.out_of_memory = True
                proc.kill()
                self.tree.end()

        def invoke(self, event, request_id: str, **kwargs) -> dict:
            self.out_of_memory = False
            started = time.time()
            self.tree.thaw()  # the environment's processes run again, as AWS thaws it
            try:
                answered = super().invoke(event, request_id, **kwargs)
            finally:
                proc = self._proc
                if proc is None or proc.poll() is not None:
                    self.tree.end()  # the environment is gone (timeout, crash, out of memory): all of it
                else:
                    self.tree.freeze(proc.pid)  # until the next invocation, as AWS freezes the environment
            answer = _complete_answer(lr, self, answered, request_id, started)
            answers[request_id] = (self, answer)
            return answer

    return LabWorker


def _output_until_end(lines: queue.Queue, reader: threading.Thread | None) -> str:
    """An invocation's output: the worker's lines up to its end-of-output mark (written before its answer)."""
    output = []
    deadline = time.monotonic() + OUTPUT_GRACE_S
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.05)
        except queue.Empty:
            if reader is None or not reader.is_alive():
                break  # the process is gone: nothing more will come
            continue
        if line == END_OF_OUTPUT:
            break
        output.append(line)
    return "\n".join(output)


def _complete_answer(lr, worker, answer: dict, request_id: str, started: float) -> dict:
    """A worker's answer with what only the emulator side knows: a peak past the memory size, a timeout, an exit."""
    lab = answer.get("lab")
    if lab is not None:
        worker.peak_mb = max(worker.peak_mb, int(lab.get("peak_mb") or 0))
        if worker.peak_mb > worker.memory_mb:  # a peak between two of the memory guard's looks
            worker.stop_for_memory()
            proc, worker._proc = worker._proc, None
            lr._collect(proc, time.monotonic() + lr._REAP_GRACE)
    elif "timed out" in str(answer.get("error", "")):
        answer["lab"] = lab = {"peak_mb": worker.peak_mb, "timed_out": True}
    exited = lab is None and answer.get("error") == "Worker process died"
    if worker.out_of_memory or exited:
        code = worker.process.returncode if worker.process is not None else None
        how = f"exit status {code}" if code is not None and code >= 0 else "signal: killed"
        error = {
            "errorType": "Runtime.OutOfMemory" if worker.out_of_memory else "Runtime.ExitError",
            "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: {how}",
        }
        lab = lab or {}
        answer["lab"] = {
            **lab,
            "started_ms": int(started * 1000),
            "error": error,
            "oom": worker.out_of_memory,
            "exited": True,
            "duration_ms": lab.get("duration_ms", (time.time() - started) * 1000),
        }
    return answer


def guard_memory(lr, worker_class: type[Any], interval_s: float = 0.05) -> None:
    """Stop a busy worker whose resident memory (its whole process tree's) passes the function's memory size.

    Its own memory is read every ``interval_s``, its tree's ten times less often. An idle
    worker's tree is frozen, so it cannot grow between invocations.
    """
    children_mb: dict[int, float] = {}
    for tick in itertools.count():
        time.sleep(interval_s)
        with lr._lock:
            busy = [
                (w, w._proc)
                for entries in lr._workers.values()
                for w in entries
                if w.in_use and isinstance(w, worker_class) and w._proc is not None
            ]
        for worker, popen in busy:
            try:
                proc = psutil.Process(popen.pid)
                own = proc.memory_info().rss / 2**20
                if tick % 10 == 0 or proc.pid not in children_mb:
                    worker.tree.look(proc.pid)
                    children_mb[proc.pid] = worker.tree.rss_mb()
            except psutil.Error:
                continue
            if own + children_mb[proc.pid] > worker.memory_mb:
                worker.stop_for_memory(popen)
        for pid in set(children_mb) - {popen.pid for _, popen in busy}:
            del children_mb[pid]


def end_trees_with_workers(lr) -> None:
    """ministack's ``kill_workers`` (reclaim, update, delete, reset) also ends each worker's process tree."""
    kill_workers = lr.kill_workers

    def kill_workers_and_trees(workers) -> None:
        trees = [w.tree for w in workers if isinstance(getattr(w, "tree", None), ProcessTree)]
        for tree in trees:
            tree.look(None)
        kill_workers(workers)
        for tree in trees:
            tree.end()

    lr.kill_workers = kill_workers_and_trees


# --- reclaiming idle workers --------------------------------------------------------------------------------
def reclaim(lr, settings: Settings, now: float | None = None) -> int:
    """Stop workers idle past their lifetime, then the least recently used beyond the cap; how many stopped."""
    now = time.time() if now is None else now
    doomed = []
    with lr._lock:
        idle = []
        for key, entries in list(lr._workers.items()):
            live = sorted(entries, key=lambda w: w.last_used, reverse=True)
            keep = []
            for rank, worker in enumerate(live):
                lifetime = settings.idle_s if rank == 0 else settings.burst_idle_s
                if worker.in_use:
                    keep.append(worker)
                elif now - worker.last_used > lifetime:
                    doomed.append(worker)
                else:
                    keep.append(worker)
                    if worker._proc is not None:
                        idle.append((worker.last_used, key, worker))
            if keep:
                lr._workers[key] = keep
            else:
                lr._workers.pop(key, None)
        idle.sort(key=lambda item: item[0])
        for _, key, worker in idle[: max(0, len(idle) - settings.max_idle_workers)]:
            lr._workers[key].remove(worker)
            if not lr._workers[key]:
                lr._workers.pop(key)
            doomed.append(worker)
    lr.kill_workers(doomed)
    return len(doomed)


def reap_forever(lr, settings: Settings) -> None:
    interval = max(0.5, min(5.0, settings.burst_idle_s / 2, settings.idle_s / 2))
    while True:
        time.sleep(interval)
        try:
            reclaim(lr, settings)
        except Exception:
            logger.exception("reclaiming idle workers failed")
