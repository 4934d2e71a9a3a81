"""The kit's Python worker inside ministack: how it starts, what it answers, when it is reclaimed.

:class:`LabWorker` (made by :func:`worker_class` from ministack's ``Worker``) starts
:mod:`.bootstrap` as ``python -I -S`` with Lambda's runtime variables, reads its log
events as they come, and stops reading when the worker says an invocation's output
is complete. :func:`guard_memory` stops a busy worker whose memory passes its
``MemorySize``; :func:`reclaim` stops idle ones (the settings are in the package
docstring).
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
from dataclasses import dataclass
from datetime import UTC, datetime

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
        from ..import_check import sdk_dir

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


# A room's shared emulator sandboxes every worker (reference_app.lab.room.sandbox.wrap):
# ``(args, popen_kwargs) -> (args, popen_kwargs)``, or None to start workers as they are.
spawn_wrapper = None


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

        def _spawn(self):
            # Each process is a new execution environment, with a log stream of its own.
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

        def invoke(self, event, request_id: str, **kwargs) -> dict:
            self.out_of_memory = False
            started = time.time()
            answer = _complete_answer(lr, self, super().invoke(event, request_id, **kwargs), request_id, started)
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
        error = {"errorType": "Runtime.OutOfMemory" if worker.out_of_memory else "Runtime.ExitError",
                 "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: {how}"}
        lab = lab or {}
        answer["lab"] = {**lab, "started_ms": int(started * 1000), "error": error, "oom": worker.out_of_memory,
                         "exited": True, "duration_ms": lab.get("duration_ms", (time.time() - started) * 1000)}
    return answer


def guard_memory(lr, worker_class: type, interval_s: float = 0.05) -> None:
    """Stop a busy worker whose resident memory (its children's included) passes the function's memory size.

    Its own memory is read every ``interval_s``; finding its children means reading
    every process's status, so their memory is refreshed ten times less often.
    """
    import psutil

    children_mb: dict[int, float] = {}
    for tick in itertools.count():
        time.sleep(interval_s)
        with lr._lock:
            busy = [(w, w._proc) for entries in lr._workers.values() for w in entries
                    if w.in_use and isinstance(w, worker_class) and w._proc is not None]
        for worker, popen in busy:
            try:
                proc = psutil.Process(popen.pid)
                own = proc.memory_info().rss / 2**20
                if tick % 10 == 0 or proc.pid not in children_mb:
                    children_mb[proc.pid] = sum(c.memory_info().rss for c in proc.children(recursive=True)) / 2**20
            except psutil.Error:
                continue
            if own + children_mb[proc.pid] > worker.memory_mb:
                worker.stop_for_memory(popen)
        for pid in set(children_mb) - {popen.pid for _, popen in busy}:
            del children_mb[pid]


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
