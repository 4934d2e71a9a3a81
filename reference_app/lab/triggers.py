"""Wire AWS event sources to a deployed function, idempotently.

Each helper creates what is missing and leaves alone what is already there, so a
notebook cell can run twice: the second run creates nothing and fails on nothing.
Each takes names or ARNs and an optional ``backend``, talks to AWS only through
:func:`reference_app.lab.clients.client`, and returns what the learner needs
next (an ARN, a mapping UUID, a URL).

Two kinds of permission, both written as AWS needs them even where an emulator
does not check them:

* **push sources** (S3, SNS, EventBridge, API Gateway, function URLs) call the
  function themselves, so the *function's resource-based policy* must allow that
  service, scoped to the one bucket, topic, rule or API (:func:`allow_invoke`);
* **poll sources** (SQS, DynamoDB Streams, Kinesis) are read by Lambda on the
  function's behalf, so the *execution role* must be allowed to read them
  (:func:`event_source_mapping` attaches AWS's managed policy for the source).

HTTP endpoints
--------------
AWS gives every API and function URL its own host name
(``{id}.execute-api.us-east-1.amazonaws.com``, ``{id}.lambda-url.us-east-1.on.aws``).
Locally those names only resolve with a wildcard DNS entry, which browsers on
macOS and offline laptops do not have, so the helpers return the emulator's
*path* form instead, which any HTTP client can call on 127.0.0.1:

* REST and HTTP APIs: ``{endpoint}/_aws/execute-api/{apiId}/{stage}/`` (for an
  HTTP API's ``$default`` stage, ``{endpoint}/_aws/execute-api/{apiId}/``).
  ministack (``ministack/app.py``, ``_parse_execute_api_url``) and current
  LocalStack both serve it; ``/restapis/{id}/{stage}/_user_request_/`` is
  LocalStack's legacy form (ministack accepts it too) and is not used.
* Function URLs: ``{endpoint}/_aws/lambda-url/{urlId}/`` on ministack
  (``ministack/app.py``, ``_parse_lambda_url``). LocalStack documents only the
  host form, and its ``FunctionUrl`` already names a local host
  (``{urlId}.lambda-url.us-east-1.localhost.localstack.cloud:4566``), so that
  URL is returned unchanged.

:func:`http_call` calls either form. A host under ``.localhost`` or
``.localhost.localstack.cloud`` is sent to 127.0.0.1 with the original ``Host``
header, so even the host-name forms work without DNS.

Emulator gaps (ministack 1.5.33)
--------------------------------
What the embedded emulator does differently from AWS. The helpers are written
for AWS and work on both; paths are under ``ministack/``.

* Permissions are recorded but not enforced (``AUTH`` is off by default,
  ``app.py``): S3, SNS, EventBridge, API Gateway and a ``NONE`` function URL
  invoke a function whose resource-based policy does not allow them, and a
  mapping polls without the execution role's read policy. On AWS each grant is
  required, and S3 refuses the notification configuration without it
  (``services/lambda_svc.py`` ``_add_permission`` only stores the statement;
  ``services/s3.py`` ``_validate_notification_configs`` probes SQS and SNS
  destinations only). An ``AWS_IAM`` function URL does refuse unsigned calls.
* A function error behind API Gateway or a function URL comes back to the
  caller as a 502 whose body holds the function's ``errorMessage`` and
  ``errorType`` (``services/lambda_svc.py``
  ``lambda_execute_result_to_api_proxy_response``; ``services/apigateway_v1.py``
  ``_lambda_proxy_response``). AWS answers a generic "Internal server error"
  (REST 502, HTTP API 500, function URL 502) and keeps the detail in the logs.
* A REST API (payload 1.0) accepts a function result without ``statusCode``
  and answers 200 with it as the body (same function); AWS answers 502
  "Malformed Lambda proxy response". HTTP APIs and function URLs (payload 2.0)
  infer 200 on AWS too.
* An event source mapping is ``Enabled`` as soon as it is created; AWS reports
  ``Creating`` first (``services/lambda_svc.py`` ``_create_esm``).
* A second mapping for the same function and queue is created and polls the
  queue alongside the first; AWS answers ``ResourceConflictException``
  (``_create_esm``). The lookup here prevents it on both.
* An SQS mapping is accepted when the queue's visibility timeout is shorter
  than the function's timeout, or a batch over 10 has no batching window; AWS
  refuses both (``_create_esm``), so :func:`event_source_mapping` checks them.
* The mapping poller sleeps up to 5 s while no mapping exists and creating one
  does not wake it (``_poll_loop``, ``_esm_wake.wait(1 if _esms.has_any() else
  5)``): the first batch after a quiet spell can take ~5 s. AWS can take a
  minute for a new mapping, so wait for the function's logs, don't sleep.
* DynamoDB stream records report ``SizeBytes: 0`` (``services/dynamodb.py``
  ``_build_change_record``).
* S3 does not reject overlapping notification configurations (same event
  type, overlapping prefix or suffix) as AWS does
  (``services/s3.py`` ``_put_bucket_notification``).
"""

from __future__ import annotations

import hashlib
import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple
from urllib.parse import urlsplit, urlunsplit

from botocore.exceptions import ClientError

from . import resources
from .clients import check_endpoint, client
from .config import Backend, resolve_backend
from .errors import LabError

LAB_PREFIX = "lambda-lab"
MAPPING_DEADLINE_S = 120.0
_SETTLED = ("Enabled", "Disabled")
_SETTLED_GRACE_S = 10.0  # a state change can take a moment to show

# What an execution role needs so that Lambda can poll the source for it.
SOURCE_POLICIES = {
    "sqs": "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
    "dynamodb": "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole",
    "kinesis": "arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole",
}
_MAPPING_UPDATABLE = frozenset({
    "Enabled", "BatchSize", "FilterCriteria", "MaximumBatchingWindowInSeconds", "ParallelizationFactor",
    "DestinationConfig", "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "MaximumRetryAttempts",
    "TumblingWindowInSeconds", "FunctionResponseTypes", "ScalingConfig",
})


# --- names, ARNs, permissions ------------------------------------------------------------

def _code(err: ClientError) -> str:
    return err.response.get("Error", {}).get("Code", "")


def _digest(*parts: object, length: int = 12) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:length]


def resolve_function_arn(function: str, backend: Backend | None = None) -> str:
    """The ARN of ``function`` (a name or an ARN) as Lambda reports it."""
    if function.startswith("arn:"):
        return function
    try:
        return client("lambda", backend).get_function_configuration(FunctionName=function)["FunctionArn"]
    except ClientError as err:
        if _code(err) == "ResourceNotFoundException":
            raise LabError(f"There is no function named {function!r}; deploy it first.") from None
        raise


def _bare_name(function: str) -> str:
    """The bare name in a function ARN (``arn:aws:lambda:…:function:NAME[:qualifier]``), or ``function``."""
    parts = function.split(":")
    return parts[6] if function.startswith("arn:") and len(parts) >= 7 else function


def _arn_parts(arn: str) -> tuple[str, str]:
    """``(region, account)`` of an ARN."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        raise LabError(f"{arn!r} is not an ARN.")
    return parts[3], parts[4]


def allow_invoke(
    function: str,
    principal: str,
    source_arn: str | None = None,
    *,
    action: str = "lambda:InvokeFunction",
    source_account: str | None = None,
    statement_id: str | None = None,
    backend: Backend | None = None,
    **extra: Any,
) -> str:
    """Add one statement to ``function``'s resource-based policy unless it is there;
    return its statement id.

    The default id is derived from the principal, action and source, so the same
    grant twice is one statement. ``extra`` passes further ``AddPermission``
    fields (``FunctionUrlAuthType``, ``InvokedViaFunctionUrl`` …).
    """
    lam = client("lambda", backend)
    if statement_id is None:
        who = "public" if principal == "*" else principal.split(".")[0]
        statement_id = f"{LAB_PREFIX}-{who}-{_digest(action, source_arn, sorted(extra.items()))}"
    request: dict[str, Any] = {
        "FunctionName": function, "StatementId": statement_id, "Action": action, "Principal": principal, **extra,
    }
    if source_arn:
        request["SourceArn"] = source_arn
    if source_account:
        request["SourceAccount"] = source_account
    for attempt in range(5):
        try:
            lam.add_permission(**request)
            return statement_id
        except ClientError as err:
            if _code(err) != "ResourceConflictException":
                raise
            if "already exists" in err.response["Error"].get("Message", ""):
                return statement_id
            # "An update is in progress for resource": wait for it, then try again.
            time.sleep(0.5 * (attempt + 1))
    raise LabError(f"Could not add permission {statement_id} to {function}: it kept being updated.")


def _revoke(function: str, statement_id: str, backend: Backend | None) -> None:
    try:
        client("lambda", backend).remove_permission(FunctionName=function, StatementId=statement_id)
    except ClientError as err:
        if _code(err) != "ResourceNotFoundException":
            raise


# --- S3 ----------------------------------------------------------------------------------

def ensure_bucket(bucket: str, backend: Backend | None = None) -> str:
    """Create ``bucket`` unless it exists; return its name."""
    return resources.ensure_bucket(client("s3", backend), bucket)


def _filter_rules(entry: Mapping) -> list[tuple[str, str]]:
    rules = entry.get("Filter", {}).get("Key", {}).get("FilterRules", [])
    return sorted((rule["Name"].lower(), rule["Value"]) for rule in rules)


def s3_notification(
    bucket: str,
    function_arn: str,
    events: Iterable[str] = ("s3:ObjectCreated:*",),
    prefix: str | None = None,
    suffix: str | None = None,
    backend: Backend | None = None,
) -> str:
    """Invoke the function for ``events`` on keys matching ``prefix``/``suffix`` in
    ``bucket`` (created if missing); return the notification configuration's Id.

    The bucket's other notification configurations (queues, topics, other
    functions, EventBridge) are kept: the whole configuration is read, this one
    entry replaced or added, and written back only when it changed. The entry's
    Id is derived from the function and the filter, so calling again with other
    ``events`` updates it, and another prefix adds a second one.
    """
    backend = backend or resolve_backend()
    events = [events] if isinstance(events, str) else list(events)
    target = resolve_function_arn(function_arn, backend)
    ensure_bucket(bucket, backend)
    _, account = _arn_parts(target)
    # S3 checks the permission when the configuration is written, so it comes first.
    allow_invoke(target, "s3.amazonaws.com", f"arn:aws:s3:::{bucket}", source_account=account, backend=backend)

    entry: dict[str, Any] = {
        "Id": f"{LAB_PREFIX}-{_bare_name(target)}-{_digest(prefix, suffix, length=8)}",
        "LambdaFunctionArn": target,
        "Events": events,
    }
    rules = [{"Name": name, "Value": value} for name, value in (("prefix", prefix), ("suffix", suffix)) if value]
    if rules:
        entry["Filter"] = {"Key": {"FilterRules": rules}}

    s3 = client("s3", backend)
    current = s3.get_bucket_notification_configuration(Bucket=bucket)
    current.pop("ResponseMetadata", None)
    lambdas = current.get("LambdaFunctionConfigurations", [])
    existing = next((c for c in lambdas if c.get("Id") == entry["Id"]), None)
    if existing is not None and (
        existing.get("LambdaFunctionArn") == target
        and sorted(existing.get("Events", [])) == sorted(entry["Events"])
        and _filter_rules(existing) == _filter_rules(entry)
    ):
        return entry["Id"]
    current["LambdaFunctionConfigurations"] = [c for c in lambdas if c.get("Id") != entry["Id"]] + [entry]
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=current)
    return entry["Id"]


# --- event source mappings (SQS, DynamoDB Streams, Kinesis) ---------------------------

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


def wait_for_mapping(uuid: str, state: str | None = None, backend: Backend | None = None,
                     deadline_s: float = MAPPING_DEADLINE_S) -> dict:
    """Poll until the mapping is in ``state``, or settled (Enabled or Disabled) when
    ``state`` is None. AWS passes through Creating, Enabling, Updating … first."""
    lam = client("lambda", backend)
    started = time.monotonic()
    delay = 0.1
    while True:
        mapping = lam.get_event_source_mapping(UUID=uuid)
        current = mapping["State"]
        if current == state or (state is None and current in _SETTLED):
            return mapping
        waited = time.monotonic() - started
        if current in _SETTLED and waited > _SETTLED_GRACE_S:
            reason = mapping.get("StateTransitionReason") or "no reason given"
            raise LabError(f"Event source mapping {uuid} stayed {current} instead of {state} ({reason}).")
        if waited > deadline_s:
            raise LabError(f"Event source mapping {uuid} was still {current} after {deadline_s:.0f} s.")
        time.sleep(delay)
        delay = min(delay * 2, 2.0)


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
    _, account = _arn_parts(queue_arn)
    sqs = client("sqs", backend)
    try:
        url = sqs.get_queue_url(QueueName=queue_arn.rsplit(":", 1)[-1], QueueOwnerAWSAccountId=account)["QueueUrl"]
    except ClientError as err:
        if _code(err) in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
            raise LabError(f"There is no queue {queue_arn}; create it before mapping it.") from None
        raise
    visibility = int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
                     ["Attributes"]["VisibilityTimeout"])
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
    end = time.monotonic() + 30
    while True:
        try:
            return lam.create_event_source_mapping(**request)
        except ClientError as err:
            message = err.response["Error"].get("Message", "")
            if _code(err) == "ResourceConflictException":
                found = _find_mapping(lam, request["FunctionName"], request["EventSourceArn"])
                if found:
                    return found
                raise
            if _code(err) != "InvalidParameterValueException" or "permission" not in message or time.monotonic() > end:
                raise
            time.sleep(2)


# --- SNS ---------------------------------------------------------------------------------

def sns_subscription(topic_arn: str, function_arn: str, backend: Backend | None = None) -> str:
    """Subscribe the function to ``topic_arn`` unless it is subscribed; return the
    subscription ARN. Lambda subscriptions need no confirmation."""
    backend = backend or resolve_backend()
    target = resolve_function_arn(function_arn, backend)
    allow_invoke(target, "sns.amazonaws.com", topic_arn, backend=backend)
    sns = client("sns", backend)
    for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn):
        for sub in page["Subscriptions"]:
            if sub["Protocol"] == "lambda" and sub["Endpoint"] == target:
                return sub["SubscriptionArn"]
    return sns.subscribe(
        TopicArn=topic_arn, Protocol="lambda", Endpoint=target, ReturnSubscriptionArn=True
    )["SubscriptionArn"]


# --- EventBridge -------------------------------------------------------------------------

def eventbridge_rule(
    rule_name: str,
    function_arn: str,
    schedule: str | None = None,
    event_pattern: Mapping | str | None = None,
    bus: str = "default",
    backend: Backend | None = None,
) -> str:
    """A rule on ``bus`` that invokes the function, either on a ``schedule``
    (``"rate(5 minutes)"``, ``"cron(0 12 * * ? *)"``) or for events matching
    ``event_pattern``; return the rule's ARN. ``PutRule`` and ``PutTargets`` are
    upserts, so running it again changes the rule in place."""
    if (schedule is None) == (event_pattern is None):
        raise LabError("Give eventbridge_rule either schedule= or event_pattern=, not both or neither.")
    if schedule is not None and bus != "default":
        raise LabError("Schedules run only on the default event bus; leave bus out or use event_pattern.")
    backend = backend or resolve_backend()
    target = resolve_function_arn(function_arn, backend)
    events = client("events", backend)
    rule: dict[str, Any] = {"Name": rule_name, "EventBusName": bus, "State": "ENABLED"}
    if schedule is not None:
        rule["ScheduleExpression"] = schedule
    else:
        rule["EventPattern"] = event_pattern if isinstance(event_pattern, str) else json.dumps(event_pattern)
    rule_arn = events.put_rule(**rule)["RuleArn"]
    allow_invoke(target, "events.amazonaws.com", rule_arn, backend=backend)
    target_id = _bare_name(target)[:64]
    existing = events.list_targets_by_rule(Rule=rule_name, EventBusName=bus)["Targets"]
    if not any(t["Id"] == target_id and t["Arn"] == target for t in existing):
        result = events.put_targets(Rule=rule_name, EventBusName=bus, Targets=[{"Id": target_id, "Arn": target}])
        if result.get("FailedEntryCount"):
            failure = result["FailedEntries"][0]
            raise LabError(f"EventBridge refused the target {target}: {failure.get('ErrorMessage', failure)}")
    return rule_arn


# --- API Gateway -------------------------------------------------------------------------

def lambda_integration_uri(function_arn: str) -> str:
    """The URI API Gateway invokes a function through (``AWS_PROXY`` integrations)."""
    region, _ = _arn_parts(function_arn)
    return f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


def execute_api_url(api_id: str, stage: str, backend: Backend | None = None) -> str:
    """The loopback path-form invoke URL of an API stage, ending in ``/``."""
    backend = backend or resolve_backend()
    base = f"{backend.endpoint}/_aws/execute-api/{api_id}/"
    return base if stage == "$default" else f"{base}{stage}/"


def _execute_api_source(function_arn: str, api_id: str) -> str:
    region, account = _arn_parts(function_arn)
    return f"arn:aws:execute-api:{region}:{account}:{api_id}/*"


def _find_by_name(pages: Iterable[dict], key: str, name: str, name_key: str, **match: str) -> dict | None:
    found = [
        item for page in pages for item in page.get(key, [])
        if item.get(name_key) == name and all(item.get(k) == v for k, v in match.items())
    ]
    found.sort(key=lambda item: str(item.get("createdDate") or item.get("CreatedDate") or ""))
    return found[0] if found else None


def rest_api(name: str, function_arn: str, stage: str = "dev", backend: Backend | None = None) -> str:
    """A REST API named ``name`` that sends every request, at ``/`` and at any
    ``/{proxy+}`` path and for ANY method, to the function through an
    ``AWS_PROXY`` integration, deployed to ``stage``; return its base URL.

    The API is found by name, so running it again reuses it and deploys again
    only when something had to be added or changed.
    """
    backend = backend or resolve_backend()
    target = resolve_function_arn(function_arn, backend)
    apigw = client("apigateway", backend)
    api = _find_by_name(apigw.get_paginator("get_rest_apis").paginate(), "items", name, "name")
    if api is None:
        api = apigw.create_rest_api(name=name, endpointConfiguration={"types": ["REGIONAL"]})
    api_id = api["id"]
    resources = [r for page in apigw.get_paginator("get_resources").paginate(restApiId=api_id) for r in page["items"]]
    root = next(r for r in resources if r["path"] == "/")
    proxy = next((r for r in resources if r["path"] == "/{proxy+}"), None)
    changed = False
    if proxy is None:
        proxy = apigw.create_resource(restApiId=api_id, parentId=root["id"], pathPart="{proxy+}")
        changed = True
    uri = lambda_integration_uri(target)
    for resource in (root, proxy):
        if "ANY" not in resource.get("resourceMethods", {}):
            try:
                apigw.put_method(restApiId=api_id, resourceId=resource["id"], httpMethod="ANY", authorizationType="NONE")
                changed = True
            except ClientError as err:
                if _code(err) != "ConflictException":  # listed without its methods, but there
                    raise
        try:
            current_uri = apigw.get_integration(restApiId=api_id, resourceId=resource["id"], httpMethod="ANY").get("uri")
        except ClientError as err:
            if _code(err) != "NotFoundException":
                raise
            current_uri = None
        if current_uri != uri:
            apigw.put_integration(
                restApiId=api_id, resourceId=resource["id"], httpMethod="ANY",
                type="AWS_PROXY", integrationHttpMethod="POST", uri=uri,
            )
            changed = True
    allow_invoke(target, "apigateway.amazonaws.com", _execute_api_source(target, api_id), backend=backend)
    try:
        apigw.get_stage(restApiId=api_id, stageName=stage)
    except ClientError as err:
        if _code(err) != "NotFoundException":
            raise
        changed = True
    if changed:
        apigw.create_deployment(restApiId=api_id, stageName=stage, description=f"{LAB_PREFIX}: {target}")
    return execute_api_url(api_id, stage, backend)


def http_api(name: str, function_arn: str, stage: str = "$default", backend: Backend | None = None) -> str:
    """An HTTP API named ``name`` whose ``$default`` route sends every request to
    the function (``AWS_PROXY``, payload format 2.0), on an auto-deployed
    ``stage``; return its base URL. Found by name, so running it again reuses it.
    """
    backend = backend or resolve_backend()
    target = resolve_function_arn(function_arn, backend)
    v2 = client("apigatewayv2", backend)
    api = _find_by_name(v2.get_paginator("get_apis").paginate(), "Items", name, "Name", ProtocolType="HTTP")
    if api is None:
        api = v2.create_api(Name=name, ProtocolType="HTTP")
    api_id = api["ApiId"]
    integrations = [i for page in v2.get_paginator("get_integrations").paginate(ApiId=api_id) for i in page["Items"]]
    integration = next(
        (i for i in integrations if i.get("IntegrationType") == "AWS_PROXY" and i.get("IntegrationUri") == target
         and i.get("PayloadFormatVersion") == "2.0"),
        None,
    )
    if integration is None:
        integration = v2.create_integration(
            ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=target, PayloadFormatVersion="2.0",
        )
    route_target = f"integrations/{integration['IntegrationId']}"
    routes = [r for page in v2.get_paginator("get_routes").paginate(ApiId=api_id) for r in page["Items"]]
    route = next((r for r in routes if r["RouteKey"] == "$default"), None)
    if route is None:
        v2.create_route(ApiId=api_id, RouteKey="$default", Target=route_target)
    elif route.get("Target") != route_target:
        v2.update_route(ApiId=api_id, RouteId=route["RouteId"], Target=route_target)
    allow_invoke(target, "apigateway.amazonaws.com", _execute_api_source(target, api_id), backend=backend)
    stages = {s["StageName"]: s for page in v2.get_paginator("get_stages").paginate(ApiId=api_id) for s in page["Items"]}
    if stage not in stages:
        v2.create_stage(ApiId=api_id, StageName=stage, AutoDeploy=True)
    elif not stages[stage].get("AutoDeploy"):
        v2.update_stage(ApiId=api_id, StageName=stage, AutoDeploy=True)
    return execute_api_url(api_id, stage, backend)


# --- function URLs -----------------------------------------------------------------------

_URL_PERMISSIONS = (
    # (statement id suffix, action, extra AddPermission fields). Since October 2025
    # a new public function URL needs both statements.
    ("url", "lambda:InvokeFunctionUrl", {"FunctionUrlAuthType": "NONE"}),
    ("url-invoke", "lambda:InvokeFunction", {"InvokedViaFunctionUrl": True}),
)


def local_function_url(aws_url: str, backend: Backend | None = None) -> str:
    """The loopback form of a ``FunctionUrl``: unchanged when its host is already
    local (LocalStack), else ``{endpoint}/_aws/lambda-url/{urlId}/`` (ministack)."""
    backend = backend or resolve_backend()
    host = urlsplit(aws_url).hostname or ""
    if _loopback_alias(host) or host in ("localhost", "127.0.0.1"):
        return aws_url
    return f"{backend.endpoint}/_aws/lambda-url/{host.split('.', 1)[0]}/"


def function_url(
    function: str,
    auth_type: str = "NONE",
    cors: Mapping | None = None,
    backend: Backend | None = None,
) -> str:
    """Give the function an HTTPS endpoint of its own (or update its auth type and
    CORS); return a URL for it that works on this machine.

    With ``auth_type="NONE"`` the URL is public, and AWS requires the resource
    policy to say so: ``lambda:InvokeFunctionUrl`` for anyone with
    ``FunctionUrlAuthType=NONE`` and ``lambda:InvokeFunction`` for anyone invoking
    via the URL. Those statements are removed again when the auth type becomes
    ``AWS_IAM``, where callers need SigV4-signed requests and IAM permission.
    """
    if auth_type not in ("NONE", "AWS_IAM"):
        raise LabError(f"auth_type must be 'NONE' or 'AWS_IAM', not {auth_type!r}.")
    backend = backend or resolve_backend()
    name = _bare_name(function)
    lam = client("lambda", backend)
    wanted: dict[str, Any] = {"AuthType": auth_type}
    if cors is not None:
        wanted["Cors"] = dict(cors)
    try:
        config = lam.get_function_url_config(FunctionName=name)
    except ClientError as err:
        if _code(err) != "ResourceNotFoundException":
            raise
        config = None
    if config is None:
        try:
            config = lam.create_function_url_config(FunctionName=name, **wanted)
        except ClientError as err:
            if _code(err) != "ResourceConflictException":
                raise
            config = lam.get_function_url_config(FunctionName=name)
    if any(config.get(k) != v for k, v in wanted.items()):
        config = lam.update_function_url_config(FunctionName=name, **wanted)
    for suffix, action, extra in _URL_PERMISSIONS:
        sid = f"{LAB_PREFIX}-{suffix}"
        if auth_type == "NONE":
            allow_invoke(name, "*", action=action, statement_id=sid, backend=backend, **extra)
        else:
            _revoke(name, sid, backend)
    return local_function_url(config["FunctionUrl"], backend)


# --- calling HTTP endpoints --------------------------------------------------------------

class HttpResponse(NamedTuple):
    """What :func:`http_call` got back; unpacks as ``status, headers, body``."""

    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect is returned to the caller, never followed to another host.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def _loopback_alias(host: str) -> bool:
    """Host names that always mean this machine but may not resolve offline."""
    host = host.lower()
    return host.endswith(".localhost") or host.endswith(".localhost.localstack.cloud")


def http_call(
    url: str,
    method: str = "GET",
    body: str | bytes | Mapping | list | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> HttpResponse:
    """Send one HTTP request to a local endpoint and return ``(status, headers, body)``.

    4xx and 5xx answers are returned, not raised, so a test or a notebook can
    show them; redirects are returned too. A dict or list ``body`` is sent as
    JSON. Only this machine is called (unless ``LAMBDA_LAB_ALLOW_REMOTE=1``), no
    proxy from the environment is used, and a ``*.localhost`` or
    ``*.localhost.localstack.cloud`` host is sent to 127.0.0.1 with its own Host
    header, so AWS-shaped host names work without DNS.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LabError(f"{url!r} is not an http(s) URL.")
    send_headers = {"User-Agent": LAB_PREFIX, **(headers or {})}
    if _loopback_alias(parts.hostname):
        send_headers.setdefault("Host", parts.netloc.rsplit("@", 1)[-1])
        netloc = "127.0.0.1" + (f":{parts.port}" if parts.port else "")
        url = urlunsplit(parts._replace(netloc=netloc))
    else:
        check_endpoint(url)
    data: bytes | None
    if isinstance(body, (Mapping, list)):
        data = json.dumps(body).encode()
        if not any(k.lower() == "content-type" for k in send_headers):
            send_headers["Content-Type"] = "application/json"
    elif isinstance(body, str):
        data = body.encode()
    else:
        data = body
    request = urllib.request.Request(url, data=data, headers=send_headers, method=method.upper())
    try:
        with _OPENER.open(request, timeout=timeout) as resp:
            return HttpResponse(resp.status, dict(resp.headers.items()), resp.read().decode(errors="replace"))
    except urllib.error.HTTPError as err:
        with err:
            return HttpResponse(err.code, dict(err.headers.items()), err.read().decode(errors="replace"))
    except (urllib.error.URLError, socket.timeout, ConnectionError) as err:
        reason = getattr(err, "reason", err)
        raise LabError(f"Nothing answered {method.upper()} {url} ({reason}); is the emulator running (`lambda-lab up`)?") from None
