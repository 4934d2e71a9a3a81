"""Where the embedded emulator (ministack) differs from AWS, as data.

One list, read by the README's fidelity table test, by the lessons
(``lab.fidelity("api gateway")`` shows the rows a lesson meets) and by the
doctor. Each row says what AWS does, what the emulator does, and what the kit
does about it: ``closed`` (the kit makes the emulator behave as AWS),
``guarded`` (the kit checks it before the call, on every backend) or ``stated``
(a known difference the lesson that meets it states). Source paths are under
``ministack/`` (version pinned in ``pyproject.toml``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

EMULATOR_VERSION = "1.5.33"


@dataclass(frozen=True)
class Difference:
    id: str
    area: str
    aws: str
    emulator: str
    kit: str  # "closed" | "guarded" | "stated"
    note: str = ""
    source: str = ""


DIFFERENCES: tuple[Difference, ...] = (
    Difference(
        "host-interpreter",
        "lambda runtime",
        aws="A function imports only its zip, its layers and the runtime's boto3.",
        emulator="Functions run on the host's Python with the host's site-packages visible.",
        kit="closed",
        note="The kit's runtime starts each worker as `python -I -S` with only the code, its layers and boto3 on "
        "sys.path; every zip is also imported in an isolated interpreter before it is deployed, which covers "
        "LAMBDA_LAB_RAW_EMULATOR=1 too.",
        source="core/lambda_runtime.py _PYTHON_WORKER_SCRIPT",
    ),
    Difference(
        "runtime-version",
        "lambda runtime",
        aws="The declared runtime (python3.13) is the interpreter the function gets.",
        emulator="The host's interpreter runs every Python function, whatever the declared runtime.",
        kit="stated",
        note="`lambda-lab doctor` warns when the host's Python differs from python3.13. For the same reason there "
        "is no INIT_START line naming a runtime version, and AWS's runtime files (awslambdaric, simplejson) cannot "
        "be imported by a function.",
    ),
    Difference(
        "error-type",
        "lambda runtime",
        aws="An unhandled exception answers FunctionError Unhandled with errorMessage, errorType (the exception's "
        "class), requestId and stackTrace; Step Functions' Catch matches that errorType.",
        emulator="errorType is always Runtime.HandlerError, without requestId or stackTrace, so a Catch on a "
        "business error never matches.",
        kit="closed",
        note="Also as AWS words them: Runtime.ImportModuleError, HandlerNotFound, UserCodeSyntaxError, MarshalError, "
        "ExitError, OutOfMemory and Sandbox.Timedout. The environment stays warm after an exception, as on AWS.",
        source="services/lambda_svc.py _execute_function_warm",
    ),
    Difference(
        "stack-trace",
        "lambda runtime",
        aws="The stack trace and the [ERROR] log line show the function's own files (/var/task/...).",
        emulator="They show the emulator's worker script under the kit's home folder.",
        kit="closed",
        note="The frames are the function's own; their paths are the host's copy of the zip, under the kit's home, "
        "where AWS shows /var/task.",
        source="core/lambda_runtime.py _PYTHON_WORKER_SCRIPT",
    ),
    Difference(
        "root-logger",
        "lambda runtime",
        aws="The runtime puts a handler on the root logger: `[INFO]<tab>timestamp<tab>request id<tab>message`, or "
        "JSON with LoggingConfig LogFormat=JSON, filtered by ApplicationLogLevel; SystemLogLevel=WARN drops "
        "Lambda's own records.",
        emulator="The root logger has no handler, so logging output is dropped; LoggingConfig is ignored.",
        kit="closed",
        note="print lines are log events as on AWS; with JSON and a log level, lines without a level count as INFO.",
        source="core/lambda_runtime.py _PYTHON_WORKER_SCRIPT",
    ),
    Difference(
        "init-duration",
        "lambda runtime",
        aws="A cold start's REPORT line carries Init Duration (billed since August 2025); Max Memory Used is the "
        "environment's peak.",
        emulator="No Init Duration; Max Memory Used is 0 MB or the emulator's own figure.",
        kit="closed",
        note="Init Duration runs from the runtime bootstrap's start to the handler imported (the interpreter's own "
        "start, some 20 ms, is not in it); Max Memory Used is the worker's peak resident memory.",
        source="services/lambda_svc.py _emit_lambda_logs",
    ),
    Difference(
        "request-id",
        "lambda runtime",
        aws="The request id of an Invoke response is context.aws_request_id, and the one in the function's log lines.",
        emulator="They differ.",
        kit="closed",
        note="Asynchronous invokes too, their retries keeping the id. Invocation.logs() finds a block by its id.",
        source="services/lambda_svc.py _execute_function",
    ),
    Difference(
        "log-streams",
        "lambda runtime",
        aws="Each execution environment writes one log stream, the one context.log_stream_name names; every line is "
        "an event of its own, with its own time.",
        emulator="Each invocation gets a new stream, all its lines stamped with one time.",
        kit="closed",
        source="services/lambda_svc.py _emit_lambda_logs",
    ),
    Difference(
        "silent-handler-wait",
        "lambda runtime",
        aws="A handler that logs nothing answers as fast as one that prints.",
        emulator="It waits 50 ms for a first log line that never comes (a warm invoke takes ~56 ms, not ~10).",
        kit="closed",
        note="The worker marks the end of each invocation's output, so nothing waits.",
        source="core/lambda_runtime.py Worker._drain_stderr_bounded",
    ),
    Difference(
        "environment",
        "lambda runtime",
        aws="A function's environment holds Lambda's variables (AWS_LAMBDA_*, _HANDLER, LAMBDA_TASK_ROOT, TZ=:UTC "
        "...) and its own.",
        emulator="It also holds every variable of the emulator's process, the learner's shell included.",
        kit="closed",
        note="Kept from the host: PATH, LANG/LC_*, TMPDIR (the kit's temp folder; AWS has /tmp).",
        source="core/lambda_runtime.py Worker._spawn",
    ),
    Difference(
        "memory-size",
        "lambda runtime",
        aws="A function that uses more than its MemorySize is stopped: Runtime.OutOfMemory.",
        emulator="MemorySize is not enforced (a 256 MB function held 3 GB).",
        kit="closed",
        note="The emulator checks a busy worker's resident memory (its child processes included) every 50 ms, and "
        "its peak at the end of each invocation, and stops it as AWS does; an allocation faster than that can "
        "overshoot for a moment. Not with RLIMIT_AS: Python reserves far more address space than it uses (thread "
        "stacks, allocator arenas), so such a limit breaks functions well under their memory size.",
    ),
    Difference(
        "cpu-and-storage",
        "lambda runtime",
        aws="CPU is allotted in proportion to MemorySize; /tmp holds EphemeralStorage (512 MB by default).",
        emulator="A function gets the machine's cores and its disk.",
        kit="stated",
        note="Durations measured on a laptop are not AWS's, and a function that fills its /tmp there does not here.",
    ),
    Difference(
        "tmp-per-environment",
        "lambda runtime",
        aws="Each execution environment has its own /tmp (EphemeralStorage, 512 MB by default, up to 10,240 MB), "
        "empty when the environment starts; it survives only between warm invocations of that environment.",
        emulator="Every function's workers share one temp folder (TMPDIR, under the kit's home): a file written there "
        "survives a cold start and is visible to other functions.",
        kit="stated",
        note="Lesson 02 shows a file reused by a warm invocation, which is AWS's behaviour too, and does not rely on "
        "it being gone after a cold start. Write to tempfile.gettempdir(), which is /tmp on AWS.",
    ),
    Difference(
        "config-limits",
        "lambda runtime",
        aws="A function's configuration is refused past Lambda's quotas: EphemeralStorage above 10,240 MB, "
        "environment variables over 4 KB in all, more than five layers.",
        emulator="All three are accepted (EphemeralStorage below 512 MB is refused by botocore before the call).",
        kit="stated",
        note="Lesson 02 states the quotas with their page (gettingstarted-limits.html) and does not rely on a refusal.",
        source="services/lambda_svc.py _update_config",
    ),
    Difference(
        "warm-environments",
        "lambda runtime",
        aws="An idle execution environment is reclaimed after some minutes (AWS publishes no figure); each concurrent "
        "request gets one of its own, with no limit but concurrency.",
        emulator="A function's first worker lives as long as the emulator; extra ones go after 300 s idle.",
        kit="stated",
        note="The kit reclaims every idle worker after LAMBDA_LAB_WARM_IDLE_S (300 s; a burst's extra workers after "
        "30 s) and keeps at most LAMBDA_LAB_WARM_WORKERS (8) idle, least recently used going first: a ninth function "
        "in use costs a cold start AWS would not have. For an emulator a room shares, allow about two per learner.",
    ),
    Difference(
        "permissions-not-enforced",
        "permissions",
        aws="S3, SNS, EventBridge, API Gateway and public function URLs need a resource-based policy statement; "
        "a mapping needs the execution role's read policy.",
        emulator="Statements are stored but not enforced (AUTH is off by default); "
        "an AWS_IAM function URL does refuse unsigned calls.",
        kit="stated",
        note="The trigger helpers add every grant AWS requires, so the same code works on AWS.",
        source="services/lambda_svc.py _add_permission; services/s3.py _validate_notification_configs",
    ),
    Difference(
        "proxy-error-detail",
        "api gateway",
        aws="A function error behind API Gateway or a function URL answers a generic 'Internal server error' "
        "(REST 502, HTTP API 500, function URL 502); the detail stays in the logs.",
        emulator="The 502 body carries the function's errorMessage and errorType.",
        kit="stated",
        source="services/lambda_svc.py lambda_execute_result_to_api_proxy_response",
    ),
    Difference(
        "proxy-missing-status",
        "api gateway",
        aws="A REST API (payload 1.0) answers 502 'Malformed Lambda proxy response' to a result without statusCode.",
        emulator="It answers 200 with the result as the body.",
        kit="stated",
        source="services/apigateway_v1.py _lambda_proxy_response",
    ),
    Difference(
        "mapping-state",
        "event sources",
        aws="A new event source mapping reports Creating, then Enabled.",
        emulator="A mapping is Enabled as soon as it is created.",
        kit="stated",
        source="services/lambda_svc.py _create_esm",
    ),
    Difference(
        "mapping-duplicate",
        "event sources",
        aws="A second mapping for the same function and queue is refused (ResourceConflictException).",
        emulator="It is created and polls alongside the first.",
        kit="guarded",
        note="event_source_mapping looks the mapping up first, on every backend.",
        source="services/lambda_svc.py _create_esm",
    ),
    Difference(
        "mapping-validation",
        "event sources",
        aws="An SQS mapping is refused when the queue's visibility timeout is shorter than the function's timeout, "
        "or a batch over 10 has no batching window.",
        emulator="Both are accepted.",
        kit="guarded",
        note="event_source_mapping checks both before the call.",
        source="services/lambda_svc.py _create_esm",
    ),
    Difference(
        "mapping-first-poll",
        "event sources",
        aws="A new mapping can take up to a minute to start polling.",
        emulator="The poller sleeps up to 5 s while no mapping exists, so the first batch can take ~5 s.",
        kit="stated",
        note="Lessons wait for the function's logs instead of sleeping.",
        source="services/lambda_svc.py _poll_loop",
    ),
    Difference(
        "stream-size-bytes",
        "event sources",
        aws="DynamoDB stream records carry their SizeBytes.",
        emulator="SizeBytes is always 0.",
        kit="stated",
        source="services/dynamodb.py _build_change_record",
    ),
    Difference(
        "stream-error-handling",
        "event sources",
        aws="A Kinesis or DynamoDB stream mapping with BisectBatchOnFunctionError splits a failing batch in two and "
        "retries each half; MaximumRetryAttempts and MaximumRecordAgeInSeconds bound the retries, then the batch's "
        "description goes to the on-failure destination and the shard moves on.",
        emulator="BisectBatchOnFunctionError and MaximumRetryAttempts are stored and ignored: a failing batch is "
        "retried whole, about once a second, until MaximumRecordAgeInSeconds (DynamoDB streams only) lets it go; "
        "a Kinesis mapping never sends to its on-failure destination.",
        kit="stated",
        note="Lesson 05 replays AWS's documented bisection against the deployed function (reference_app.lab.lessons."
        "error_handling.bisect_batch) and says so.",
        source="services/lambda_svc.py _poll_kinesis, _poll_dynamodb_streams",
    ),
    Difference(
        "async-records",
        "invocation",
        aws="After the last attempt the dead-letter queue gets the event itself with RequestID, ErrorCode and "
        "ErrorMessage attributes, and the on-failure destination gets the invocation record (request id, "
        "approximateInvokeCount, condition, request and response payloads); both when both are set; an on-success "
        "destination gets a record too. Every attempt runs under the event's one request id.",
        emulator="The DLQ gets the destination's record, only one of the two is used, approximateInvokeCount is "
        "always 3, there is no on-success record, and an S3 event's retries get new request ids.",
        kit="closed",
        note="reference_app/lab/runtime/async_invoke.py runs the asynchronous path as Lambda does.",
        source="services/lambda_svc.py invoke_async_with_retry, _route_async_failure",
    ),
    Difference(
        "sns-email-confirmation",
        "event sources",
        aws="An e-mail (or HTTP/S) subscription stays PendingConfirmation until the recipient follows the link "
        "in the confirmation message; nothing is delivered before that.",
        emulator="An e-mail subscription is confirmed at once (PendingConfirmation is 'false'); HTTP/S ones do wait.",
        kit="stated",
        source="services/sns.py _subscribe",
    ),
    Difference(
        "async-retry-spacing",
        "invocation",
        aws="A failed asynchronous event is retried up to two more times, about one minute and then two minutes "
        "after the previous attempt.",
        emulator="The same number of attempts, about one second and then two seconds apart.",
        kit="stated",
        note="Lessons count the attempts, never time them.",
        source="services/lambda_svc.py invoke_async_with_retry",
    ),
    Difference(
        "account-concurrency",
        "invocation",
        aws="GetAccountSettings reports the Region's concurrency quota: 1,000 by default, less for new accounts.",
        emulator="It reports a cap sized to the host's memory (never above 1,000), which it also enforces.",
        kit="stated",
        source="services/lambda_svc.py _default_account_concurrency",
    ),
    Difference(
        "s3-overlapping-notifications",
        "s3",
        aws="Overlapping notification configurations (same event type, overlapping prefix or suffix) are refused.",
        emulator="They are accepted.",
        kit="stated",
        source="services/s3.py _put_bucket_notification",
    ),
    Difference(
        "s3-bucket-namespace",
        "s3",
        aws="Bucket names are global: a name another account holds answers BucketAlreadyExists.",
        emulator="The same, except in an emulator a room shares (`lambda-lab room serve --emulator`): there each "
        "learner's account has its own bucket names, so every learner can create the lessons' buckets, and "
        "another learner's buckets are not found.",
        kit="stated",
        source="reference_app/lab/room/emulator_patch.py patch_s3",
    ),
    Difference(
        "cfn-no-deploy-validation",
        "cloudformation",
        aws="A stack fails when a resource is refused: an S3 notification whose Lambda permission does not exist yet "
        "('Unable to validate the following destination configurations'), a DynamoDB-stream mapping whose role "
        "cannot read the stream, a runtime past its block-create date.",
        emulator="The seed's template creates as written: permissions and roles are not checked, any runtime is "
        "accepted.",
        kit="stated",
        note="Lesson 03 lints the template (cfn-lint) and reviews what no linter sees; a green stack here is not "
        "proof that it creates on AWS.",
        source="services/cloudformation/provisioners.py",
    ),
    Difference(
        "sam-any-method",
        "cloudformation",
        aws="An OpenAPI body's x-amazon-apigateway-any-method (what SAM writes for an Api event with Method: ANY) "
        "becomes an ANY method.",
        emulator="It is ignored on import: the resource has no method and answers 403 Missing Authentication Token.",
        kit="stated",
        note="The kit's SAM template declares one event per route (get, post, delete).",
        source="services/apigateway_v1.py _import_paths (_OPENAPI_HTTP_METHODS)",
    ),
    Difference(
        "cfn-stack-speed",
        "cloudformation",
        aws="Creating a stack with an API, a function and a table takes tens of seconds to minutes.",
        emulator="It completes in well under a second.",
        kit="stated",
        note="deploy_stack polls briskly, then backs off, so the same code waits correctly on AWS.",
    ),
)

KIT_MEANINGS = {
    "closed": "the kit makes the emulator behave as AWS",
    "guarded": "the kit checks it itself, on every backend",
    "stated": "a known difference; the lesson that meets it says so",
}


def differences(area: str | None = None) -> list[Difference]:
    """Every known difference, or those of one ``area`` ("api gateway", "event sources" …)."""
    if area is None:
        return list(DIFFERENCES)
    found = [d for d in DIFFERENCES if d.area == area.lower()]
    if not found:
        from .errors import LabError

        areas = sorted({d.area for d in DIFFERENCES})
        raise LabError(f"No fidelity notes for {area!r}; the areas are: {', '.join(areas)}.")
    return found


def fidelity(area: str | None = None):
    """The differences as a table for a notebook (pandas DataFrame, indexed by id)."""
    import pandas as pd

    rows = [asdict(d) for d in differences(area)]
    return pd.DataFrame(rows).set_index("id")[["area", "aws", "emulator", "kit", "note"]]
