"""``reset`` on an emulator a room shares: delete the learner's own resources, kind by kind.

ministack's ``/_ministack/reset`` wipes every account, so it is never called for a URL
backend. Every request of the kit there runs in the learner's own account
(:func:`reference_app.lab.config.account_id`), so listing a kind lists the learner's
resources only, and deleting what is listed deletes nothing of anyone else's.

Stacks go first (they delete what they made), then what calls functions (mappings, rules,
schedules, APIs), then functions and layers, then the stores they used, then roles.
Each kind is one small function: a kind the emulator does not serve is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from botocore.exceptions import BotoCoreError, ClientError

from ..clients import client
from ..config import Backend
from ..poll import attempts


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


def _stacks(b: Backend) -> int:
    cfn = client("cloudformation", b)
    names = [s["StackName"] for s in _pages(cfn, "list_stacks", "StackSummaries")
             if s.get("StackStatus") != "DELETE_COMPLETE"]
    for name in names:
        cfn.delete_stack(StackName=name)
    for _ in attempts(60, first=0.2, cap=1.0):
        left = [s for s in _pages(cfn, "list_stacks", "StackSummaries") if s.get("StackStatus") != "DELETE_COMPLETE"]
        if not left or all(s.get("StackStatus") == "DELETE_FAILED" for s in left):
            break
    return len(names)


def _mappings(b: Backend) -> int:
    lam = client("lambda", b)
    ids = [m["UUID"] for m in _pages(lam, "list_event_source_mappings", "EventSourceMappings")]
    for uuid in ids:
        lam.delete_event_source_mapping(UUID=uuid)
    return len(ids)


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


def _rest_apis(b: Backend) -> int:
    api = client("apigateway", b)
    ids = [a["id"] for a in _pages(api, "get_rest_apis", "items")]
    for api_id in ids:
        api.delete_rest_api(restApiId=api_id)
    return len(ids)


def _http_apis(b: Backend) -> int:
    api = client("apigatewayv2", b)
    ids = [a["ApiId"] for a in _pages(api, "get_apis", "Items")]
    for api_id in ids:
        api.delete_api(ApiId=api_id)
    return len(ids)


def _state_machines(b: Backend) -> int:
    sfn = client("stepfunctions", b)
    arns = [m["stateMachineArn"] for m in _pages(sfn, "list_state_machines", "stateMachines")]
    for arn in arns:
        sfn.delete_state_machine(stateMachineArn=arn)
    return len(arns)


def _functions(b: Backend) -> int:
    lam = client("lambda", b)
    names = [f["FunctionName"] for f in _pages(lam, "list_functions", "Functions")]
    for name in names:
        lam.delete_function(FunctionName=name)
    return len(names)


def _layers(b: Backend) -> int:
    lam = client("lambda", b)
    count = 0
    for layer in _pages(lam, "list_layers", "Layers"):
        for version in _pages(lam, "list_layer_versions", "LayerVersions", LayerName=layer["LayerName"]):
            lam.delete_layer_version(LayerName=layer["LayerName"], VersionNumber=version["Version"])
        count += 1
    return count


def _topics(b: Backend) -> int:
    sns = client("sns", b)
    arns = [t["TopicArn"] for t in _pages(sns, "list_topics", "Topics")]
    for arn in arns:
        sns.delete_topic(TopicArn=arn)
    return len(arns)


def _queues(b: Backend) -> int:
    sqs = client("sqs", b)
    urls = list(sqs.list_queues().get("QueueUrls", []))
    for url in urls:
        sqs.delete_queue(QueueUrl=url)
    return len(urls)


def _streams(b: Backend) -> int:
    kinesis = client("kinesis", b)
    names = _pages(kinesis, "list_streams", "StreamNames")
    for name in names:
        kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
    return len(names)


def _tables(b: Backend) -> int:
    ddb = client("dynamodb", b)
    names = _pages(ddb, "list_tables", "TableNames")
    for name in names:
        ddb.delete_table(TableName=name)
    return len(names)


def _buckets(b: Backend) -> int:
    s3 = client("s3", b)
    names = [x["Name"] for x in s3.list_buckets().get("Buckets", [])]
    for name in names:
        versions = _pages(s3, "list_object_versions", "Versions", Bucket=name)
        markers = _pages(s3, "list_object_versions", "DeleteMarkers", Bucket=name)
        keys = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions + markers if v.get("VersionId")]
        keys += [{"Key": o["Key"]} for o in _pages(s3, "list_objects_v2", "Contents", Bucket=name)]
        for start in range(0, len(keys), 1000):
            s3.delete_objects(Bucket=name, Delete={"Objects": keys[start:start + 1000], "Quiet": True})
        s3.delete_bucket(Bucket=name)
    return len(names)


def _log_groups(b: Backend) -> int:
    logs = client("logs", b)
    names = [g["logGroupName"] for g in _pages(logs, "describe_log_groups", "logGroups")]
    for name in names:
        logs.delete_log_group(logGroupName=name)
    return len(names)


def _secrets(b: Backend) -> int:
    sm = client("secretsmanager", b)
    arns = [s["ARN"] for s in _pages(sm, "list_secrets", "SecretList")]
    for arn in arns:
        sm.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
    return len(arns)


def _parameters(b: Backend) -> int:
    ssm = client("ssm", b)
    names = [p["Name"] for p in _pages(ssm, "describe_parameters", "Parameters")]
    for start in range(0, len(names), 10):
        ssm.delete_parameters(Names=names[start:start + 10])
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
    "event source mappings": _mappings,
    "rules": _rules,
    "schedules": _schedules,
    "REST APIs": _rest_apis,
    "HTTP APIs": _http_apis,
    "state machines": _state_machines,
    "functions": _functions,
    "layers": _layers,
    "topics": _topics,
    "queues": _queues,
    "streams": _streams,
    "tables": _tables,
    "buckets": _buckets,
    "log groups": _log_groups,
    "secrets": _secrets,
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
