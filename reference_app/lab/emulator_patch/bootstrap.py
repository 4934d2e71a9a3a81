"""The Python bootstrap lambda-lab gives ministack's warm worker: AWS's runtime contract.

It replaces ``ministack.core.lambda_runtime._PYTHON_WORKER_SCRIPT`` (see
:mod:`reference_app.lab.emulator_patch`) and speaks ministack's JSON-line protocol with the
emulator: one ``init`` line on stdin, a ``ready`` answer on stdout, then one
envelope (``{"event": ..., "ctx": {...}}``) in and one answer out per invocation.
Inside that protocol the function gets what AWS's Python runtime (``awslambdaric``)
gives it:

* an interpreter that sees only the function's code, its layers and the SDK
  (``python -I -S``: no host site-packages, no ``PYTHON*`` variables) and an
  environment of Lambda's variables plus the function's own;
* the root logger's handler and format (text or JSON, with ``AWS_LAMBDA_LOG_LEVEL``),
  ``print`` lines as log events, and the error log line of an unhandled exception;
* errors shaped as ``{"errorMessage", "errorType", "requestId", "stackTrace"}``
  with the function's own frames only, and the ``Runtime.*`` errors of a handler
  that cannot be loaded or a result that cannot be marshalled;
* the context object, ``Init Duration``, the peak memory (the emulator side
  enforces ``MemorySize``), and an exit as soon as the emulator that started it is gone.

This file runs inside the worker, on the host's interpreter and the standard
library only; it never imports the kit, and it is one file because ministack runs
it as a script. Log events go to stderr, one per line, as
``\\x1e<epoch ms>\\x1e<text>`` (newlines inside an event escaped as ``\\x1f``),
and ``\\x1e\\x1e`` ends an invocation's output, so the emulator never has to wait
and guess whether more is coming. Lines written straight to the file descriptors
(C extensions, child processes) arrive unframed and are stamped on arrival.
"""

import os
import sys
import time

_T0 = float(os.environ.pop("_LAB_T0", "0") or 0) or time.time()


def _isolate() -> None:
    """Re-run this script in an interpreter that sees no site-packages (as on Lambda).

    ``exec`` keeps the process, its pipes and the init line waiting on stdin.
    """
    if sys.flags.isolated or sys.flags.no_site or os.name == "nt":
        return
    os.environ["_LAB_T0"] = repr(_T0)
    os.execv(sys.executable, [sys.executable, "-I", "-S", os.path.abspath(__file__)])


if __name__ == "__main__":
    _isolate()

import importlib  # noqa: E402  (after the re-exec: nothing above may be imported twice)
import importlib.abc  # noqa: E402
import importlib.machinery  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import math  # noqa: E402
import threading  # noqa: E402
import traceback  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

FRAME = "\x1e"
NEWLINE_ESCAPE = "\x1f"
END_OF_OUTPUT = FRAME + FRAME

# ministack's names for the per-invocation variables; the emulator substitutes the
# placeholders when it builds the worker script (lambda_runtime._sub_runtime_tokens).
_DEPTH_ENV = "__DEPTH_ENV__"
try:
    _DURABLE_ENV_VARS = json.loads("""__DURABLE_ENV_VARS__""")
except ValueError:  # run as a plain file (the unit tests): no durable variables
    _DURABLE_ENV_VARS = []

# What Lambda defines in a function's environment, besides the function's own variables
# (docs: configuration-envvars.html). Everything else of the emulator's is dropped.
_KEEP_PREFIXES = ("AWS_", "_AWS_", "_X_AMZN_", "_MINISTACK_", "LC_")
_KEEP_NAMES = {
    "PATH",
    "LANG",
    "TZ",
    "TMPDIR",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
    "_HANDLER",
    "LD_LIBRARY_PATH",
    "SYSTEMROOT",
    "SSL_CERT_FILE",
}
# Internal to the emulator or the kit: read here, then removed from the function's view.
_PRIVATE = ("_LAMBDA_LAYERS_DIRS", "_LAMBDA_FUNCTION_ARN", "_LAMBDA_TIMEOUT", "_LAB_SDK_DIR", "_LAB_LOG_STREAM")

# awslambdaric/bootstrap.py: the text format of the root logger's handler, and the
# indentation of an error log's traceback lines (NO-BREAK SPACE).
_TEXT_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
_TEXT_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
_JSON_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_ERROR_INDENT = "\u00a0"
_UNHANDLED_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. However, in "
    "rare cases, a Lambda runtime update can cause unexpected function behavior. For functions using managed "
    "runtimes, runtime updates can be triggered by a function change, or can be applied automatically. To "
    "determine if the runtime has been updated, check the runtime version in the INIT_START log entry. If this "
    "error correlates with a change in the runtime version, you may be able to mitigate this error by "
    "temporarily rolling back to the previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r"
)

_request_id = ""  # the invocation being served, for the log filter
_tenant_id = None


# --- log sink: one framed event per line on stderr ----------------------------------------------------------
class LogSink:
    """Writes log events to the emulator; a lock keeps threads' events whole."""

    def __init__(self, fd: int):
        self._out = os.fdopen(fd, "wb", 0)
        self._lock = threading.Lock()

    def event(self, text: str) -> None:
        line = f"{FRAME}{int(time.time() * 1000)}{FRAME}{text.replace(chr(10), NEWLINE_ESCAPE)}\n"
        with self._lock:
            self._out.write(line.encode("utf-8", "replace"))

    def end_of_output(self) -> None:
        with self._lock:
            self._out.write((END_OF_OUTPUT + "\n").encode())


class LineWriter:
    """``sys.stdout`` / ``sys.stderr`` for the function: every complete line is one log event."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, sink: LogSink, fd: int):
        self._sink = sink
        self._fd = fd
        self._partial = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            lines = (self._partial + str(text)).split("\n")
            self._partial = lines.pop()
        for line in lines:
            self._sink.event(line + "\n")
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def drain(self) -> None:
        """End of an invocation: a line still without its newline is logged as it is."""
        with self._lock:
            partial, self._partial = self._partial, ""
        if partial:
            self._sink.event(partial)

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return False

    def readable(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False


# --- logging: the root logger as AWS's runtime sets it up ---------------------------------------------------
class LambdaLoggerFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = _request_id or ""
        record.tenant_id = _tenant_id
        return True


class LambdaLoggerHandler(logging.Handler):
    def __init__(self, sink: LogSink):
        super().__init__()
        self.log_sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.log_sink.event(self.format(record))
        except Exception:
            self.handleError(record)


_JSON_RESERVED = frozenset(
    {
        "name",
        "msg",
        "args",
        "levelname",
        "levelno",
        "pathname",
        "filename",
        "module",
        "exc_info",
        "exc_text",
        "stack_info",
        "lineno",
        "funcName",
        "created",
        "msecs",
        "relativeCreated",
        "thread",
        "threadName",
        "processName",
        "process",
        "aws_request_id",
        "tenant_id",
        "_frame_type",
        "taskName",
    }
)


class JsonFormatter(logging.Formatter):
    """The JSON log format of AWS's Python runtime (awslambdaric's ``JsonFormatter``)."""

    _encode = json.JSONEncoder(ensure_ascii=False, default=str).encode

    def __init__(self):
        super().__init__(datefmt=_JSON_DATE_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        record.levelno = min(50, max(0, record.levelno)) // 10 * 10
        record.levelname = logging.getLevelName(record.levelno)
        exc = record.exc_info
        if exc and exc[0] is None:
            # exc_info=True outside an except block stores (None, None, None): AWS's runtime (awslambdaric's
            # JsonFormatter) fails on it the same way, so logging prints "--- Logging error ---" and loses the line
            raise AttributeError("'NoneType' object has no attribute '__name__'")
        result = {
            "timestamp": self.formatTime(record, self.datefmt),
            "level": record.levelname,
            "message": record.msg if isinstance(record.msg, dict) and not record.args else record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc[2]) if exc else None,
            "errorType": exc[0].__name__ if exc else None,
            "errorMessage": str(exc[1]) if exc else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": f"{record.pathname}:{record.funcName}:{record.lineno}" if exc else None,
        }
        tenant_id = getattr(record, "tenant_id", None)
        if tenant_id is not None:
            result["tenantId"] = tenant_id
        result.update(
            (key, value) for key, value in record.__dict__.items() if key not in _JSON_RESERVED and key not in result
        )
        return self._encode({k: v for k, v in result.items() if v is not None}) + "\n"


def setup_logging(sink: LogSink, log_format: str, log_level: str) -> None:
    """awslambdaric's ``_setup_logging``: UTC timestamps, one handler on the root logger."""
    logging.Formatter.converter = time.gmtime
    root = logging.getLogger()
    handler = LambdaLoggerHandler(sink)
    if log_format == "JSON":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(_TEXT_FORMAT, _TEXT_DATE_FORMAT))
    level = {"TRACE": "DEBUG"}.get(log_level.upper(), log_level.upper())
    if level in logging._nameToLevel:
        root.setLevel(level)
    handler.addFilter(LambdaLoggerFilter())
    root.addHandler(handler)


# --- errors: the shape AWS's runtime reports ----------------------------------------------------------------
class Fault(Exception):
    """A ``Runtime.*`` error: the runtime's own, not the handler's."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None):
        super().__init__(message)
        self.error_type, self.message, self.trace = error_type, message, trace


def make_error(message: str, error_type: str, stack_trace: list[str] | None, request_id: str | None = None) -> dict:
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace or [],
    }


def _own_frames(tb) -> list[str]:
    """The traceback without this bootstrap's leading frames, formatted as ``traceback.format_list``."""
    frames: list[traceback.FrameSummary] = traceback.extract_tb(tb)
    here = os.path.abspath(__file__)
    for index, frame in enumerate(frames):
        if os.path.abspath(frame.filename) != here:
            frames = frames[index:]
            break
    else:
        frames = []
    return traceback.format_list(frames)


def error_from_exception(exc: BaseException, request_id: str | None = None) -> dict:
    if isinstance(exc, Fault):
        return make_error(exc.message, exc.error_type, exc.trace, request_id)
    return make_error(str(exc), type(exc).__name__, _own_frames(exc.__traceback__), request_id)


def _indent(line: str) -> str:
    stripped = line.lstrip(" ")
    return _ERROR_INDENT * (len(line) - len(stripped)) + stripped


def log_error(sink: LogSink, error: dict, log_format: str) -> None:
    """The log event AWS's runtime writes for an unhandled error (awslambdaric ``log_error``)."""
    if log_format == "JSON":
        stamp = time.strftime(_JSON_DATE_FORMAT, time.gmtime())
        sink.event(json.dumps({"timestamp": stamp, "level": "ERROR", **error}, ensure_ascii=False))
        return
    head = "[ERROR]"
    if error.get("errorType"):
        head += " " + error["errorType"]
    if error.get("errorMessage"):
        head += (":" if error.get("errorType") else "") + " " + error["errorMessage"]
    lines = [head]
    if error.get("stackTrace") is not None:
        lines.append("Traceback (most recent call last):")
        for element in error["stackTrace"]:
            lines += [_indent(line) for line in element.splitlines()] if element else [""]
    sink.event("\n".join(lines))


# --- marshalling: json as the runtime's simplejson encoder does it ------------------------------------------
def _encode_default(value):
    import decimal  # here, not at the top: a cold start pays for every import

    if isinstance(value, decimal.Decimal):
        if value.is_nan():
            return math.nan
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def marshal(result) -> str:
    try:
        return json.dumps(result, ensure_ascii=False, allow_nan=True, default=_encode_default)
    except (TypeError, ValueError) as exc:
        raise Fault("Runtime.MarshalError", f"Unable to marshal response: {exc}") from None


# --- loading the handler (awslambdaric ``_get_handler``) ----------------------------------------------------
def load_handler(handler: str):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as exc:
        raise Fault("Runtime.MalformedHandlerName", f"Bad handler '{handler}': {exc}") from None
    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            message = f"Cannot use built-in module {module_name} as a handler module"
            raise Fault("Runtime.BuiltInModuleConflict", message)
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        raise Fault("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}") from None
    except SyntaxError as exc:
        trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
        raise Fault("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}", trace) from None
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise Fault("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'") from None


# --- the context object (awslambdaric ``LambdaContext``) ----------------------------------------------------
class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, raw: dict | None = None):
        raw = raw or {}
        self.cognito_identity_id = raw.get("cognitoIdentityId")
        self.cognito_identity_pool_id = raw.get("cognitoIdentityPoolId")


class LambdaContext:
    def __init__(
        self,
        request_id: str,
        invoked_function_arn: str,
        deadline_ms: int,
        sink: LogSink,
        client_context=None,
        identity=None,
        tenant_id=None,
    ):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self.client_context = client_context
        self.identity = CognitoIdentity(identity)
        self._deadline_ms = deadline_ms
        self._sink = sink

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def log(self, msg) -> None:
        self._sink.event(str(msg))

    def __repr__(self) -> str:
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},client_context={self.client_context},"
            f"identity={self.identity},tenant_id={self.tenant_id}])"
        )


# --- the environment the function sees ----------------------------------------------------------------------
def peak_memory_mb() -> int:
    """This environment's peak resident memory (Linux: the high-water mark since the interpreter started)."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return math.ceil(int(line.split()[1]) / 1024)
    except OSError:
        pass
    try:
        import resource
    except ImportError:  # Windows
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return math.ceil(peak / (1024 * 1024 if sys.platform == "darwin" else 1024))


def _search_path(code_dir: str, layer_dirs: list[str], sdk_dir: str) -> list[str]:
    """sys.path as on Lambda: the code, the layers, the standard library, then the runtime's SDK."""
    layers = []
    for layer in layer_dirs:
        python = os.path.join(layer, "python")
        lib = os.path.join(python, "lib")
        if os.path.isdir(lib):
            layers += [
                os.path.join(lib, v, "site-packages")
                for v in sorted(os.listdir(lib))
                if os.path.isdir(os.path.join(lib, v, "site-packages"))
            ]
        if os.path.isdir(python):
            layers.append(python)
    stdlib = [p for p in sys.path if p and "site-packages" not in p and "dist-packages" not in p]
    return [code_dir, *layers, *stdlib, *([sdk_dir] if sdk_dir else [])]


def _scrub_environment(function_variables: dict) -> None:
    for name in list(os.environ):
        keep = name in function_variables or name in _KEEP_NAMES or name.startswith(_KEEP_PREFIXES)
        if not keep or name in _PRIVATE:
            del os.environ[name]


class _AfterImport(importlib.abc.MetaPathFinder):
    """Run ``hook`` right after ``name`` is first imported (the SDK's depth counter, only if the code uses it)."""

    def __init__(self, name: str, hook):
        self.name, self.hook = name, hook

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def run_then_hook(module):
            exec_module(module)
            try:
                self.hook()
            except Exception:
                pass

        setattr(spec.loader, "exec_module", run_then_hook)  # noqa: B010  (this loader instance only)
        return spec


# --- the emulator gone -------------------------------------------------------------------------------------
def watch_parent(interval_s: float = 0.5) -> None:
    """Exit as soon as the emulator that started this worker is gone, even in the middle of a handler."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval_s)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="lambda-lab-parent-watch", daemon=True).start()


# --- the worker ---------------------------------------------------------------------------------------------
class Worker:
    def __init__(self):
        # The protocol keeps its own descriptors; the function's stdin is empty and its
        # stdout joins stderr, so nothing the function or its libraries write can break it.
        self._in = os.fdopen(os.dup(0), "r", encoding="utf-8")
        self._out = os.fdopen(os.dup(1), "w", encoding="utf-8")
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.dup2(2, 1)
        self.sink = LogSink(os.dup(2))
        self.stdout = LineWriter(self.sink, 1)
        self.stderr = LineWriter(self.sink, 2)
        sys.stdin = open(os.devnull)  # noqa: SIM115  (the process's stdin, open for its lifetime)
        sys.stdout, sys.stderr = self.stdout, self.stderr
        self.handler: Callable[[Any, Any], Any] | None = None
        self.init_error: dict | None = None
        self.init_ms = 0.0
        self.request_id = ""
        self.log_format = "Text"
        self.first = True
        self.started = self.clock = 0.0

    def answer(self, message: dict, result_json: str | None = None) -> None:
        """Send one answer; ``result_json``, already encoded, becomes its ``result``."""
        text = json.dumps(message)
        if result_json is not None:
            text = text[:-1] + ', "result": ' + result_json + "}"
        self._out.write(text + "\n")
        self._out.flush()

    def _flush_output(self) -> None:
        self.stdout.drain()
        self.stderr.drain()
        self.sink.end_of_output()

    def init(self) -> dict:
        line = os.environ.pop("_LAB_INIT_LINE", "") or self._in.readline()  # after a wrapper: from the exec
        init = json.loads(line)
        variables = init.get("env", {})
        added_by_wrapper = _names_added_by_wrapper()
        os.environ.update(variables)
        code_dir = init["code_dir"]
        layers = [d for d in os.environ.get("_LAMBDA_LAYERS_DIRS", "").split(os.pathsep) if d]
        if variables.get("AWS_LAMBDA_EXEC_WRAPPER") and added_by_wrapper is None:
            self._exec_wrapper(line, variables["AWS_LAMBDA_EXEC_WRAPPER"], code_dir, layers)
        sdk_dir = os.environ.get("_LAB_SDK_DIR", "")
        self.timeout_s = float(os.environ.get("_LAMBDA_TIMEOUT", "3"))
        if os.environ.get("_LAB_LOG_STREAM"):
            os.environ["AWS_LAMBDA_LOG_STREAM_NAME"] = os.environ["_LAB_LOG_STREAM"]
        os.environ.setdefault("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + init.get("function_name", ""))
        _scrub_environment({**variables, **dict.fromkeys(added_by_wrapper or (), "")})
        sys.path[:] = _search_path(code_dir, layers, sdk_dir)
        os.chdir(code_dir)
        self.log_format = "JSON" if os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON" else "Text"
        setup_logging(self.sink, self.log_format, os.environ.get("AWS_LAMBDA_LOG_LEVEL", ""))
        depth_hook = globals().get("_ms_install_invoke_depth")  # ministack's recursion counter, if prepended
        if depth_hook is not None:
            if "botocore.handlers" in sys.modules:
                depth_hook()
            else:
                sys.meta_path.insert(0, _AfterImport("botocore.handlers", depth_hook))
        watch_parent()
        try:
            self.handler = load_handler(init.get("module", "") + "." + init.get("handler", ""))
            if init.get("snapstart"):
                _run_snapstart_hooks()
        except Exception as exc:
            self.init_error = error_from_exception(exc)
            logging.warning(_UNHANDLED_WARNING)
            log_error(self.sink, self.init_error, self.log_format)
        self.init_ms = (time.time() - _T0) * 1000
        self._out.write(json.dumps({"status": "ready", "cold": True}) + "\n")
        self._out.flush()
        return init

    def _exec_wrapper(self, line: str, wrapper: str, code_dir: str, layers: list[str]) -> None:
        """``AWS_LAMBDA_EXEC_WRAPPER``: run the wrapper script with this runtime's command line as its
        arguments; the script changes the environment or the arguments and execs them (runtimes-modify).
        The wrapper runs during INIT, as on Lambda. ``/var/task/...`` is the function's code and
        ``/opt/...`` a layer's; a script that lost its execute bit in the zip runs with its #! line."""
        path = wrapper
        if wrapper.startswith("/var/task/"):
            path = os.path.join(code_dir, wrapper[len("/var/task/") :])
        elif wrapper.startswith("/opt/"):
            path = next(
                (
                    os.path.join(d, wrapper[len("/opt/") :])
                    for d in layers
                    if os.path.isfile(os.path.join(d, wrapper[len("/opt/") :]))
                ),
                wrapper,
            )
        if not os.path.isfile(path):
            logging.warning("AWS_LAMBDA_EXEC_WRAPPER %s does not exist; starting without it", wrapper)
            return
        command = [path]
        if not os.access(path, os.X_OK):
            with open(path, "rb") as script:
                first = script.readline().decode(errors="replace")
            command = (first[2:].split() if first.startswith("#!") else ["/bin/sh"]) + [path]
        os.environ.update(_LAB_INIT_LINE=line, _LAB_T0=repr(_T0), _LAB_BEFORE_WRAPPER=json.dumps(sorted(os.environ)))
        os.dup2(self._in.fileno(), 0)  # the protocol's descriptors, where the wrapped runtime finds them
        os.dup2(self._out.fileno(), 1)
        os.execv(command[0], [*command, sys.executable, "-I", "-S", os.path.abspath(__file__)])

    def serve(self) -> None:
        init = self.init()
        while True:
            line = self._in.readline()
            if not line:
                return
            message = json.loads(line)
            answer, result_json = self.invoke(init, message.get("event"), message.get("ctx") or {})
            self.first = False
            self.answer(answer, result_json)
            if self.init_error is not None:
                return  # as on Lambda, a failed init is retried in a fresh environment

    def invoke(self, init: dict, event, ctx: dict) -> tuple[dict, str | None]:
        global _request_id, _tenant_id
        request_id = ctx.get("request_id", "")
        self.request_id = _request_id = request_id
        _tenant_id = ctx.get("tenant_id")
        _set_invocation_environment(ctx)
        timeout_ms = int(ctx.get("timeout_ms") or self.timeout_s * 1000)
        self.started = started = time.time()
        self.clock = time.perf_counter()
        error = None
        body = None
        try:
            if self.init_error is not None:
                error = dict(self.init_error)
            else:
                assert self.handler is not None  # init() loaded it, or set init_error
                context = LambdaContext(
                    request_id,
                    ctx.get("invoked_function_arn") or init.get("arn", ""),
                    int(started * 1000) + timeout_ms,
                    self.sink,
                    ctx.get("client_context"),
                    ctx.get("identity"),
                    _tenant_id,
                )
                body = marshal(self.handler(event, context))
        except Exception as exc:
            error = error_from_exception(exc, request_id)
        if error is not None and self.init_error is None:
            log_error(self.sink, error, self.log_format)
        lab = self.timings()
        self._flush_output()
        if error is None:
            return {"status": "ok", "lab": lab}, body
        lab["error"] = error
        if self.init_error is not None:
            return {"status": "error", "error": error["errorMessage"], "lab": lab}, None
        # The handler raised, the runtime did not: as on Lambda, the environment stays warm.
        # ("ok" tells ministack not to stop this worker; the emulator side reports the error.)
        return {"status": "ok", "lab": lab}, None

    def timings(self) -> dict:
        """When the invocation started, how long it ran, the peak memory; the init duration on the first."""
        duration_ms = round((time.perf_counter() - self.clock) * 1000, 2)
        lab = {"started_ms": int(self.started * 1000), "duration_ms": duration_ms, "peak_mb": peak_memory_mb()}
        if self.first:
            lab["init_ms"] = round(self.init_ms, 2)
        return lab


def _set_invocation_environment(ctx: dict) -> None:
    """The per-invocation variables ministack sends beside the event (trace id, loop depth, durable execution)."""
    values = {"_X_AMZN_TRACE_ID": ctx.get("trace_id"), _DEPTH_ENV: ctx.get("depth")}
    durable = ctx.get("durable") or {}
    values.update({name: durable.get(name) for name in _DURABLE_ENV_VARS})
    for name, value in values.items():
        if value is not None:
            os.environ[name] = str(value)
        else:
            os.environ.pop(name, None)


def _names_added_by_wrapper() -> set[str] | None:
    """After a wrapper script: the variables it exported (kept for the function); None without one."""
    before = os.environ.pop("_LAB_BEFORE_WRAPPER", None)
    if before is None:
        return None
    known = set(json.loads(before))
    return {n for n in os.environ if n not in known and not n.startswith("_LAB_")}


def _run_snapstart_hooks() -> None:
    """A published SnapStart version runs its before-snapshot, then after-restore hooks, during init."""
    try:
        from snapshot_restore_py import get_after_restore, get_before_snapshot
    except ImportError:
        return
    for fn, args, kwargs in reversed(get_before_snapshot()):
        fn(*args, **kwargs)
    for fn, args, kwargs in get_after_restore():
        fn(*args, **kwargs)


if __name__ == "__main__":
    Worker().serve()
