"""What the kit changes inside the embedded emulator's process (ministack 1.5.33).

:func:`install` runs before ministack starts (:mod:`.run_ministack`) and patches
ministack's modules as they are imported, so start-up costs nothing extra:

``ministack.core.lambda_runtime``
    the Python worker's script becomes :mod:`.bootstrap`; Python functions get
    ``LabWorker`` (:mod:`.workers`), which passes Lambda's runtime variables (log format and
    level, log group and stream, ``AWS_EXECUTION_ENV``, ``TZ``) to the worker,
    reads its log events as they come and stops reading when the worker says the
    invocation's output is complete (no 50 ms wait for output that never comes).
``ministack.services.lambda_svc``
    a worker's answer becomes Lambda's: the error object as the runtime reports it,
    and the invocation's log block (:mod:`.log_block`: START, the function's events, END, REPORT with
    ``Init Duration`` and the worker's peak memory, or their JSON forms) written to
    the worker's own log stream, as Lambda writes one stream per execution
    environment. An Invoke runs under the request id its response carries. A new
    ``LoggingConfig`` retires the function's workers, as any configuration change
    does on AWS. Asynchronous invocation (retries, dead-letter queue, destinations)
    runs as Lambda runs it (:mod:`.async_invoke`). What AWS refuses (memory, timeout, names,
    environment, layers, concurrency, policy size) is refused with AWS's errors (:mod:`.quotas`).
``ministack.app``
    the request id of an Invoke call is handed to the invocation, an Invoke over Lambda's
    payload limits is refused as Lambda refuses it (:mod:`.limits`), and the health
    document says this module is active (:data:`~reference_app.lab.emulator_patch.HEALTH_KEY`).
    An API's invoke URL answers whichever account owns the API, as on AWS
    (:mod:`reference_app.lab.emulator_patch.room_accounts`: a room's shared emulator needs it).
``ministack.services.dynamodb``
    a table's stream records are saved with it, so a restored DynamoDB Streams mapping
    delivers again after a restart (:mod:`.restore`).
``ministack.services.cloudformation.provisioners``
    a bucket a stack creates or deletes is created or deleted on disk too, so a restart
    neither loses nor brings it back (:mod:`.restore`).
``ministack.services.s3``
    a write that cannot reach the disk fails the request (HTTP 507) instead of answering
    200 for an object the next start will not have (:mod:`.durability`).
``ministack.services.cloudwatch_logs``
    events of at most 256 KB, dropped past their group's retention and beyond a size cap per
    group, so a chatty function cannot fill the saved state (:mod:`.log_store`).
``ministack.services.cloudwatch``
    an alarm reads only the series its dimensions name, and is evaluated when the emulator
    records a point of its metric (:mod:`.limits`).

A reaper thread reclaims idle workers (the settings are in the package docstring),
and a memory guard stops a busy worker whose memory passes its function's
``MemorySize``, as Lambda does (``Runtime.OutOfMemory``).
"""

from __future__ import annotations

import contextvars
import importlib.abc
import importlib.machinery
import json
import logging
import re
import sys
import threading
from pathlib import Path

from . import (
    HEALTH_KEY,
    SUPPORTED_EMULATOR,
    async_invoke,
    durability,
    installed_version,
    limits,
    log_store,
    quotas,
    restore,
)
from .log_block import LogBlock, build_log_block, parse_output, write_log_block
from .room_accounts import hooks as room_hooks
from .room_accounts import patch_app as invoke_urls_for_every_account
from .workers import (
    IsolatedPython,
    Settings,
    answers,
    end_trees_with_workers,
    guard_memory,
    reap_forever,
    worker_class,
)

logger = logging.getLogger("lambda_lab.runtime")

BOOTSTRAP = Path(__file__).with_name("bootstrap.py")
_INVOKE_PATH = re.compile(r"^/2015-03-31/functions/[^/]+/invocations/?$")
_blocks: dict[str, LogBlock] = {}  # request id -> its block, from the result to _emit_lambda_logs
_http_invoke: contextvars.ContextVar[dict | None] = contextvars.ContextVar("lambda_lab_http_invoke", default=None)


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

        setattr(spec.loader, "exec_module", run_then_patch)  # noqa: B010  (this loader instance only)
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
        "ministack.services.cloudwatch": limits.patch_cloudwatch,
        "ministack.services.dynamodb": restore.patch_dynamodb,
        "ministack.services.cloudformation.provisioners": restore.patch_cloudformation,
        "ministack.services.s3": durability.patch_s3,
        "ministack.services.cloudwatch_logs": log_store.install,
    }

    for name, hook in room_hooks().items():  # an emulator a room shares: bucket names per learner
        hooks[name] = _both(hooks[name], hook) if name in hooks else hook
    for name in list(hooks):
        if name in sys.modules:
            hooks.pop(name)(sys.modules[name])
    sys.meta_path.insert(0, _AfterImport(hooks))


def _both(first, second):
    def hook(module):
        first(module)
        second(module)

    return hook


# --- lambda_runtime: the worker ----------------------------------------------------------------------------
def _patch_runtime(lr, settings: Settings) -> None:
    lr._PYTHON_WORKER_SCRIPT = lr.INVOKE_DEPTH_BOOTSTRAP + lr._sub_runtime_tokens(BOOTSTRAP.read_text())
    lr.subprocess = IsolatedPython()
    lab_worker = lr.LabWorker = worker_class(lr)
    original_class_for = lr._worker_class_for

    def worker_class_for(config: dict):
        if str(config.get("Runtime", "")).startswith("python") and not config.get("ImageUri"):
            return lab_worker
        return original_class_for(config)

    lr._worker_class_for = worker_class_for
    end_trees_with_workers(lr)
    threading.Thread(target=reap_forever, args=(lr, settings), name="lambda-lab-reaper", daemon=True).start()
    threading.Thread(target=guard_memory, args=(lr, lab_worker), name="lambda-lab-memory", daemon=True).start()


# --- lambda_svc: the result and the log block ---------------------------------------------------------------
def _result_of(config: dict, request_id: str, worker, answer: dict, result: dict) -> dict:
    """ministack's result for a Python worker's answer, made Lambda's; its log block kept for the emitter."""
    lab = answer.get("lab") or {}
    output = parse_output(answer.get("log", ""))
    error = lab.get("error")
    status, error_type = "success", None
    timed_out = bool(lab.get("timed_out"))
    if lab.get("exited") and error is not None:  # workers.py sets both: the runtime's own error
        status, error_type = "error", error["errorType"]
    elif error is not None:
        status = "error"
    elif timed_out:
        status, error_type = "timeout", None
        timeout = float(config.get("Timeout", 3))
        error = {
            "errorMessage": f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds",
            "errorType": "Sandbox.Timedout",
        }
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


def _patch_service(svc) -> None:
    execute_warm = svc._execute_function_warm
    emit = svc._emit_lambda_logs
    dispatch = svc._execute_function_dispatch
    update_config = svc._update_config

    def _execute_function_warm(func: dict, event, request_id: str) -> dict:
        result = execute_warm(func, event, request_id)
        answered = answers.pop(request_id, None)
        if answered is None or not isinstance(result, dict):
            return result
        worker, answer = answered
        return _result_of(func.get("config") or func, request_id, worker, answer, result)

    def _emit_lambda_logs(func, request_id, log_text, error, duration_ms, *, log_source=None):
        block = _blocks.pop(request_id, None) if log_source == "lambda-lab" else None
        if block is None:
            return emit(func, request_id, log_text, error, duration_ms, log_source=log_source)
        try:
            write_log_block(block)
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
    async_invoke.install(svc, _http_invoke)
    restore.patch_stream_poller(svc)
    quotas.install(svc)  # Lambda's quotas and API constraints, refused as AWS refuses them


# --- the front door: ministack.app --------------------------------------------------------------------------
def _patch_app(app) -> None:
    dispatch_request = app._dispatch_service_request
    health = app._handle_health_request

    async def _dispatch_service_request(method, path, headers, body, query_params, request_id):
        if method == "POST" and _INVOKE_PATH.match(path):
            refused = limits.refuse_request(headers, body)  # Lambda's payload limits, before anything runs
            if refused is not None:
                return refused
        refused = quotas.refuse_upload(method, path, body)  # a zip over 50 MB sent directly
        if refused is not None:
            return refused
        if method == "POST" and _INVOKE_PATH.match(path):
            token = _http_invoke.set({"request_id": request_id})
            try:
                return limits.limit_response(
                    await dispatch_request(method, path, headers, body, query_params, request_id)
                )
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

    invoke_urls_for_every_account(app)
