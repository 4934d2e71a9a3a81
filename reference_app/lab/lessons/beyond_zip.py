"""Module 12, the platform beyond the zip: durable functions run with AWS's local testing SDK,
SnapStart's runtime hooks (one snapshot restored into several environments), a wrapper script, and
a Dockerfile linted offline.

What the emulator cannot run is said where it matters; what runs, runs for real:

* :func:`run_durable` runs a durable function's handler under
  ``aws_durable_execution_sdk_python_testing`` (checkpoints, replay after a wait, step results), with
  its DynamoDB table on the emulator;
* :func:`restore` imports a SnapStart function once, runs its before-snapshot hooks, then *forks*
  that process into several "restored environments" that run the after-restore hooks and the handler:
  the same memory restored more than once, which is what SnapStart does and what makes a random
  seed or an open connection taken at init a bug;
* :class:`Ledger` is a loopback TCP service with one id per connection, standing in for a database a
  function keeps a connection to;
* :func:`lint_dockerfile` parses a Dockerfile with Docker's own parser (the ``dockerfile`` package)
  and checks it against what Lambda requires of an image.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import itertools
import json
import logging
import os
import select
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import LabError
from .common import new_run_id as new_run_id  # re-exported for the lesson

_counter = itertools.count()


def handler_file(name: str) -> Path:
    """The file of the reference handler ``name`` (what :func:`restore` imports)."""
    from ..packaging import find_module_file

    return find_module_file(f"reference_app.handlers.{name}")


# --- durable functions ---------------------------------------------------------------------------------------
@dataclass
class DurableRun:
    """One durable execution run locally: its status, result and the operations it checkpointed."""

    status: str
    result: Any
    operations: list[tuple[str, str, str]]  # (kind, name, status)
    seconds: float
    error: str = ""

    def kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.operations]

    def names(self, kind: str | None = None) -> list[str]:
        return [name for k, name, _ in self.operations if kind is None or k == kind]


@contextlib.contextmanager
def _quiet_sdk() -> Iterator[None]:
    """The SDK logs a failed step with its traceback; a failed step is the lesson, not noise."""
    names = ("aws_durable_execution_sdk_python", "aws_durable_execution_sdk_python_testing")
    saved = {n: logging.getLogger(n).level for n in names}
    for n in names:
        logging.getLogger(n).setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for n, level in saved.items():
            logging.getLogger(n).setLevel(level)


def run_durable(orchestrate: Callable[[Any, Any], Any], event: dict, timeout: int = 30) -> DurableRun:
    """Run ``orchestrate(event, durable_context)`` as a durable execution with the local testing SDK."""
    from aws_durable_execution_sdk_python import durable_execution
    from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

    handler = durable_execution(orchestrate)
    started = time.perf_counter()
    with _quiet_sdk(), DurableFunctionTestRunner(handler=handler) as runner:
        result = runner.run(input=json.dumps(event), timeout=timeout)
    operations = [(type(op).__name__.removesuffix("Operation").lower(), op.name or "",
                   getattr(getattr(op, "status", None), "value", "")) for op in result.operations]
    value = json.loads(result.result) if isinstance(result.result, str) else result.result
    error = getattr(result.error, "message", "") if getattr(result, "error", None) else ""
    return DurableRun(str(getattr(result.status, "value", result.status)), value, operations,
                      round(time.perf_counter() - started, 2), error or "")


def durable_sagas(table: Any, orders: dict[str, dict], ship_after_s: int = 1) -> dict[str, DurableRun]:
    """Run the durable order saga once per labelled order, against ``table`` (a boto3 Table)."""
    from reference_app.handlers.order_saga_durable import run_saga

    def orchestrate(event: dict, context: Any) -> dict:
        return run_saga(context, event, table, ship_after_s=ship_after_s)

    return {label: run_durable(orchestrate, {"order": order}) for label, order in orders.items()}


def saga_table(prefix: str = "lab-12-") -> Any:
    """The saga table (the same definition as module 09's), on the emulator, as a boto3 Table."""
    from ..apps import ensure_resource
    from ..clients import resource

    return resource("dynamodb").Table(ensure_resource("table", "saga", prefix=prefix))


def replay_counts(wait_s: int = 1) -> dict[str, int]:
    """How often a durable function's body and its one step run when a wait sits between them."""
    from aws_durable_execution_sdk_python.config import Duration

    runs = {"function body (outside steps)": 0, "step": 0}

    def step(_ctx: Any) -> str:
        runs["step"] += 1
        return "charged"

    def orchestrate(event: dict, context: Any) -> str:
        runs["function body (outside steps)"] += 1
        result = context.step(step, name="charge")
        context.wait(Duration.from_seconds(wait_s), name="pause")
        return result

    run = run_durable(orchestrate, {})
    return {**runs, "execution": run.status, "result": run.result}


def durable_summary(runs: dict[str, DurableRun]):
    """One row per run: the saga's outcome and the operations the durable execution recorded."""
    import pandas as pd

    rows = {label: {"execution": r.status, "saga": (r.result or {}).get("status"),
                    "error": (r.result or {}).get("error", ""),
                    "compensations": ", ".join((r.result or {}).get("compensations", [])),
                    "operations": " → ".join(f"{k}:{n}" + ("" if s == "SUCCEEDED" else f" ({s})")
                                             for k, n, s in r.operations),
                    "seconds": r.seconds} for label, r in runs.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


# --- a stand-in database: one id per connection --------------------------------------------------------------
class Ledger:
    """A loopback line service: ``RECORD <text>`` answers ``ok conn=<n>``; it remembers what each
    connection sent, and when each connection opened and closed (as an ordered event list)."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self._server.getsockname()[1]}"
        self.events: list[tuple[str, int]] = []  # ("open" | "close", connection id), in order
        self.records: list[tuple[int, str]] = []  # (connection id, text)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._live: dict[int, socket.socket] = {}
        self._thread = threading.Thread(target=self._accept, name="lab-ledger", daemon=True)
        self._thread.start()

    def _log(self, kind: str, conn_id: int) -> None:
        with self._lock:
            if (kind, conn_id) not in self.events:
                self.events.append((kind, conn_id))

    def _note_closed(self) -> None:
        """Log the close of every connection whose peer has already closed it. Called before an open
        is logged: a client that closes one connection and then opens another is seen in that order,
        whichever of the serving threads notices the end of its stream first."""
        for conn_id, conn in list(self._live.items()):
            try:
                readable, _, _ = select.select([conn], [], [], 0)
                if readable and conn.recv(1, socket.MSG_PEEK) == b"":
                    self._log("close", conn_id)
            except (OSError, ValueError):
                self._log("close", conn_id)

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            conn_id = next(self._ids)
            self._note_closed()
            self._log("open", conn_id)
            self._live[conn_id] = conn
            threading.Thread(target=self._serve, args=(conn, conn_id), daemon=True).start()

    def _serve(self, conn: socket.socket, conn_id: int) -> None:
        with conn, conn.makefile("rw", encoding="utf-8", newline="\n") as stream:
            try:
                for line in stream:
                    with self._lock:
                        self.records.append((conn_id, line.strip()))
                    stream.write(f"ok conn={conn_id}\n")
                    stream.flush()
            except OSError:
                pass
        self._live.pop(conn_id, None)
        self._log("close", conn_id)

    def closed_before_opened(self, closed: int, opened: int) -> bool:
        """Did connection ``closed`` close before connection ``opened`` opened?"""
        with self._lock:
            events = list(self.events)
        try:
            return events.index(("close", closed)) < events.index(("open", opened))
        except ValueError:
            return False

    def wait_closed(self, conn_id: int, timeout: float = 2.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ("close", conn_id) in self.events:
                return True
            time.sleep(0.02)
        return False

    def close(self) -> None:
        self._server.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- SnapStart: one snapshot, several restored environments -------------------------------------------------
@dataclass
class Restored:
    """What one environment restored from the snapshot answered (or the error it raised)."""

    environment: int
    pid: int
    answer: Any = None
    error: str = ""
    hooks: list[str] = field(default_factory=list)


def _import_fresh(path: Path):
    name = f"lab_snapstart_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise LabError(f"Cannot load {path} as a Python module.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _snapshot_process(path: Path, environments: int, event: dict, env: dict[str, str], out: int) -> None:
    """Runs in a child of the caller: INIT, before-snapshot hooks, then one fork per restored environment."""
    import snapshot_restore_py as hooks

    def send(message: dict) -> None:
        os.write(out, (json.dumps(message, default=str) + "\n").encode())

    try:
        hooks.get_before_snapshot().clear()
        hooks.get_after_restore().clear()
        os.environ.update(env)
        module = _import_fresh(path)
        for fn, args, kwargs in reversed(hooks.get_before_snapshot()):  # reverse order of registration
            fn(*args, **kwargs)
    except BaseException as exc:
        send({"environment": 0, "pid": os.getpid(), "error": f"{type(exc).__name__}: {exc}"})
        return
    children = []
    for number in range(1, environments + 1):
        pid = os.fork()
        if pid == 0:  # a restored environment: the snapshot's memory, after-restore hooks, one invocation
            result: dict[str, Any] = {"environment": number, "pid": os.getpid()}
            try:
                for fn, args, kwargs in hooks.get_after_restore():  # order of registration
                    fn(*args, **kwargs)
                result["answer"] = module.lambda_handler(dict(event), None)
            except BaseException as exc:
                result["error"] = f"{type(exc).__name__}: {exc}"
            send(result)
            os._exit(0)
        children.append(pid)
        os.waitpid(pid, 0)  # one after the other: the order the ledger sees is the order they ran
    for pid in children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def restore(path: str | os.PathLike, environments: int = 2, event: dict | None = None,
            env: dict[str, str] | None = None, timeout: float = 20.0) -> list[Restored]:
    """Import ``path`` once (INIT), run its before-snapshot hooks, then restore that process
    ``environments`` times (``os.fork``: each child has the snapshot's memory, open sockets included),
    each running the after-restore hooks and ``lambda_handler(event, None)``. POSIX only."""
    if not hasattr(os, "fork"):
        raise LabError("Restoring a snapshot here uses os.fork, which this system does not have; use Linux or macOS.")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the snapshot's process: nothing of the caller's (a notebook kernel) is touched
        os.close(read)
        code = 0
        try:
            sys.stdout = sys.stderr = io.StringIO()
            _snapshot_process(Path(path), environments, event or {}, env or {}, write)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    chunks, deadline = [], time.monotonic() + timeout
    with os.fdopen(read, "rb") as stream:
        while time.monotonic() < deadline:
            chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
            if not chunk:
                break
            chunks.append(chunk)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    found = [json.loads(line) for line in b"".join(chunks).decode().splitlines() if line.strip()]
    return [Restored(m["environment"], m["pid"], m.get("answer"), m.get("error", "")) for m in found]


def restored_frame(restored: list[Restored]):
    import pandas as pd

    return pd.DataFrame([{"environment": r.environment, "pid": r.pid,
                          **({"error": r.error} if r.error else (r.answer if isinstance(r.answer, dict)
                                                                  else {"answer": r.answer}))}
                         for r in restored]).set_index("environment")


def publish_snapstart(name: str, path: str | os.PathLike, environment: dict[str, str],
                      requirements: tuple[str, ...] = ("snapshot-restore-py",), timeout_s: float = 30.0) -> str:
    """Deploy ``path`` with SnapStart on published versions, publish a version, wait until it is
    Active (the snapshot is taken at publish time) and return the version number."""
    from ..clients import client
    from ..deploy import deploy_function

    deploy_function(name, path, environment=environment, requirements=requirements, timeout=10,
                    SnapStart={"ApplyOn": "PublishedVersions"}, description="lambda-lab 12: SnapStart")
    lam = client("lambda")
    version = lam.publish_version(FunctionName=name)["Version"]
    deadline = time.monotonic() + timeout_s
    while True:
        config = lam.get_function_configuration(FunctionName=name, Qualifier=version)
        if config["State"] != "Pending":
            break
        if time.monotonic() > deadline:
            raise LabError(f"Version {version} of {name} is still Pending after {timeout_s:.0f} s; "
                           "run `lambda-lab logs " + name + "` to see its INIT.")
        time.sleep(0.2)
    if config["State"] != "Active":
        raise LabError(f"Version {version} of {name} is {config['State']}: "
                       f"{config.get('StateReason', 'its INIT or a runtime hook failed')}.")
    return version


# --- container images --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    line: int
    rule: str
    message: str


AWS_BASE = "public.ecr.aws/lambda/"


def lint_dockerfile(text: str) -> list[Finding]:
    """What keeps this Dockerfile from building a working Lambda image, one finding per problem."""
    import dockerfile

    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        return [Finding(0, "parse", f"Docker's parser refuses it: {exc}")]
    findings: list[Finding] = []
    stages = [c for c in commands if c.cmd == "FROM"]
    if not stages:
        return [Finding(0, "from", "there is no FROM: an image starts from a base image.")]
    final = stages[-1]
    base = final.value[0]
    last = [c for c in commands if c.start_line >= final.start_line]
    if base.startswith(AWS_BASE):
        if ":" not in base.removeprefix(AWS_BASE) or base.endswith(":latest"):
            findings.append(Finding(final.start_line, "pin", f"{base} is not pinned: name the runtime "
                                    "version (e.g. python:3.13), so a rebuild does not change it under you."))
        entry = [c for c in last if c.cmd == "ENTRYPOINT"]
        if entry:
            findings.append(Finding(entry[0].start_line, "entrypoint", "the AWS base image's ENTRYPOINT starts "
                                    "the runtime interface client; replacing it breaks the image."))
    elif not any(c.cmd == "RUN" and "awslambdaric" in " ".join(c.value) for c in commands):
        findings.append(Finding(final.start_line, "ric", f"{base} is not an AWS base image: install the runtime "
                                "interface client (pip install awslambdaric) and make it the ENTRYPOINT."))
    cmd = [c for c in last if c.cmd == "CMD"]
    if not cmd:
        findings.append(Finding(final.start_line, "cmd", "no CMD: give the handler as CMD [\"module.function\"]."))
    elif not cmd[-1].json:
        findings.append(Finding(cmd[-1].start_line, "cmd-form", "CMD in shell form runs /bin/sh -c; use the "
                                "exec (JSON) form: CMD [\"module.function\"]."))
    for c in last:
        joined = " ".join(c.value)
        if c.cmd in ("COPY", "ADD") and c.value and "/opt/" not in c.value[-1] and \
                "LAMBDA_TASK_ROOT" not in c.value[-1] and base.startswith(AWS_BASE):
            findings.append(Finding(c.start_line, "task-root", f"{c.cmd} {joined} puts code outside "
                                    "${LAMBDA_TASK_ROOT} (/var/task), where the runtime does not look."))
        if c.cmd == "RUN" and "pip install" in joined and "--target" not in joined and base.startswith(AWS_BASE):
            findings.append(Finding(c.start_line, "pip-target", "pip install without --target "
                                    "\"${LAMBDA_TASK_ROOT}\" installs into the image's interpreter, not next to "
                                    "your code; say where dependencies go."))
        if c.cmd == "USER" and c.value and c.value[0] in ("root", "0"):
            findings.append(Finding(c.start_line, "user", "Lambda runs the image as its own user, not root: "
                                    "the file system is read-only apart from /tmp."))
    return sorted(findings, key=lambda f: f.line)


def findings_frame(findings: list[Finding]):
    import pandas as pd

    return pd.DataFrame([f.__dict__ for f in findings], columns=["line", "rule", "message"])


#: the image the lesson builds on paper: an AWS base image, code and dependencies in the task root
DOCKERFILE = """\
FROM public.ecr.aws/lambda/python:3.13
COPY requirements.txt ${LAMBDA_TASK_ROOT}
RUN pip install -r requirements.txt --target "${LAMBDA_TASK_ROOT}"
COPY reference_app/handlers/hello.py ${LAMBDA_TASK_ROOT}
CMD ["hello.lambda_handler"]
"""

#: the same image as it is often first written: every line below is a finding
DOCKERFILE_FIRST_TRY = """\
FROM public.ecr.aws/lambda/python:latest
USER root
COPY reference_app/handlers/hello.py /app/
RUN pip install -r requirements.txt
ENTRYPOINT ["python", "/app/hello.py"]
CMD python /app/hello.py
"""


# --- recursive loop detection, on the emulator -------------------------------------------------------------
DEPTH_HEADER = "X-Ministack-Invoke-Depth"  # the emulator's hop counter, carried from call to call


def invoke_at_depth(name: str, hops: int, event: dict | None = None) -> dict:
    """Invoke ``name`` as if the request chain had already made ``hops`` invocations.

    On AWS, Lambda counts the invocations of one request chain in metadata it carries itself; the
    emulator carries its own counter (``X-Ministack-Invoke-Depth``) from an invocation to the calls
    the function makes, and stops the invocation that would be the 17th, as AWS does. Setting the
    counter here stands in for running sixteen real hops first."""
    from ..clients import client

    lam = client("lambda")

    def add_depth(request, **_kwargs):
        request.headers[DEPTH_HEADER] = str(hops)

    lam.meta.events.register("before-sign.lambda.Invoke", add_depth, unique_id="lab-12-depth")
    try:
        response = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}).encode())
        return {"invocation in the chain": hops + 1, "status": response["StatusCode"], "error": ""}
    except lam.exceptions.ClientError as exc:
        error = exc.response["Error"]
        return {"invocation in the chain": hops + 1, "status": exc.response["ResponseMetadata"]["HTTPStatusCode"],
                "error": f"{error['Code']}: {error['Message'][:80]}"}
    finally:
        lam.meta.events.unregister("before-sign.lambda.Invoke", unique_id="lab-12-depth")


# --- response streaming, on the emulator ---------------------------------------------------------------------
def stream_events(name: str, event: dict | None = None) -> list[dict]:
    """``InvokeWithResponseStream``: the event-stream messages as boto3 decodes them."""
    from ..clients import client

    response = client("lambda").invoke_with_response_stream(FunctionName=name, Payload=json.dumps(event or {}))
    found = []
    for message in response["EventStream"]:
        for kind, body in message.items():
            found.append({"event": kind, **({"bytes": len(body["Payload"])} if "Payload" in body else
                                            {k: v for k, v in body.items() if k != "LogResult"})})
    return found


# --- VPC networking: what a function in a private subnet can reach -------------------------------------------
GATEWAY_ENDPOINT_SERVICES = frozenset({"s3", "dynamodb"})  # the only services with gateway endpoints


def reachable(target: str, *, in_vpc: bool, nat: bool = False, endpoints: frozenset[str] = frozenset()) -> str:
    """How a function reaches ``target`` ("internet", an AWS service name, or "rds" in the VPC), or "no"."""
    if not in_vpc:
        return "no" if target == "rds" else "yes, over Lambda's own network"
    if target == "rds":
        return "yes, through its Hyperplane ENI in the VPC"
    if target in endpoints:
        kind = "gateway" if target in GATEWAY_ENDPOINT_SERVICES else "interface"
        return f"yes, through the {kind} VPC endpoint"
    if nat:
        return "yes, through the NAT gateway (billed per GB)"
    return "no: a private subnet has no route out, and a Lambda ENI never gets a public IP"


def reachability(targets=("internet", "s3", "dynamodb", "secretsmanager", "rds")) -> Any:
    import pandas as pd

    setups = {
        "not in a VPC": {"in_vpc": False},
        "VPC, private subnets only": {"in_vpc": True},
        "VPC + NAT gateway": {"in_vpc": True, "nat": True},
        "VPC + endpoints (S3, DynamoDB, Secrets Manager)": {
            "in_vpc": True, "endpoints": frozenset({"s3", "dynamodb", "secretsmanager"})},
    }
    return pd.DataFrame({label: {t: reachable(t, **kw) for t in targets} for label, kw in setups.items()})


def connection_storm(concurrency: int, max_connections: int, proxy_pool: int | None = None) -> dict:
    """Database connections ``concurrency`` environments open, with and without RDS Proxy's pool."""
    opened = concurrency if proxy_pool is None else min(concurrency, proxy_pool)
    refused = max(0, opened - max_connections)
    return {"environments": concurrency, "database connections": opened,
            "refused by the database": refused,
            "waiting for a pooled connection": 0 if proxy_pool is None else max(0, concurrency - proxy_pool)}


# --- Lambda Managed Instances: environments for a given concurrency -----------------------------------------
def environments_needed(concurrent_requests: int, per_environment: int = 1) -> int:
    """Execution environments that ``concurrent_requests`` need: one each by default, fewer when an
    environment serves ``per_environment`` requests at once (Managed Instances)."""
    return -(-concurrent_requests // per_environment)


# --- tumbling windows: state carried from one invocation of a window to the next ----------------------------
def count_clicks(event: dict) -> dict:
    """A tumbling-window handler: add this batch to the window's state; at the window's end, the total."""
    state = dict(event.get("state") or {})
    for record in event.get("Records", []):
        page = record["page"]
        state[page] = state.get(page, 0) + 1
    if event.get("isFinalInvokeForWindow"):
        return {"state": {}, "batchItemFailures": [], "window_total": state}
    return {"state": state, "batchItemFailures": []}


def replay_window(batches: list[list[str]], handler: Callable[[dict], dict] = count_clicks) -> list[dict]:
    """Invoke ``handler`` as Lambda does inside one tumbling window: each batch gets the state the
    previous invocation returned; the last call has ``isFinalInvokeForWindow`` and no records."""
    state: dict = {}
    window = {"start": "2026-12-05T10:00:00Z", "end": "2026-12-05T10:01:00Z"}
    calls = []
    for n, pages in enumerate([*batches, []]):
        final = n == len(batches)
        answer = handler({"Records": [{"page": p} for p in pages], "window": window, "state": state,
                          "isFinalInvokeForWindow": final, "shardId": "shardId-000000000000"})
        calls.append({"invocation": n + 1, "records": len(pages), "final": final, "returned": answer})
        state = answer.get("state", {})
    return calls


# --- a wrapper script (AWS_LAMBDA_EXEC_WRAPPER), run by the kit's runtime -----------------------------------
#: published as a layer, so it lands at /opt/wrapper.sh as a layer's file does on Lambda
WRAPPER_SCRIPT = """#!/bin/sh
# A wrapper script: Lambda runs it with the runtime's command line as its arguments ("$@").
# It may change the environment or the arguments; it must exec the runtime in the end.
export LAB_WRAPPED_AT_MS="$(date +%s%3N)"
sleep 0.25   # stands for an agent the wrapper starts: its time is INIT time
exec "$@"
"""


def _init_ms(log_tail: str) -> float | None:
    for part in log_tail.split("\t"):
        if part.strip().startswith("Init Duration:"):
            return float(part.split(":")[1].split()[0])
    return None


def wrapper_demo(prefix: str = "lab-12") -> Any:
    """The same function deployed twice, with and without ``AWS_LAMBDA_EXEC_WRAPPER``: what its
    first (cold) invocation sees, and how long INIT took."""
    import pandas as pd

    from ..deploy import deploy_function, invoke
    from .handler_anatomy import publish_layer

    layer = publish_layer(f"{prefix}-wrapper", {"wrapper.sh": WRAPPER_SCRIPT})
    handler = handler_file("wrapper_probe")
    rows = {}
    for label, env, layers in (("no wrapper", {}, []),
                               ("AWS_LAMBDA_EXEC_WRAPPER=/opt/wrapper.sh",
                                {"AWS_LAMBDA_EXEC_WRAPPER": "/opt/wrapper.sh"}, [layer])):
        name = f"{prefix}-wrapper-{'on' if env else 'off'}"
        stamp = str(time.time_ns())  # a new configuration each run: the next invocation is cold
        deploy_function(name, handler, environment={**env, "LAB_DEPLOYED_NS": stamp}, Layers=layers,
                        description="lambda-lab 12: wrapper script")
        first = invoke(name, {})
        rows[label] = {"LAB_WRAPPED_AT_MS seen by the handler":
                       (first.payload or {}).get("wrapped_at_ms") or "(not set)",
                       "Init Duration (ms)": _init_ms(first.log_tail)}
    return pd.DataFrame.from_dict(rows, orient="index")
