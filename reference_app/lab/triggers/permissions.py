"""Names, ARNs and resource-based permissions shared by every trigger family.

Push sources (S3, SNS, EventBridge, API Gateway, function URLs) call the
function themselves, so the *function's resource-based policy* must allow that
service, scoped to the one bucket, topic, rule or API: :func:`allow_invoke`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from botocore.exceptions import ClientError

from ..clients import client
from ..config import Backend
from ..errors import LabError, aws_code, aws_message
from ..poll import attempts

LAB_PREFIX = "lambda-lab"


def digest(*parts: object, length: int = 12) -> str:
    """A short stable id derived from ``parts`` (statement ids, configuration ids)."""
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:length]


def resolve_function_arn(function: str, backend: Backend | None = None) -> str:
    """The ARN of ``function`` (a name or an ARN) as Lambda reports it."""
    if function.startswith("arn:"):
        return function
    try:
        return client("lambda", backend).get_function_configuration(FunctionName=function)["FunctionArn"]
    except ClientError as err:
        if aws_code(err) == "ResourceNotFoundException":
            raise LabError(f"There is no function named {function!r}; deploy it first.") from None
        raise


def bare_name(function: str) -> str:
    """The bare name in a function ARN (``arn:aws:lambda:…:function:NAME[:qualifier]``), or ``function``."""
    parts = function.split(":")
    return parts[6] if function.startswith("arn:") and len(parts) >= 7 else function


def arn_parts(arn: str) -> tuple[str, str]:
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
        statement_id = f"{LAB_PREFIX}-{who}-{digest(action, source_arn, sorted(extra.items()))}"
    request: dict[str, Any] = {
        "FunctionName": function,
        "StatementId": statement_id,
        "Action": action,
        "Principal": principal,
        **extra,
    }
    if source_arn:
        request["SourceArn"] = source_arn
    if source_account:
        request["SourceAccount"] = source_account
    for _ in attempts(deadline_s=8, first=0.5, cap=2.0):
        try:
            lam.add_permission(**request)
            return statement_id
        except ClientError as err:
            if aws_code(err) != "ResourceConflictException":
                raise
            if "already exists" in aws_message(err):
                return statement_id
            # "An update is in progress for resource": wait for it, then try again.
    raise LabError(f"Could not add permission {statement_id} to {function}: it kept being updated.")


def revoke(function: str, statement_id: str, backend: Backend | None = None) -> None:
    """Remove one statement from the function's resource-based policy, if it is there."""
    try:
        client("lambda", backend).remove_permission(FunctionName=function, StatementId=statement_id)
    except ClientError as err:
        if aws_code(err) != "ResourceNotFoundException":
            raise
