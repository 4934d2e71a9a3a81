"""What the kit changes inside the embedded emulator's process (ministack 1.5.33).

:func:`install` runs before ministack starts (:mod:`.run_ministack`) and patches
ministack's modules as they are imported, so start-up costs nothing extra:

``ministack.core.lambda_runtime``
    the Python worker's script becomes :mod:`.bootstrap`; Python functions get
    :class:`LabWorker`, which passes Lambda's runtime variables (log format and
    level, log group and stream, ``AWS_EXECUTION_ENV``, ``TZ``) to the worker,
    reads its log events as they come and stops reading when the worker says the
    invocation's output is complete (no 50 ms wait for output that never comes).
``ministack.services.lambda_svc``
    a worker's answer becomes Lambda's: the error object as the runtime reports it,
    and the invocation's log block (START, the function's events, END, REPORT with
    ``Init Duration`` and the worker's peak memory, or their JSON forms) written to
    the worker's own log stream, as Lambda writes one stream per execution
    environment. An Invoke runs under the request id its response carries. A new
    ``LoggingConfig`` retires the function's workers, as any configuration change
    does on AWS.
``ministack.app``
    the request id of an Invoke call is handed to the invocation, and the health
    document says this module is active (:data:`~reference_app.lab.runtime.HEALTH_KEY`).

A reaper thread reclaims idle workers (the settings are in the package docstring),
and a memory guard stops a busy worker whose memory passes its function's
``MemorySize``, as Lambda does (``Runtime.OutOfMemory``).
"""

from __future__ import annotations

import contextvars
import importlib.abc
import importlib.machinery
import itertools
import json
import logging
import math
import os
import queue
import re
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import HEALTH_KEY, SUPPORTED_EMULATOR, installed_version
from .bootstrap import END_OF_OUTPUT, FRAME, NEWLINE_ESCAPE

logger = logging.getLogger("lambda_lab.runtime")

BOOTSTRAP = Path(__file__).with_name("bootstrap.py")
# How long a worker's stderr may lag behind its answer before the output is taken as complete.
OUTPUT_GRACE_S = 2.0
_INVOKE_PATH = re.compile(r"^/2015-03-31/functions/[^/]+/invocations/?$")
_LEVELS = {"TRACE": 5, "DEBUG": 10, "INFO": 20, "WARN": 30, "WARNING": 30, "ERROR": 40, "FATAL": 50, "CRITICAL": 50}


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


# --- install: patch each module as ministack imports it -----------------------------------------------------
class _AfterImport(importlib.abc.MetaPathFinder):
    def __init__(self, hooks: dict):
        self.hooks = hooks

    def find_spec(self, fullname, path, target=None):
        hook = self.hooks.pop(fullname, None)
        if hook is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def run_then_patch(module):
            exec_module(module)
            hook(module)

        spec.loader.exec_module = run_then_patch
        return spec


_installed = False


def install(settings: Settings | None = None) -> None:
    """Patch ministack for the kit's runtime; a no-op (with a log line) on another version."""
    global _installed
    version = installed_version()
    if version != SUPPORTED_EMULATOR:
        logger.warning("lambda-lab runtime not applied: ministack %s is not %s", version, SUPPORTED_EMULATOR)
        return
    if _installed:
        return
    _installed = True
    settings = settings or Settings.from_environment()
    hooks = {
        "ministack.core.lambda_runtime": lambda module: _patch_runtime(module, settings),
        "ministack.services.lambda_svc": _patch_service,
        "ministack.app": _patch_app,
    }
    for name in list(hooks):
        if name in sys.modules:
            hooks.pop(name)(sys.modules[name])
    sys.meta_path.insert(0, _AfterImport(hooks))


# --- the worker: lambda_runtime -----------------------------------------------------------------------------
_answers: dict[str, tuple] = {}  # request id -> (worker, its answer), from LabWorker.invoke to the result
_sdk_dir: str | None = None


def _runtime_sdk_dir() -> str:
    """boto3 and its dependencies, and nothing else: what Lambda's Python runtime provides."""
    global _sdk_dir
    if _sdk_dir is None:
        from ..packaging import _sdk_dir as sdk_dir

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


class _IsolatedPython:
    """``subprocess`` for lambda_runtime: the Python worker starts as ``python -I -S`` (no site-packages).

    The bootstrap re-executes itself that way when it was not; starting it so saves
    a second interpreter start on every cold start.
    """

    def __getattr__(self, name):
        return getattr(subprocess, name)

    @staticmethod
    def Popen(args, *more, **kwargs):  # noqa: N802  (subprocess's name)
        if isinstance(args, list) and len(args) == 2 and args[0] == sys.executable and args[1].endswith("_worker.py"):
            args = [args[0], "-I", "-S", args[1]]
        return subprocess.Popen(args, *more, **kwargs)


def _patch_runtime(lr, settings: Settings) -> None:
    lr._PYTHON_WORKER_SCRIPT = lr.INVOKE_DEPTH_BOOTSTRAP + lr._sub_runtime_tokens(BOOTSTRAP.read_text())
    lr.subprocess = _IsolatedPython()
    lab_worker = lr.LabWorker = _worker_class(lr)
    original_class_for = lr._worker_class_for

    def worker_class_for(config: dict):
        if str(config.get("Runtime", "")).startswith("python") and not config.get("ImageUri"):
            return lab_worker
        return original_class_for(config)

    lr._worker_class_for = worker_class_for
    threading.Thread(target=_reap_forever, args=(lr, settings), name="lambda-lab-reaper", daemon=True).start()
    threading.Thread(target=_guard_memory, args=(lr, lab_worker), name="lambda-lab-memory", daemon=True).start()


def _worker_class(lr) -> type:
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
            _answers[request_id] = (self, answer)
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


def _guard_memory(lr, worker_class: type, interval_s: float = 0.05) -> None:
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


def _reap_forever(lr, settings: Settings) -> None:
    interval = max(0.5, min(5.0, settings.burst_idle_s / 2, settings.idle_s / 2))
    while True:
        time.sleep(interval)
        try:
            reclaim(lr, settings)
        except Exception:
            logger.exception("reclaiming idle workers failed")


# --- the invocation's result and log block: lambda_svc ------------------------------------------------------
@dataclass
class LogBlock:
    group: str
    stream: str
    events: list[tuple[int, str]] = field(default_factory=list)  # (timestamp ms, message)

    def text(self) -> str:
        return "".join(message if message.endswith("\n") else message + "\n" for _, message in self.events)


_blocks: dict[str, LogBlock] = {}  # request id -> its block, from the result to _emit_lambda_logs


def parse_output(raw: str) -> list[tuple[int, str]]:
    """The worker's framed lines as (timestamp, message) log events."""
    events = []
    for line in raw.split("\n"):
        if not line.startswith(FRAME) or line == END_OF_OUTPUT:
            continue
        stamp, _, text = line[1:].partition(FRAME)
        try:
            timestamp = int(stamp)
        except ValueError:
            timestamp = int(time.time() * 1000)
        events.append((timestamp, text.replace(NEWLINE_ESCAPE, "\n")))
    return events


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _level_of(message: str) -> int:
    """An application event's level, as Lambda reads it: the JSON ``level`` field, else INFO."""
    try:
        value = json.loads(message)
    except ValueError:
        return _LEVELS["INFO"]
    level = value.get("level") if isinstance(value, dict) else None
    return _LEVELS.get(str(level).upper(), _LEVELS["INFO"])


def build_log_block(
    config: dict,
    request_id: str,
    stream: str,
    output: list[tuple[int, str]],
    lab: dict,
    status: str = "success",
    error_type: str | None = None,
) -> LogBlock:
    """The events Lambda writes for one invocation, in the function's log format and levels."""
    logging_config = config.get("LoggingConfig") or {}
    json_format = str(logging_config.get("LogFormat", "Text")).upper() == "JSON"
    group = logging_config.get("LogGroup") or f"/aws/lambda/{config.get('FunctionName', 'unknown')}"
    version = config.get("Version", "$LATEST")
    memory = int(config.get("MemorySize", 128))
    now = int(time.time() * 1000)
    duration = float(lab.get("duration_ms") or 0.0)
    if status == "timeout":
        duration = float(config.get("Timeout", 3)) * 1000
    started = int(lab.get("started_ms") or now - duration)
    init = lab.get("init_ms")
    peak = memory if lab.get("oom") else min(memory, int(lab.get("peak_mb") or 0))
    billed = math.ceil(duration + (init or 0))
    ended = max([started + math.ceil(duration), *(t for t, _ in output)])
    before = [(t, m) for t, m in output if t < started]
    during = [(t, m) for t, m in output if t >= started]
    if status == "timeout" and not json_format:
        during.append((ended, f"{_iso(ended)} {request_id} Task timed out after {duration / 1000:.2f} seconds"))

    if json_format:
        threshold = _LEVELS.get(str(logging_config.get("ApplicationLogLevel") or "INFO").upper(), _LEVELS["INFO"])
        before = [(t, m) for t, m in before if _level_of(m) >= threshold]
        during = [(t, m) for t, m in during if _level_of(m) >= threshold]
        metrics = {"durationMs": round(duration, 2), "billedDurationMs": billed, "memorySizeMB": memory,
                   "maxMemoryUsedMB": peak}
        if init is not None:
            metrics["initDurationMs"] = round(init, 2)
        report = {"requestId": request_id, "metrics": metrics, "status": status}
        if error_type:
            report["errorType"] = error_type
        start_line = json.dumps({"time": _iso(started), "type": "platform.start",
                                 "record": {"requestId": request_id, "version": version}})
        platform = [(started, start_line + "\n"),
                    (ended, json.dumps({"time": _iso(ended), "type": "platform.report", "record": report}) + "\n")]
        # Lambda's platform events are INFO: a SystemLogLevel of WARN keeps them out.
        if str(logging_config.get("SystemLogLevel") or "INFO").upper() == "WARN":
            platform = []
        events = before + platform[:1] + during + platform[1:]
    else:
        fields = [f"Duration: {duration:.2f} ms", f"Billed Duration: {billed} ms", f"Memory Size: {memory} MB",
                  f"Max Memory Used: {peak} MB"]
        if init is not None:
            fields.append(f"Init Duration: {init:.2f} ms")
        if status != "success" and (status == "timeout" or error_type):
            fields.append(f"Status: {status}")
            if error_type:
                fields.append(f"Error Type: {error_type}")
        events = [
            *before,
            (started, f"START RequestId: {request_id} Version: {version}\n"),
            *during,
            (ended, f"END RequestId: {request_id}\n"),
            (ended, f"REPORT RequestId: {request_id}\t" + "\t".join(fields) + "\t\n"),
        ]
    return LogBlock(group, stream, [(t, m if m.endswith("\n") else m + "\n") for t, m in events])


def _result_of(config: dict, request_id: str, worker, answer: dict, result: dict) -> dict:
    """ministack's result for a Python worker's answer, made Lambda's; its log block kept for the emitter."""
    lab = answer.get("lab") or {}
    output = parse_output(answer.get("log", ""))
    error = lab.get("error")
    status, error_type = "success", None
    timed_out = bool(lab.get("timed_out"))
    if lab.get("exited"):
        status, error_type = "error", error["errorType"]
    elif error is not None:
        status = "error"
    elif timed_out:
        status, error_type = "timeout", None
        timeout = float(config.get("Timeout", 3))
        error = {"errorMessage": f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds",
                 "errorType": "Sandbox.Timedout"}
    elif answer.get("status") == "error":
        return result  # the worker broke before it could answer (ministack's own message stands)
    if error is not None:
        result.update(body=error, error=True)
        result.pop("function_error", None)
    block = build_log_block(config, request_id, worker.log_stream, output, lab, status, error_type)
    _blocks[request_id] = block
    result["log"] = block.text()
    result["log_source"] = "lambda-lab"
    return result


def _write_log_block(block: LogBlock) -> None:
    """Append a block to its group and stream (created as Lambda creates them), and fan it out."""
    from ministack.services import cloudwatch_logs as cwl

    now = int(time.time() * 1000)
    if block.group not in cwl._log_groups:
        cwl._log_groups[block.group] = {"arn": cwl._make_group_arn(block.group), "creationTime": now,
                                        "retentionInDays": None, "tags": {}, "subscriptionFilters": {}, "streams": {}}
    streams = cwl._log_groups[block.group]["streams"]
    if block.stream not in streams:
        streams[block.stream] = {"events": [], "uploadSequenceToken": "1", "creationTime": now,
                                 "firstEventTimestamp": None, "lastEventTimestamp": None, "lastIngestionTime": None}
    events = [{"timestamp": t, "message": m, "ingestionTime": now} for t, m in block.events]
    cwl._append_log_events(streams[block.stream], events)
    cwl._fanout_to_subscription_filters(block.group, block.stream, [{"timestamp": t, "message": m}
                                                                     for t, m in block.events])


_http_invoke: contextvars.ContextVar[dict | None] = contextvars.ContextVar("lambda_lab_http_invoke", default=None)


def _patch_service(svc) -> None:
    execute_warm = svc._execute_function_warm
    emit = svc._emit_lambda_logs
    dispatch = svc._execute_function_dispatch
    update_config = svc._update_config

    def _execute_function_warm(func: dict, event, request_id: str) -> dict:
        result = execute_warm(func, event, request_id)
        answered = _answers.pop(request_id, None)
        if answered is None or not isinstance(result, dict):
            return result
        worker, answer = answered
        return _result_of(func.get("config") or func, request_id, worker, answer, result)

    def _emit_lambda_logs(func, request_id, log_text, error, duration_ms, *, log_source=None):
        block = _blocks.pop(request_id, None) if log_source == "lambda-lab" else None
        if block is None:
            return emit(func, request_id, log_text, error, duration_ms, log_source=log_source)
        try:
            _write_log_block(block)
        except Exception:  # as ministack's own: writing logs never breaks an invocation
            logger.exception("writing the log block of %s failed", request_id)
        return None

    def _execute_function_dispatch(func, config, event, request_id, started):
        # An Invoke call runs under the request id its response carries (its retries too), as on AWS.
        call = _http_invoke.get()
        name = config.get("FunctionName")
        if call is not None and call.setdefault("function", name) == name:
            request_id = call["request_id"]
        return dispatch(func, config, event, request_id, started)

    def _update_config(name: str, data: dict):
        answer = update_config(name, data)
        if "LoggingConfig" in data:  # the worker's log variables are fixed when it starts
            svc.invalidate_worker(name, qualifier="$LATEST")
        return answer

    svc._execute_function_warm = _execute_function_warm
    svc._emit_lambda_logs = _emit_lambda_logs
    svc._execute_function_dispatch = _execute_function_dispatch
    svc._update_config = _update_config


# --- the front door: ministack.app --------------------------------------------------------------------------
def _patch_app(app) -> None:
    dispatch_request = app._dispatch_service_request
    health = app._handle_health_request

    async def _dispatch_service_request(method, path, headers, body, query_params, request_id):
        if method == "POST" and _INVOKE_PATH.match(path):
            token = _http_invoke.set({"request_id": request_id})
            try:
                return await dispatch_request(method, path, headers, body, query_params, request_id)
            finally:
                _http_invoke.reset(token)
        return await dispatch_request(method, path, headers, body, query_params, request_id)

    def _handle_health_request(path: str, request_id: str):
        answer = health(path, request_id)
        if answer is None:
            return None
        status, headers, body = answer
        try:
            doc = json.loads(body)
            doc[HEALTH_KEY] = {"emulator": SUPPORTED_EMULATOR, "python": sys.version.split()[0]}
            body = json.dumps(doc).encode()
        except (ValueError, TypeError):
            pass
        return status, headers, body

    app._dispatch_service_request = _dispatch_service_request
    app._handle_health_request = _handle_health_request
