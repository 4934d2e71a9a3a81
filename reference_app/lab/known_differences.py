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
        "payload-limits",
        "limits",
        aws="Invoke refuses a synchronous request over 6 MB (6,291,456 bytes) and an asynchronous one over 1 MB "
        "(1,048,576 bytes) with 413 RequestEntityTooLargeException; a response over 6,291,556 bytes fails the "
        "invocation with Function.ResponseSizeTooLarge.",
        emulator="Any size is accepted and answered.",
        kit="closed",
        note="The kit's runtime refuses and fails them as Lambda does (reference_app/lab/runtime/limits.py).",
        source="services/lambda_svc.py _invoke",
    ),
    Difference(
        "provisioned-concurrency",
        "concurrency",
        aws="Provisioned concurrency on a version or alias is IN_PROGRESS for minutes while Lambda initialises the "
        "environments, then READY; requests it serves skip INIT (no Init Duration on their REPORT line).",
        emulator="The configuration is stored and READY at once, but nothing is initialised ahead: the first request "
        "to the version is a cold start.",
        kit="stated",
        note="Lesson 07 configures it, shows both, and prices it from AWS's pricing page.",
        source="services/lambda_svc.py Provisioned Concurrency (stubs)",
    ),
    Difference(
        "lambda-metrics",
        "observability",
        aws="Every invocation counts in AWS/Lambda Invocations, Errors and Duration (the REPORT line's duration), "
        "whatever invoked it, each attempt of an asynchronous event included; a throttled request counts in "
        "Throttles only.",
        emulator="Only the Invoke API records them: API Gateway, function URLs, event source mappings and S3 record "
        "none; an asynchronous event counts once, when queued, and never as an error; a throttled synchronous request "
        "counts as 2 Invocations, 1 Error and 2 Throttles; Duration is the emulator's round trip.",
        kit="stated",
        note="Lesson 08 reads them after synchronous invokes, where they match AWS's but for Duration.",
        source="services/lambda_svc.py _emit_lambda_metrics",
    ),
    Difference(
        "alarm-evaluation",
        "observability",
        aws="CloudWatch evaluates a metric alarm once a period, per period, with DatapointsToAlarm and "
        "TreatMissingData; it reads only the series its dimensions name.",
        emulator="An alarm is evaluated when a point of its metric is put or recorded, over every point of the last "
        "Period x EvaluationPeriods seconds taken together; ministack alone would read every series of the metric "
        "whatever the alarm's dimensions, and never evaluate on the AWS/Lambda points it records itself.",
        kit="closed",
        note="The kit's runtime makes an alarm read only its own dimensions and evaluates it when the emulator "
        "records a point; that it moves at once rather than at the end of a period is the difference left.",
        source="services/cloudwatch.py _evaluate_alarm",
    ),
    Difference(
        "emf-extraction",
        "observability",
        aws="CloudWatch Logs turns each embedded-metric-format line (a JSON log line with an _aws.CloudWatchMetrics "
        "section) into metric data points.",
        emulator="EMF lines are stored as log lines; no metric appears.",
        kit="stated",
        note="Lesson 08 reads the EMF lines back and publishes them with PutMetricData itself, saying so, to show "
        "the metric each line would produce on AWS.",
        source="services/cloudwatch_logs.py _put_log_events",
    ),
    Difference(
        "logs-query-subset",
        "observability",
        aws="A JSON filter pattern ({ $.field = value }) matches on a field; Logs Insights discovers JSON fields, "
        "filters and aggregates them (stats, by).",
        emulator="A JSON filter pattern matches every event; Logs Insights runs fields, filter on @fields (= or "
        "like /regex/), sort and limit, with no field discovery and no stats.",
        kit="stated",
        note="Lesson 08 queries by a quoted term (a correlation id), which matches the same events on both.",
        source="services/cloudwatch_logs.py _compile_filter_pattern, _start_query",
    ),
    Difference(
        "no-xray",
        "observability",
        aws="With active tracing Lambda records a segment per invocation and X-Ray assembles traces across services.",
        emulator="There is no X-Ray service: a trace header reaches the function (_X_AMZN_TRACE_ID) but nothing "
        "records or shows the trace.",
        kit="stated",
        note="Lesson 08 instruments with Powertools Tracer and runs it with POWERTOOLS_TRACE_DISABLED=true: sending "
        "segments to the embedded emulator grows its memory by hundreds of MB.",
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
    # --- iam: what lesson 06's emulator (AUTH=true, lab.lessons.security) enforces differently ---------------
    Difference(
        "iam-logs-permission",
        "iam",
        aws="A function whose execution role lacks logs:CreateLogStream and logs:PutLogEvents on its log group "
        "still runs, but nothing it logs reaches CloudWatch Logs (monitoring-cloudwatchlogs.html).",
        emulator="With AUTH on too, the emulator writes every function's logs whatever its role allows.",
        kit="stated",
        note="Lesson 06's policies grant the two log actions on the function's own log group, and the policy check "
        "and the least-privilege exercise require them; a missing grant shows on AWS only.",
        source="services/lambda_svc.py _emit_lambda_logs",
    ),
    Difference(
        "iam-url-public-policy",
        "iam",
        aws="A function URL with AuthType NONE answers 403 unless the function's resource-based policy grants "
        "public access: lambda:InvokeFunctionUrl and, for URLs created since October 2025, lambda:InvokeFunction "
        "(urls-auth.html).",
        emulator="An unsigned request to a NONE URL is served without looking at the resource-based policy.",
        kit="guarded",
        note="lab.function_url adds both public statements for NONE (and removes them for AWS_IAM) on every backend.",
        source="app.py _handle_lambda_url_request; core/iam_evaluator.py enforce (anonymous_ok)",
    ),
    Difference(
        "iam-url-invoke-function",
        "iam",
        aws="An AWS_IAM function URL created since October 2025 needs the caller to be allowed "
        "lambda:InvokeFunctionUrl and lambda:InvokeFunction.",
        emulator="Only lambda:InvokeFunctionUrl is evaluated.",
        kit="stated",
        note="Lesson 06 grants both, as AWS needs; a caller with only InvokeFunctionUrl passes here and not on AWS.",
        source="app.py _handle_lambda_url_request",
    ),
    Difference(
        "iam-service-principals",
        "iam",
        aws="S3, SNS, EventBridge and API Gateway invoke a function only when its resource-based policy allows "
        "their service principal; S3 refuses a notification configuration without that permission.",
        emulator="With AUTH on too, a notification is accepted and delivered without the permission.",
        kit="guarded",
        note="The trigger helpers add each grant, scoped by SourceArn (and SourceAccount), on every backend.",
        source="services/s3.py _validate_notification_configs",
    ),
    Difference(
        "iam-condition-keys",
        "iam",
        aws="A request carries its service's condition keys (dynamodb:LeadingKeys, s3:prefix ...) and "
        "aws:SecureTransport is true for every API call (HTTPS).",
        emulator="Most service-specific keys are absent, so a ForAllValues condition on one passes vacuously (a "
        "dynamodb:LeadingKeys limit to 'alice' lets 'bob' through) and a plain condition on one fails; "
        "aws:SecureTransport is false (the endpoint is plain HTTP); aws:SourceIp is 127.0.0.1.",
        kit="stated",
        note="Test conditions on AWS (IAM policy simulator, or a test account); lesson 06's policies use none.",
        source="core/iam_evaluator.py _resolve_condition_key",
    ),
    Difference(
        "iam-kms-through-services",
        "iam",
        aws="Reading a secret or a SecureString encrypted with a customer managed key needs kms:Decrypt on that key "
        "too, and only users with access to a function's customer managed key can view its environment variables "
        "(configuration-envvars-encryption.html).",
        emulator="Neither is checked: GetSecretValue and GetParameter decrypt without kms:Decrypt, and "
        "lambda:GetFunctionConfiguration alone shows the variables in plain text.",
        kit="stated",
        note="Lesson 06 grants kms:Decrypt on the key as AWS needs it; the emulator would pass without it.",
        source="services/secretsmanager.py, services/ssm.py, services/lambda_svc.py _get_function_config",
    ),
    Difference(
        "iam-role-change-warm",
        "iam",
        aws="After a role change AWS advises a trivial configuration update, which replaces running environments "
        "holding the old credentials (permissions-executionrole-update.html).",
        emulator="A Role-only UpdateFunctionConfiguration keeps the warm worker, which keeps the old role's "
        "credentials until it is replaced.",
        kit="guarded",
        note="lab.lessons.security.deploy_with_role sends a role change with a new cold-start stamp, in one update.",
        source="services/lambda_svc.py _update_config (_WORKER_AFFECTING)",
    ),
    Difference(
        "iam-trust-policy",
        "iam",
        aws="CreateFunction refuses a role whose trust policy does not let lambda.amazonaws.com assume it.",
        emulator="Any existing role is accepted, and the function gets its credentials.",
        kit="stated",
        note="The kit's roles all trust lambda.amazonaws.com (deploy._TRUST_POLICY).",
        source="core/lambda_runtime.py execution_credentials",
    ),
    Difference(
        "iam-propagation",
        "iam",
        aws="IAM is eventually consistent: a new or changed policy, user or key can take a few seconds to apply "
        "(troubleshoot_general.html#troubleshoot_general_eventual-consistency).",
        emulator="Every change applies to the next request.",
        kit="stated",
        note="A script that creates a role and uses it at once works here and may fail on AWS: retry, or wait.",
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
        "apigw-request-id-header",
        "api gateway",
        aws="A REST API's x-amzn-RequestId response header is the request id the function sees in "
        "requestContext.requestId.",
        emulator="The header carries another id.",
        kit="stated",
        note="Lesson 08's function answers its correlation id in a header of its own (X-Correlation-Id).",
        source="services/apigateway_v1.py",
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
        "stream-partial-batch",
        "event sources",
        aws="With ReportBatchItemFailures on a Kinesis or DynamoDB stream mapping, Lambda checkpoints before the "
        "lowest sequence number a function reports in batchItemFailures and retries from there.",
        emulator="The answer is ignored: the batch counts as processed and the stream moves on, so a reported record "
        "is never retried (SQS mappings do honour batchItemFailures).",
        kit="stated",
        note="09_patterns shows the projection's partial-batch answer by invoking it directly; a function that raises "
        "is retried by both.",
        source="services/lambda_svc.py _poll_dynamodb_streams, _poll_kinesis",
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
