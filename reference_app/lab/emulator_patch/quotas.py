"""What AWS Lambda refuses, the emulator refuses: its quotas and API constraints, with AWS's errors.

ministack 1.5.33 accepts a MemorySize of 20,000 MB, a 3,600 s timeout, a function named
``with space``, a 300-character handler, 5 KB of environment variables with ``AWS_REGION``
among them, six layers, reserved concurrency that leaves nothing unreserved, a 30 KB
resource policy and a 66 MiB zip sent directly. AWS refuses each, so a learner's deploy
that works here failed on AWS. Sources: Lambda quotas
(https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html), the API reference
(API_CreateFunction.html, API_FunctionConfiguration.html), the reserved environment variables
(configuration-envvars.html#configuration-envvars-runtime) and the answers AWS gives, word for
word where they are published:

* a value outside an API constraint: ``ValidationException``, "1 validation error detected:
  Value '10241' at 'memorySize' failed to satisfy constraint: Member must have value less than
  or equal to 10240" (several at once: "2 validation errors detected: ...; ...");
* a function name over 64 characters: the same sentence, as ``InvalidParameterValueException``;
* environment variables over 4 KB, reserved keys, more than 5 layers, code and layers over
  250 MB unzipped, reserved concurrency leaving fewer than 100 unreserved:
  ``InvalidParameterValueException`` with AWS's sentences (below);
* a resource policy over 20 KB: ``PolicyLengthExceededException``, "The final policy size
  (20749) is bigger than the limit (20480).";
* a request whose zip (base64) passes 50 MB: HTTP 413 ``RequestEntityTooLargeException``,
  "Request must be smaller than 69905067 bytes for the CreateFunction operation".

Each check is a pure function of the request (and, for concurrency and policies, of what the
emulator holds), so it is tested without an emulator; :func:`install` wires them in.
What the emulator cannot enforce is listed in ``known_differences.yml`` (``quotas-*``).
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

MEMORY_MB = (128, 10240)
TIMEOUT_S = (1, 900)
EPHEMERAL_MB = (512, 10240)
HANDLER_MAX = 128
DESCRIPTION_MAX = 256
NAME_MAX = 64
ARN_MAX = 140
ENVIRONMENT_MAX_BYTES = 4096
LAYERS_MAX = 5
UNZIPPED_MAX_BYTES = 262_144_000
DIRECT_UPLOAD_MAX_BYTES = 69_905_067  # a 50 MB zip, base64-encoded, in its JSON request
POLICY_MAX_BYTES = 20_480
ACCOUNT_CONCURRENCY = 1000  # AWS's default account quota
UNRESERVED_MIN = 100

NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?"
    r"(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
HANDLER_PATTERN = r"[^\s]+"

# Lambda's reserved environment variables (configuration-envvars.html, "Defined runtime environment
# variables"): set by the runtime, refused in a function's configuration. TZ, LANG, PATH and the
# others AWS lists as "not reserved" may be set.
RESERVED_VARIABLES = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)


class Refusal(NamedTuple):
    code: str
    message: str
    status: int = 400


def _constraint(value, field: str, rule: str) -> str:
    return f"Value '{value}' at '{field}' failed to satisfy constraint: Member must {rule}"


def _validation(problems: list[str], code: str = "ValidationException") -> Refusal | None:
    if not problems:
        return None
    count = len(problems)
    return Refusal(code, f"{count} validation error{'s' if count > 1 else ''} detected: {'; '.join(problems)}")


def _range(problems: list[str], data: dict, key: str, field: str, bounds: tuple[int, int]) -> None:
    value = data.get(key)
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return
    low, high = bounds
    if value > high:
        problems.append(_constraint(value, field, f"have value less than or equal to {high}"))
    elif value < low:
        problems.append(_constraint(value, field, f"have value greater than or equal to {low}"))


def configuration(data: dict, creating: bool) -> Refusal | None:
    """CreateFunction's or UpdateFunctionConfiguration's body against Lambda's constraints and quotas."""
    name = data.get("FunctionName")
    if creating and isinstance(name, str) and ":" not in name and len(name) > NAME_MAX:
        return _validation(
            [_constraint(name, "functionName", f"have length less than or equal to {NAME_MAX}")],
            "InvalidParameterValueException",
        )
    problems: list[str] = []
    if creating and isinstance(name, str):
        if len(name) > ARN_MAX:
            problems.append(_constraint(name, "functionName", f"have length less than or equal to {ARN_MAX}"))
        elif not re.fullmatch(NAME_PATTERN, name):
            problems.append(_constraint(name, "functionName", f"satisfy regular expression pattern: {NAME_PATTERN}"))
    _range(problems, data, "MemorySize", "memorySize", MEMORY_MB)
    _range(problems, data, "Timeout", "timeout", TIMEOUT_S)
    _range(problems, data.get("EphemeralStorage") or {}, "Size", "ephemeralStorage.size", EPHEMERAL_MB)
    handler = data.get("Handler")
    if isinstance(handler, str):
        if len(handler) > HANDLER_MAX:
            problems.append(_constraint(handler, "handler", f"have length less than or equal to {HANDLER_MAX}"))
        elif handler and not re.fullmatch(HANDLER_PATTERN, handler):
            problems.append(_constraint(handler, "handler", f"satisfy regular expression pattern: {HANDLER_PATTERN}"))
    description = data.get("Description")
    if isinstance(description, str) and len(description) > DESCRIPTION_MAX:
        problems.append(_constraint(description, "description", f"have length less than or equal to {DESCRIPTION_MAX}"))
    refused = _validation(problems)
    if refused is not None:
        return refused
    return environment(((data.get("Environment") or {}).get("Variables")) or {}) or layers(data.get("Layers"))


def environment(variables: dict) -> Refusal | None:
    """Reserved keys first (AWS names them all), then the 4 KB quota on the variables as JSON."""
    reserved = [key for key in variables if key in RESERVED_VARIABLES]
    if reserved:
        return Refusal(
            "InvalidParameterValueException",
            "Lambda was unable to configure your environment variables because the environment variables you have "
            "provided contains reserved keys that are currently not supported for modification. Reserved keys used "
            f"in this request: {', '.join(reserved)}",
        )
    measured = json.dumps(variables, separators=(",", ":"), ensure_ascii=False)
    if len(measured.encode()) > ENVIRONMENT_MAX_BYTES:
        return Refusal(
            "InvalidParameterValueException",
            "Lambda was unable to configure your environment variables because the environment variables you have "
            f"provided exceeded the 4KB limit. String measured: {measured}",
        )
    return None


def layers(attached) -> Refusal | None:
    if isinstance(attached, list) and len(attached) > LAYERS_MAX:
        return Refusal("InvalidParameterValueException", "Cannot reference more than 5 layers.")
    return None


def unzipped(total_bytes: int, with_layers: bool) -> Refusal | None:
    """The 250 MB unzipped quota: code alone, or code combined with its layers (AWS's two sentences)."""
    if total_bytes <= UNZIPPED_MAX_BYTES:
        return None
    if with_layers:
        return Refusal(
            "InvalidParameterValueException",
            f"Function code combined with layers exceeds the maximum allowed size of {UNZIPPED_MAX_BYTES} bytes. "
            f"The actual size is {total_bytes} bytes.",
        )
    return Refusal("InvalidParameterValueException", f"Unzipped size must be smaller than {UNZIPPED_MAX_BYTES} bytes")


LAYER_NAME_PATTERN = r"[a-zA-Z0-9-_]+"
STATEMENT_ID_PATTERN = r"([a-zA-Z0-9-_]+)"
ACTION_PATTERN = r"(lambda:[*]|lambda:[a-zA-Z]+|[*])"


def layer_version(layer_name: str, data: dict) -> Refusal | None:
    """PublishLayerVersion's layer name (140 characters of [a-zA-Z0-9-_]) and description (256)."""
    problems: list[str] = []
    if isinstance(layer_name, str) and ":" not in layer_name:
        if len(layer_name) > ARN_MAX:
            problems.append(_constraint(layer_name, "layerName", f"have length less than or equal to {ARN_MAX}"))
        elif not re.fullmatch(LAYER_NAME_PATTERN, layer_name):
            problems.append(
                _constraint(layer_name, "layerName", f"satisfy regular expression pattern: {LAYER_NAME_PATTERN}")
            )
    description = data.get("Description")
    if isinstance(description, str) and len(description) > DESCRIPTION_MAX:
        problems.append(_constraint(description, "description", f"have length less than or equal to {DESCRIPTION_MAX}"))
    return _validation(problems)


def permission(data: dict) -> Refusal | None:
    """AddPermission's statement id (100 characters of [a-zA-Z0-9-_]) and action (``lambda:...`` or ``*``)."""
    problems: list[str] = []
    sid, action = data.get("StatementId"), data.get("Action")
    if isinstance(sid, str):
        if len(sid) > 100:
            problems.append(_constraint(sid, "statementId", "have length less than or equal to 100"))
        elif not re.fullmatch(STATEMENT_ID_PATTERN, sid):
            problems.append(
                _constraint(sid, "statementId", f"satisfy regular expression pattern: {STATEMENT_ID_PATTERN}")
            )
    if isinstance(action, str) and not re.fullmatch(ACTION_PATTERN, action):
        problems.append(_constraint(action, "action", f"satisfy regular expression pattern: {ACTION_PATTERN}"))
    return _validation(problems)


def reserved_concurrency(value, reserved_by_others: int) -> Refusal | None:
    """PutFunctionConcurrency: what every function reserves must leave 100 of the account's 1,000 unreserved."""
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    if value < 0:
        return _validation(
            [_constraint(value, "reservedConcurrentExecutions", "have value greater than or equal to 0")]
        )
    if reserved_by_others + value > ACCOUNT_CONCURRENCY - UNRESERVED_MIN:
        return Refusal(
            "InvalidParameterValueException",
            "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
            f"below its minimum value of [{UNRESERVED_MIN}].",
        )
    return None


def policy_size(policy: dict) -> Refusal | None:
    """AddPermission: the function's resource policy with the new statement, as JSON, at most 20 KB."""
    size = len(json.dumps(policy, separators=(",", ":")).encode())
    if size > POLICY_MAX_BYTES:
        return Refusal(
            "PolicyLengthExceededException",
            f"The final policy size ({size}) is bigger than the limit ({POLICY_MAX_BYTES}).",
        )
    return None


# --- requests over 50 MB (a zip sent directly) ---------------------------------------------------------------
_UPLOADS = (
    ("POST", re.compile(r"^/2015-03-31/functions/?$"), "CreateFunction"),
    ("PUT", re.compile(r"^/2015-03-31/functions/[^/]+/code/?$"), "UpdateFunctionCode"),
    ("POST", re.compile(r"^/2018-10-31/layers/[^/]+/versions/?$"), "PublishLayerVersion"),
)


def refuse_upload(method: str, path: str, body: bytes | None) -> tuple[int, dict, bytes] | None:
    """Lambda's 413 answer to a CreateFunction, UpdateFunctionCode or PublishLayerVersion request over 50 MB."""
    size = len(body or b"")
    if size <= DIRECT_UPLOAD_MAX_BYTES:
        return None
    for verb, pattern, operation in _UPLOADS:
        if method == verb and pattern.match(path):
            message = f"Request must be smaller than {DIRECT_UPLOAD_MAX_BYTES} bytes for the {operation} operation"
            headers = {"Content-Type": "application/json", "X-Amzn-ErrorType": "RequestEntityTooLargeException"}
            return 413, headers, json.dumps({"Type": "User", "message": message}).encode()
    return None


# --- wiring into ministack.services.lambda_svc ---------------------------------------------------------------
def install(svc) -> None:
    from ministack.core.responses import error_response_json

    def answer(refused: Refusal):
        return error_response_json(refused.code, refused.message, refused.status)

    create, update_config = svc._create_function, svc._update_config
    put_concurrency, add_permission = svc._put_function_concurrency, svc._add_permission
    publish_layer = svc._publish_layer_version

    def _create_function(data: dict):
        refused = configuration(data or {}, creating=True)
        return answer(refused) if refused else create(data)

    def _update_config(name: str, data: dict):
        refused = configuration(data or {}, creating=False)
        return answer(refused) if refused else update_config(name, data)

    def _put_function_concurrency(func_name: str, data: dict):
        others = 0
        if func_name in svc._functions:
            names = list(svc._functions.keys())  # the caller's account (a scoped store, not a dict)
            others = sum(int(svc._functions[n].get("concurrency") or 0) for n in names if n != func_name)
            refused = reserved_concurrency((data or {}).get("ReservedConcurrentExecutions"), others)
            if refused:
                return answer(refused)
        return put_concurrency(func_name, data)

    def _add_permission(func_name: str, data: dict, *args, **kwargs):
        refused = permission(data or {})
        if refused:
            return answer(refused)
        added = add_permission(func_name, data, *args, **kwargs)
        if not (isinstance(added, tuple) and added and added[0] == 201 and func_name in svc._functions):
            return added
        policy = svc._functions[func_name]["policy"]
        refused = policy_size(policy)
        if refused:  # measured as the emulator stores it, then taken back out
            policy["Statement"].pop()
            return answer(refused)
        return added

    def _publish_layer_version(layer_name: str, data: dict):
        refused = layer_version(layer_name, data or {})
        return answer(refused) if refused else publish_layer(layer_name, data)

    def _validate_total_unzipped_size(code_zip, attached):
        total = svc._unzipped_size(code_zip)
        for layer in attached or []:
            if layer:
                total += svc._layer_unzipped_size(layer)
        refused = unzipped(total, with_layers=any(attached or []))
        return answer(refused) if refused else None

    svc._create_function = _create_function
    svc._update_config = _update_config
    svc._put_function_concurrency = _put_function_concurrency
    svc._add_permission = _add_permission
    svc._publish_layer_version = _publish_layer_version
    svc._validate_total_unzipped_size = _validate_total_unzipped_size
