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
        kit="guarded",
        note="Every zip is imported in an isolated interpreter (python -I -S, zip + boto3) before it is deployed.",
        source="core/lambda_runtime.py",
    ),
    Difference(
        "runtime-version",
        "lambda runtime",
        aws="The declared runtime (python3.13) is the interpreter the function gets.",
        emulator="The host's interpreter runs every Python function, whatever the declared runtime.",
        kit="stated",
        note="`lambda-lab doctor` warns when the host's Python differs from python3.13.",
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
