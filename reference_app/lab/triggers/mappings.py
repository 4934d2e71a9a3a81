"""Event source mappings: Lambda polls SQS, DynamoDB Streams or Kinesis for the function.

Poll sources are read by Lambda on the function's behalf, so the *execution
role* must be allowed to read them (:func:`grant_source_read` attaches AWS's
managed policy for the source).
"""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ClientError

from ..clients import client
from ..config import Backend, resolve_backend
from ..errors import LabError, aws_code, aws_message
from ..poll import attempts
from .permissions import arn_parts

MAPPING_DEADLINE_S = 120.0
_SETTLED = ("Enabled", "Disabled")
_SETTLED_GRACE_S = 10.0  # a state change can take a moment to show

# What an execution role needs so that Lambda can poll the source for it.
SOURCE_POLICIES = {
    "sqs": "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
    "dynamodb": "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole",
    "kinesis": "arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole",
}
_MAPPING_UPDATABLE = frozenset(
    {
        "Enabled",
        "BatchSize",
        "FilterCriteria",
        "MaximumBatchingWindowInSeconds",
        "ParallelizationFactor",
        "DestinationConfig",
        "MaximumRecordAgeInSeconds",
        "BisectBatchOnFunctionError",
        "MaximumRetryAttempts",
        "TumblingWindowInSeconds",
        "FunctionResponseTypes",
        "ScalingConfig",
    }
)
_NO_QUEUE = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")


def _source_kind(source_arn: str) -> str:
    service = source_arn.split(":")[2] if source_arn.count(":") >= 5 else ""
    if service == "dynamodb" and "/stream/" not in source_arn:
        return "dynamodb-table"
    if service in SOURCE_POLICIES:
        return service
    raise LabError(
        f"{source_arn!r} is not an SQS queue, DynamoDB stream or Kinesis stream ARN; "
        "those are the sources this helper maps."
    )


def _stream_of_table(table_arn: str, backend: Backend | None) -> str:
    table = table_arn.split(":table/", 1)[-1]
    description = client("dynamodb", backend).describe_table(TableName=table)["Table"]
    stream = description.get("LatestStreamArn")
    if not stream or not description.get("StreamSpecification", {}).get("StreamEnabled", True):
        raise LabError(
            f"Table {table} has no stream; create it with StreamSpecification="
            "{'StreamEnabled': True, 'StreamViewType': 'NEW_AND_OLD_IMAGES'}."
        )
    return stream


def grant_source_read(function: str, kind: str, backend: Backend | None = None) -> str:
    """Attach AWS's managed policy for reading ``kind`` (sqs, dynamodb, kinesis) to the
    function's execution role; return the policy ARN. Attaching twice is a no-op."""
    role_arn = client("lambda", backend).get_function_configuration(FunctionName=function)["Role"]
    policy = SOURCE_POLICIES[kind]
    client("iam", backend).attach_role_policy(RoleName=role_arn.rsplit("/", 1)[-1], PolicyArn=policy)
    return policy


def _find_mapping(lam, function: str, source_arn: str) -> dict | None:
    for page in lam.get_paginator("list_event_source_mappings").paginate(
        FunctionName=function, EventSourceArn=source_arn
    ):
        for mapping in page["EventSourceMappings"]:
            if mapping["EventSourceArn"] == source_arn and mapping.get("State") != "Deleting":
                return mapping
    return None


def wait_for_mapping(
    uuid: str, state: str | None = None, backend: Backend | None = None, deadline_s: float = MAPPING_DEADLINE_S
) -> dict:
    """Poll until the mapping is in ``state``, or settled (Enabled or Disabled) when
    ``state`` is None. AWS passes through Creating, Enabling, Updating … first."""
    lam = client("lambda", backend)
    settled_since: float | None = None
    current = "unknown"
    for _ in attempts(deadline_s=deadline_s, first=0.1, cap=2.0):
        mapping = lam.get_event_source_mapping(UUID=uuid)
        current = mapping["State"]
        if current == state or (state is None and current in _SETTLED):
            return mapping
        if current in _SETTLED:
            settled_since = settled_since or time.monotonic()
            if time.monotonic() - settled_since > _SETTLED_GRACE_S:
                reason = mapping.get("StateTransitionReason") or "no reason given"
                raise LabError(f"Event source mapping {uuid} stayed {current} instead of {state} ({reason}).")
    raise LabError(f"Event source mapping {uuid} was still {current} after {deadline_s:.0f} s.")


def event_source_mapping(
    function_name: str,
    source_arn: str,
    batch_size: int | None = None,
    starting_position: str | None = None,
    report_batch_item_failures: bool = True,
    maximum_batching_window_s: int = 0,
    *,
    grant_role: bool = True,
    backend: Backend | None = None,
    **extra: Any,
) -> str:
    """Have Lambda poll ``source_arn`` (an SQS queue, a DynamoDB stream or table with a
    stream, a Kinesis stream) and invoke ``function_name`` (a name or ARN) with batches; return the
    mapping's UUID once it is Enabled.

    One mapping per (function, source): an existing one is found with
    ``ListEventSourceMappings`` and updated where its settings differ.
    ``starting_position`` is ``"LATEST"`` (default) or ``"TRIM_HORIZON"`` for
    streams and must be left out for SQS. ``report_batch_item_failures`` sets
    ``FunctionResponseTypes=["ReportBatchItemFailures"]``, without which a
    handler's ``batchItemFailures`` answer is ignored. ``grant_role`` attaches
    AWS's managed read policy for the source to the execution role, which AWS
    checks when the mapping is created. ``extra`` passes further
    ``CreateEventSourceMapping`` fields (``FilterCriteria``,
    ``MaximumRetryAttempts``, ``DestinationConfig`` …).
    """
    backend = backend or resolve_backend()
    kind = _source_kind(source_arn)
    if kind == "dynamodb-table":
        source_arn, kind = _stream_of_table(source_arn, backend), "dynamodb"
    if kind == "sqs" and starting_position is not None:
        raise LabError("An SQS mapping has no starting position; leave starting_position out.")
    if kind == "sqs" and (batch_size or 10) > 10 and maximum_batching_window_s < 1:
        raise LabError("An SQS batch larger than 10 needs maximum_batching_window_s of at least 1 on AWS.")
    if kind != "sqs":
        starting_position = starting_position or "LATEST"
        if starting_position not in ("LATEST", "TRIM_HORIZON"):
            raise LabError(f"starting_position must be 'LATEST' or 'TRIM_HORIZON', not {starting_position!r}.")

    wanted: dict[str, Any] = {
        "MaximumBatchingWindowInSeconds": maximum_batching_window_s,
        "FunctionResponseTypes": ["ReportBatchItemFailures"] if report_batch_item_failures else [],
        **extra,
    }
    if batch_size is not None:
        wanted["BatchSize"] = batch_size
    state = "Enabled" if wanted.get("Enabled", True) else "Disabled"

    lam = client("lambda", backend)
    if kind == "sqs":
        _check_visibility_timeout(lam, function_name, source_arn, backend)
    mapping = _find_mapping(lam, function_name, source_arn)
    if mapping is None:
        if grant_role:
            grant_source_read(function_name, kind, backend)
        create = {"FunctionName": function_name, "EventSourceArn": source_arn, **wanted}
        if starting_position:
            create["StartingPosition"] = starting_position
        mapping = _create_mapping(lam, create)
        return wait_for_mapping(mapping["UUID"], state, backend)["UUID"]

    if starting_position and mapping.get("StartingPosition") not in (None, starting_position):
        raise LabError(
            f"The mapping from {source_arn} already starts at {mapping['StartingPosition']}; "
            "a starting position cannot change, so delete the mapping to start elsewhere."
        )
    current = wait_for_mapping(mapping["UUID"], backend=backend)  # no update while one is running
    drift = {k: v for k, v in wanted.items() if k in _MAPPING_UPDATABLE and not _same(current, k, v)}
    if drift:
        lam.update_event_source_mapping(UUID=current["UUID"], **drift)
    return wait_for_mapping(current["UUID"], state, backend)["UUID"]


def _check_visibility_timeout(lam, function: str, queue_arn: str, backend: Backend | None) -> None:
    """AWS refuses an SQS mapping whose queue would hand a message to another
    consumer while the function may still be working on it."""
    _, account = arn_parts(queue_arn)
    sqs = client("sqs", backend)
    try:
        url = sqs.get_queue_url(QueueName=queue_arn.rsplit(":", 1)[-1], QueueOwnerAWSAccountId=account)["QueueUrl"]
    except ClientError as err:
        if aws_code(err) in _NO_QUEUE:
            raise LabError(f"There is no queue {queue_arn}; create it before mapping it.") from None
        raise
    visibility = int(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"]["VisibilityTimeout"]
    )
    timeout = lam.get_function_configuration(FunctionName=function)["Timeout"]
    if visibility < timeout:
        raise LabError(
            f"The queue's visibility timeout ({visibility} s) is shorter than the function's timeout "
            f"({timeout} s), which AWS refuses; raise VisibilityTimeout to at least {6 * timeout} s "
            "(AWS suggests six times the function timeout) or shorten the function's timeout."
        )


def _same(mapping: dict, key: str, value: Any) -> bool:
    if key == "Enabled":
        return (mapping.get("State") == "Enabled") == bool(value)
    if key == "FunctionResponseTypes":
        return sorted(mapping.get(key, [])) == sorted(value)
    return mapping.get(key) == value


def _create_mapping(lam, request: dict) -> dict:
    # A role policy attached a moment ago takes a few seconds to reach Lambda on AWS.
    last: ClientError | None = None
    for _ in attempts(deadline_s=30, first=2.0, cap=2.0):
        try:
            return lam.create_event_source_mapping(**request)
        except ClientError as err:
            if aws_code(err) == "ResourceConflictException":
                found = _find_mapping(lam, request["FunctionName"], request["EventSourceArn"])
                if found:
                    return found
                raise
            if aws_code(err) != "InvalidParameterValueException" or "permission" not in aws_message(err):
                raise
            last = err
    assert last is not None
    raise last
