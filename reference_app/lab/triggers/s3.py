"""S3 event notifications that invoke a function."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .. import resources
from ..clients import client
from ..config import Backend, resolve_backend
from .permissions import LAB_PREFIX, allow_invoke, arn_parts, bare_name, digest, resolve_function_arn


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
    _, account = arn_parts(target)
    # S3 checks the permission when the configuration is written, so it comes first.
    allow_invoke(target, "s3.amazonaws.com", f"arn:aws:s3:::{bucket}", source_account=account, backend=backend)

    entry: dict[str, Any] = {
        "Id": f"{LAB_PREFIX}-{bare_name(target)}-{digest(prefix, suffix, length=8)}",
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
