"""Who may invoke the function and what lets it read its source: its resource-based policy, the execution role's
managed policies, an event source mapping's settings.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from ...clients import client
from ...deploy import EXECUTION_ROLE
from ...errors import aws_code


def policy(function: str, principal: str | None = None):
    """The function's resource-based policy as a table (optionally only one principal's statements)."""
    import pandas as pd

    try:
        document = json.loads(client("lambda").get_policy(FunctionName=function)["Policy"])
    except ClientError as err:
        if aws_code(err) != "ResourceNotFoundException":
            raise
        document = {"Statement": []}
    rows = []
    for statement in document["Statement"]:
        who = statement.get("Principal")
        who = who.get("Service", who.get("AWS")) if isinstance(who, dict) else who
        if principal is not None and who != principal:
            continue
        condition = statement.get("Condition", {})
        flat = {f"{op}:{key}": value for op, pairs in condition.items() for key, value in pairs.items()}
        rows.append(
            {
                "Sid": statement.get("Sid"),
                "Principal": who,
                "Action": statement.get("Action"),
                "SourceArn": flat.pop("ArnLike:AWS:SourceArn", None) or flat.pop("ArnEquals:AWS:SourceArn", None),
                "SourceAccount": flat.pop("StringEquals:AWS:SourceAccount", None),
                "other conditions": json.dumps(flat) if flat else "",
            }
        )
    return pd.DataFrame(rows, columns=["Sid", "Principal", "Action", "SourceArn", "SourceAccount", "other conditions"])


def attached_policies(role: str = EXECUTION_ROLE) -> list[str]:
    """The managed policies attached to the execution role (what lets a mapping read its source)."""
    pages = client("iam").get_paginator("list_attached_role_policies").paginate(RoleName=role)
    return sorted(p["PolicyName"] for page in pages for p in page["AttachedPolicies"])


def mapping_settings(function: str, source_arn: str) -> dict[str, Any]:
    """The event source mapping's settings that decide batching and retries."""
    mappings = client("lambda").list_event_source_mappings(FunctionName=function, EventSourceArn=source_arn)
    mapping = mappings["EventSourceMappings"][0]
    keys = (
        "BatchSize",
        "MaximumBatchingWindowInSeconds",
        "StartingPosition",
        "MaximumRetryAttempts",
        "MaximumRecordAgeInSeconds",
        "BisectBatchOnFunctionError",
        "FunctionResponseTypes",
        "FilterCriteria",
        "State",
    )
    return {k: mapping[k] for k in keys if k in mapping}
