"""``reset`` on an emulator a room shares: delete the learner's own resources, kind by kind.

ministack's ``/_ministack/reset`` wipes every account, so it is never called for a URL
backend. Every request of the kit there runs in the learner's own account
(:func:`reference_app.lab.config.account_id`), so listing a kind lists the learner's
resources only, and deleting what is listed deletes nothing of anyone else's.

Stacks go first (they delete what they made), then what calls functions (mappings, rules,
schedules, APIs), then functions and layers, then the stores they used, then roles.
Most kinds are one listing and one delete call (:func:`_each`); the others are small functions.
A kind the emulator does not serve is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from botocore.exceptions import BotoCoreError, ClientError

from .clients import client
from .config import Backend
from .poll import attempts


@dataclass
class Deleted:
    """What ``delete_own`` deleted, per kind, and the kinds it could not list or delete."""

    counts: dict[str, int] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __str__(self) -> str:
        done = ", ".join(f"{n} {kind}" for kind, n in self.counts.items() if n) or "nothing"
        return done + ("" if not self.problems else f" (could not clean: {', '.join(sorted(self.problems))})")


def _pages(api, operation: str, key: str, **kwargs) -> list:
    if api.can_paginate(operation):
        return [item for page in api.get_paginator(operation).paginate(**kwargs) for item in page.get(key, [])]
    return list(getattr(api, operation)(**kwargs).get(key, []))


def _each(service: str, listing: str, key: str, pick: str | None, delete: str, param: str, **fixed) -> Callable:
    """The shape of most kinds: list them all, then delete each by one identifier
    (``pick`` names it in a listed item; None when the listing gives identifiers themselves)."""

    def run(b: Backend) -> int:
        api = client(service, b)
        ids = [item if pick is None else item[pick] for item in _pages(api, listing, key)]
        for one in ids:
            getattr(api, delete)(**{param: one}, **fixed)
        return len(ids)

    return run


def _stacks(b: Backend) -> int:
    cfn = client("cloudformation", b)
    names = [
        s["StackName"]
        for s in _pages(cfn, "list_stacks", "StackSummaries")
        if s.get("StackStatus") != "DELETE_COMPLETE"
    ]
    for name in names:
        cfn.delete_stack(StackName=name)
    for _ in attempts(60, first=0.2, cap=1.0):
        left = [s for s in _pages(cfn, "list_stacks", "StackSummaries") if s.get("StackStatus") != "DELETE_COMPLETE"]
        if not left or all(s.get("StackStatus") == "DELETE_FAILED" for s in left):
            break
    return len(names)


def _rules(b: Backend) -> int:
    events = client("events", b)
    names = [r["Name"] for r in _pages(events, "list_rules", "Rules")]
    for name in names:
        targets = [t["Id"] for t in _pages(events, "list_targets_by_rule", "Targets", Rule=name)]
        if targets:
            events.remove_targets(Rule=name, Ids=targets, Force=True)
        events.delete_rule(Name=name, Force=True)
    return len(names)


def _schedules(b: Backend) -> int:
    scheduler = client("scheduler", b)
    found = _pages(scheduler, "list_schedules", "Schedules")
    for s in found:
        scheduler.delete_schedule(Name=s["Name"], GroupName=s.get("GroupName", "default"))
    return len(found)


def _layers(b: Backend) -> int:
    lam = client("lambda", b)
    count = 0
    for layer in _pages(lam, "list_layers", "Layers"):
        for version in _pages(lam, "list_layer_versions", "LayerVersions", LayerName=layer["LayerName"]):
            lam.delete_layer_version(LayerName=layer["LayerName"], VersionNumber=version["Version"])
        count += 1
    return count


def _buckets(b: Backend) -> int:
    s3 = client("s3", b)
    names = [x["Name"] for x in s3.list_buckets().get("Buckets", [])]
    for name in names:
        versions = _pages(s3, "list_object_versions", "Versions", Bucket=name)
        markers = _pages(s3, "list_object_versions", "DeleteMarkers", Bucket=name)
        keys = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions + markers if v.get("VersionId")]
        keys += [{"Key": o["Key"]} for o in _pages(s3, "list_objects_v2", "Contents", Bucket=name)]
        for start in range(0, len(keys), 1000):
            s3.delete_objects(Bucket=name, Delete={"Objects": keys[start : start + 1000], "Quiet": True})
        s3.delete_bucket(Bucket=name)
    return len(names)


def _parameters(b: Backend) -> int:
    ssm = client("ssm", b)
    names = [p["Name"] for p in _pages(ssm, "describe_parameters", "Parameters")]
    for start in range(0, len(names), 10):
        ssm.delete_parameters(Names=names[start : start + 10])
    return len(names)


def _roles(b: Backend) -> int:
    iam = client("iam", b)
    names = [r["RoleName"] for r in _pages(iam, "list_roles", "Roles") if not r.get("Path", "/").startswith("/aws-")]
    for name in names:
        for policy in _pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name):
            iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
        for policy in _pages(iam, "list_role_policies", "PolicyNames", RoleName=name):
            iam.delete_role_policy(RoleName=name, PolicyName=policy)
        iam.delete_role(RoleName=name)
    return len(names)


KINDS: dict[str, Callable[[Backend], int]] = {
    "stacks": _stacks,
    "event source mappings": _each(
        "lambda", "list_event_source_mappings", "EventSourceMappings", "UUID", "delete_event_source_mapping", "UUID"
    ),
    "rules": _rules,
    "schedules": _schedules,
    "REST APIs": _each("apigateway", "get_rest_apis", "items", "id", "delete_rest_api", "restApiId"),
    "HTTP APIs": _each("apigatewayv2", "get_apis", "Items", "ApiId", "delete_api", "ApiId"),
    "state machines": _each(
        "stepfunctions",
        "list_state_machines",
        "stateMachines",
        "stateMachineArn",
        "delete_state_machine",
        "stateMachineArn",
    ),
    "functions": _each("lambda", "list_functions", "Functions", "FunctionName", "delete_function", "FunctionName"),
    "layers": _layers,
    "topics": _each("sns", "list_topics", "Topics", "TopicArn", "delete_topic", "TopicArn"),
    "queues": _each("sqs", "list_queues", "QueueUrls", None, "delete_queue", "QueueUrl"),
    "streams": _each(
        "kinesis", "list_streams", "StreamNames", None, "delete_stream", "StreamName", EnforceConsumerDeletion=True
    ),
    "tables": _each("dynamodb", "list_tables", "TableNames", None, "delete_table", "TableName"),
    "buckets": _buckets,
    "log groups": _each("logs", "describe_log_groups", "logGroups", "logGroupName", "delete_log_group", "logGroupName"),
    "secrets": _each(
        "secretsmanager",
        "list_secrets",
        "SecretList",
        "ARN",
        "delete_secret",
        "SecretId",
        ForceDeleteWithoutRecovery=True,
    ),
    "parameters": _parameters,
    "roles": _roles,
}


def delete_own(backend: Backend) -> Deleted:
    """Delete every resource of the learner's account on ``backend``, kind by kind."""
    deleted = Deleted()
    for kind, delete in KINDS.items():
        try:
            deleted.counts[kind] = delete(backend)
        except (ClientError, BotoCoreError) as exc:
            deleted.problems[kind] = str(exc).splitlines()[0]
    return deleted
