"""Create-or-update a function idempotently, wait until it is Active, and invoke it.

``deploy_function`` packages the handler (refusing a zip that would not import on
Lambda, before any API call), then creates the function or updates only what
changed: the code when its ``CodeSha256`` differs, the configuration when a field
differs. Running a notebook twice therefore redeploys nothing.
"""

from __future__ import annotations

import base64
import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError, ConnectionClosedError, ConnectTimeoutError, ReadTimeoutError

from . import emulator, net, packaging, rendering
from .clients import CONTROL_PLANE_READ_TIMEOUT_S, INVOKE_MARGIN_S, arn, client, function_timeout, shared_client
from .config import DEFAULT_RUNTIME, Backend, resolve_backend
from .emulator_capabilities import of
from .errors import LabError, aws_code
from .logs import invocation_log
from .poll import attempts

EXECUTION_ROLE = "lambda-lab-execution"
READY_DEADLINE_S = 60.0
TAGS = {"managed-by": "lambda-lab"}
COLD_START_STAMP = "LAB_ENVIRONMENT_STAMP"

_TRUST_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


@dataclass
class Deployment:
    name: str
    action: str  # "created" | "updated" | "unchanged"
    configuration: dict
    package: packaging.Package

    @property
    def arn(self) -> str:
        return self.configuration["FunctionArn"]

    def _rows(self) -> list[tuple[str, str]]:
        conf, package = self.configuration, self.package
        contents = ", ".join([f"{package.module}.py", *package.distributions])
        return [
            ("state", conf.get("State", "")),
            ("handler", conf.get("Handler", package.handler)),
            ("runtime", conf.get("Runtime", "")),
            ("timeout", f"{conf['Timeout']} s" if "Timeout" in conf else ""),
            ("memory", f"{conf['MemorySize']} MB" if "MemorySize" in conf else ""),
            ("package", f"{package.size:,} bytes zipped ({contents})"),
            ("arn", self.arn),
            ("warnings", "\n".join(package.warnings)),
        ]

    def _title(self) -> str:
        return f"{self.name}: {self.action}"

    def __repr__(self) -> str:
        return rendering.text(self._title(), self._rows())

    __str__ = __repr__

    def _repr_html_(self) -> str:
        level = "warn" if self.package.warnings else "ok"
        return rendering.html(self._title(), self._rows(), level)


def ensure_role(name: str = EXECUTION_ROLE, backend: Backend | None = None, trust_policy: str = _TRUST_POLICY) -> str:
    """The ARN of a role (by default one Lambda can assume), created if missing."""
    iam = client("iam", backend)
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    except ClientError as err:
        if aws_code(err) not in ("NoSuchEntity", "NoSuchEntityException"):
            raise
    try:
        return iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy)["Role"]["Arn"]
    except ClientError as err:
        if aws_code(err) != "EntityAlreadyExists":
            raise
        return arn("iam", f"role/{name}", backend)


def function_environment(backend: Backend, variables: dict[str, str] | None) -> dict[str, str]:
    """The function's variables plus ``AWS_ENDPOINT_URL`` so its own boto3 calls reach
    the emulator. An emulator that runs each function in a container (LocalStack, whether
    the kit started it or a URL names it) sets that variable there itself, and the
    learner's address for it would be wrong inside the container, so it is left alone."""
    env = dict(variables or {})
    if not of(backend).functions_in_containers:
        env.setdefault("AWS_ENDPOINT_URL", backend.endpoint)
    return env


def wait_ready(name: str, backend: Backend | None = None, deadline_s: float = READY_DEADLINE_S) -> dict:
    """Poll until the function is Active and no update is in progress."""
    lam = client("lambda", backend)
    state = update = "unknown"
    # Brisk at first (the emulators flip to Active in about half a second), then backing off.
    for _ in attempts(deadline_s, first=0.05, cap=1.0, factor=1.25):
        conf = lam.get_function_configuration(FunctionName=name)
        state, update = conf.get("State", "Active"), conf.get("LastUpdateStatus", "Successful")
        if state == "Failed" or update == "Failed":
            reason = conf.get("StateReason") or conf.get("LastUpdateStatusReason") or "no reason given"
            raise LabError(f"Function {name} failed to become ready: {reason}")
        if state == "Active" and update != "InProgress":
            return conf
    raise LabError(f"Function {name} was still {state}/{update} after {deadline_s:.0f} s.")


def _config_drift(current: dict, wanted: dict) -> dict:
    """The subset of ``wanted`` configuration that differs from ``current``."""
    drift = {}
    for key, value in wanted.items():
        if key == "Environment":
            variables = dict(current.get("Environment", {}).get("Variables", {}))
            variables.pop(COLD_START_STAMP, None)  # force_cold_start's, not the learner's
            if variables != value["Variables"]:
                drift[key] = value
        elif key == "Layers":
            if [layer["Arn"] for layer in current.get("Layers", [])] != value:
                drift[key] = value
        elif current.get(key) != value:
            drift[key] = value
    return drift


def deploy_function(
    name: str,
    module: str | os.PathLike,
    *,
    environment: dict[str, str] | None = None,
    requirements: tuple[str, ...] | list[str] | None = None,
    runtime: str = DEFAULT_RUNTIME,
    timeout: int = 30,
    memory_size: int = 256,
    description: str = "",
    backend: Backend | None = None,
    function: str | None = None,
    handler: str | None = None,
    **extra: Any,
) -> Deployment:
    """Package ``module`` and create or update the function ``name`` until it is Active.

    Lambda calls ``lambda_handler`` in the module unless ``function="main"`` (or
    ``handler="module.main"``, as the ``Handler`` setting reads) names another; the
    isolated import check proves it exists, is callable and takes (event, context)
    before anything is deployed. ``extra`` passes further ``CreateFunction`` fields
    through (``Layers``, ``DeadLetterConfig``, ``TracingConfig``, ``EphemeralStorage`` ...).
    """
    backend = backend or resolve_backend()
    env = function_environment(backend, environment)
    module_name = packaging.find_module_file(module).stem
    entry = handler_function(module_name, function, handler)
    layers = layer_contents(extra.get("Layers") or (), backend)
    package = packaging.build_checked(module, requirements, env, runtime, function=entry, layers=layers)
    emulator.check_answering(backend)
    wanted = {
        "Runtime": runtime,
        "Handler": package.handler,
        "Timeout": timeout,
        "MemorySize": memory_size,
        "Description": description,
        "Environment": {"Variables": env},
        **extra,
    }
    with _answers(backend):
        return _create_or_update(name, package, wanted, backend)


def layer_contents(arns: list[str] | tuple[str, ...], backend: Backend) -> tuple[bytes, ...]:
    """The zip of each layer version in ``arns``, in order, for the import check: a function
    that imports from a layer imports on Lambda only with that layer attached."""
    if not arns:
        return ()
    emulator.check_answering(backend)
    lam = client("lambda", backend)
    found = []
    for layer_arn in arns:
        try:
            location = lam.get_layer_version_by_arn(Arn=layer_arn)["Content"]["Location"]
        except ClientError as err:
            if aws_code(err) in ("ResourceNotFoundException", "InvalidParameterValueException"):
                raise LabError(f"There is no layer version {layer_arn}; publish it first.") from None
            raise
        with net.open_url(_local_url(location, backend), timeout=CONTROL_PLANE_READ_TIMEOUT_S) as answer:
            found.append(answer.read())
    return tuple(found)


def _local_url(location: str, backend: Backend) -> str:
    """A layer's download URL names ``localhost`` on the embedded emulator: the kit calls 127.0.0.1."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(location)
    if parts.hostname == "localhost" and parts.port == backend.port:
        return urlunsplit(parts._replace(netloc=f"127.0.0.1:{backend.port}"))
    return location


def handler_function(module_name: str, function: str | None, handler: str | None) -> str:
    """The function name from ``function=`` or ``handler="module.function"`` (default ``lambda_handler``)."""
    if handler is None:
        return function or packaging.DEFAULT_FUNCTION
    wanted_module, _, wanted_function = handler.rpartition(".")
    if not wanted_module or not wanted_function:
        raise LabError(f"handler={handler!r} must read module.function, e.g. handler='{module_name}.lambda_handler'.")
    if wanted_module != module_name:
        raise LabError(
            f"handler={handler!r} names module {wanted_module!r}, but the zip's module is {module_name!r} "
            f"({module_name}.py at its root); pass handler='{module_name}.{wanted_function}'."
        )
    if function is not None and function != wanted_function:
        raise LabError(f"function={function!r} and handler={handler!r} disagree; pass one of them.")
    return wanted_function


def _create_or_update(name: str, package: packaging.Package, wanted: dict, backend: Backend) -> Deployment:
    lam = client("lambda", backend)
    wanted = {"Role": ensure_role(backend=backend), **wanted}
    try:
        current = lam.get_function_configuration(FunctionName=name)
    except ClientError as err:
        if aws_code(err) != "ResourceNotFoundException":
            raise
        current = None
    if current is None:
        try:
            lam.create_function(
                FunctionName=name,
                Code={"ZipFile": package.zip_bytes},
                PackageType="Zip",
                Tags=TAGS,
                **wanted,
            )
            return Deployment(name, "created", wait_ready(name, backend), package)
        except ClientError as err:
            if aws_code(err) != "ResourceConflictException":
                raise
            current = wait_ready(name, backend)  # created meanwhile by another caller
    action = "unchanged"
    if current.get("CodeSha256") != package.code_sha256:
        wait_ready(name, backend)
        lam.update_function_code(FunctionName=name, ZipFile=package.zip_bytes)
        action = "updated"
    drift = _config_drift(current, wanted)
    if drift:
        wait_ready(name, backend)
        lam.update_function_configuration(FunctionName=name, **drift)
        action = "updated"
    return Deployment(name, action, wait_ready(name, backend), package)


def delete_function(name: str, backend: Backend | None = None) -> bool:
    """Delete the function if it exists; True when something was deleted."""
    try:
        client("lambda", backend).delete_function(FunctionName=name)
        return True
    except ClientError as err:
        if aws_code(err) == "ResourceNotFoundException":
            return False
        raise


@dataclass
class Invocation:
    """The result of one synchronous invoke, as a notebook wants to show it."""

    status_code: int
    payload: Any
    function_error: str | None
    request_id: str
    log_tail: str
    elapsed_ms: float
    function: str = ""
    started_ms: int = 0  # wall clock, for finding this invocation in CloudWatch

    @property
    def ok(self) -> bool:
        return self.function_error is None

    def _rows(self) -> list[tuple[str, str]]:
        payload = self.payload
        rows: list[tuple[str, str]] = []
        if not self.ok and isinstance(payload, dict) and "errorMessage" in payload:
            rows += [
                ("error", f"{payload.get('errorType', 'Error')}: {payload['errorMessage']}"),
                ("stack trace", "".join(_stack_lines(payload.get("stackTrace")))),
            ]
        else:
            rows.append(("payload", rendering.pretty(payload)))
        rows += [("request id", self.request_id), ("log tail", self.log_tail.rstrip())]
        return rows

    def _title(self) -> str:
        outcome = "ok" if self.ok else f"failed ({self.function_error})"
        return f"{self.function or 'invoke'}: {outcome}, status {self.status_code}, {self.elapsed_ms:.1f} ms"

    def __repr__(self) -> str:
        return rendering.text(self._title(), self._rows())

    __str__ = __repr__

    def _repr_html_(self) -> str:
        level = "ok" if self.ok else "fail"
        return rendering.html(self._title(), self._rows(), level, preformatted=("payload", "stack trace", "log tail"))

    def logs(self, backend: Backend | None = None):
        """This invocation's CloudWatch block (START … REPORT), see :mod:`.logs`."""
        return invocation_log(
            self.function,
            self.request_id,
            self.started_ms - 100,
            backend=backend,
            near_ms=self.started_ms + int(self.elapsed_ms),
        )


def _stack_lines(trace: Any) -> list[str]:
    """Lambda's ``stackTrace``: a list of strings (Python's runtime) or of [file, line, function, code]."""
    if not isinstance(trace, list):
        return [str(trace)] if trace else []
    lines = []
    for frame in trace:
        if isinstance(frame, list) and len(frame) == 4:
            lines.append(f'  File "{frame[0]}", line {frame[1]}, in {frame[2]}\n    {frame[3]}\n')
        else:
            lines.append(str(frame) if str(frame).endswith("\n") else f"{frame}\n")
    return lines


def invoke(
    name: str, event: Any = None, backend: Backend | None = None, *, read_timeout: float | None = None, **kwargs: Any
) -> Invocation:
    """Invoke ``name`` (synchronously unless ``InvocationType`` says otherwise) with ``event``
    (JSON-serialisable) and decode the answer.

    Never retried: a retried synchronous invoke runs the function again. A synchronous
    invoke waits the function's own ``Timeout`` plus :data:`~.clients.INVOKE_MARGIN_S`
    (``read_timeout`` overrides that); an asynchronous invoke (``InvocationType="Event"``)
    or a ``DryRun`` waits as long as a control-plane call. See :mod:`.clients` for the
    policy of every call type.
    """
    backend = backend or resolve_backend()
    if time.monotonic() - _answered.get(backend.endpoint, float("-inf")) > ANSWERED_RECENTLY_S:
        emulator.check_answering(backend)
    with _answers(backend):
        if read_timeout is None:
            if kwargs.get("InvocationType", "RequestResponse") == "RequestResponse":
                read_timeout = function_timeout(name, backend, kwargs.get("Qualifier")) + INVOKE_MARGIN_S
            else:
                read_timeout = float(CONTROL_PLANE_READ_TIMEOUT_S)
        lam = shared_client("lambda", backend, read_timeout)
        started_ms = int(time.time() * 1000)
        started = time.perf_counter()
        try:
            resp = lam.invoke(
                FunctionName=name,
                Payload=json.dumps(event if event is not None else {}).encode(),
                LogType="Tail",
                **kwargs,
            )
        except ReadTimeoutError:
            if net.health(backend.endpoint, timeout=2.0) is None:
                raise
            raise LabError(
                f"{name} did not answer within {read_timeout:.0f} s, so the kit stopped waiting; it was invoked "
                f"once and not retried, and may still be running (see `lab.invocations({name!r})`)."
            ) from None
    elapsed = (time.perf_counter() - started) * 1000
    _answered[backend.endpoint] = time.monotonic()
    raw = resp["Payload"].read()
    try:
        payload = json.loads(raw) if raw else None
    except ValueError:
        payload = raw.decode(errors="replace")
    tail = base64.b64decode(resp.get("LogResult", "")).decode(errors="replace")
    return Invocation(
        status_code=resp["StatusCode"],
        payload=payload,
        function_error=resp.get("FunctionError"),
        request_id=resp["ResponseMetadata"].get("RequestId", ""),
        log_tail=tail,
        elapsed_ms=elapsed,
        function=name,
        started_ms=started_ms,
    )


# An emulator that answered an invoke this recently is not probed again before the next one
# (the probe is a round trip of its own; issue 17.8).
ANSWERED_RECENTLY_S = 2.0
_answered: dict[str, float] = {}


@contextmanager
def _answers(backend: Backend):
    """A call that found no answer (timed out, connection dropped) becomes one sentence saying why.
    "Nothing listens" (EndpointConnectionError) is left as it is: notebooks show it as one line."""
    try:
        yield
    except (ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError) as exc:
        raise emulator.unreachable(backend, exc) from None
    except ClientError as exc:  # a setting past Lambda's quotas: AWS's own words, as one sentence
        if aws_code(exc) not in _REFUSALS:
            raise
        message = exc.response.get("Error", {}).get("Message", "").rstrip(".")
        raise LabError(f"Lambda refused it ({aws_code(exc)}): {message}; change that and deploy again.") from None


_REFUSALS = (
    "ValidationException",
    "InvalidParameterValueException",
    "RequestEntityTooLargeException",
    "PolicyLengthExceededException",
)


def force_cold_start(name: str, backend: Backend | None = None) -> None:
    """Make the next invoke start a fresh execution environment.

    Any configuration change retires the current environments, on AWS and on the
    emulators; this one stamps a variable the function does not read.
    """
    lam = client("lambda", backend)
    conf = wait_ready(name, backend)
    variables = dict(conf.get("Environment", {}).get("Variables", {}))
    variables[COLD_START_STAMP] = str(time.time_ns())
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": variables})
    wait_ready(name, backend)
