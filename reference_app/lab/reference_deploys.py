"""Deploy the reference handlers with everything they need, in one call each.

``deploy_handler("users_api")`` creates the tables, buckets, topics and queues
that :data:`reference_app.lab.resources.HANDLER_ENVIRONMENT` says the handler
reads, then deploys it with those names in its environment. ``order_saga_state_machine``
turns ``order_saga.asl.json`` into a Step Functions state machine. Both are
idempotent, like everything in the lab tooling.
"""

from __future__ import annotations

import json
from importlib import resources as importlib_resources
from typing import Any

from botocore.exceptions import ClientError

from . import resources
from .clients import arn, client
from .config import Backend, resolve_backend
from .deploy import Deployment, deploy_function, ensure_role
from .errors import UnknownName, aws_code


def ensure_topic(name: str, backend: Backend | None = None) -> str:
    """The ARN of SNS topic ``name`` (CreateTopic is idempotent)."""
    return client("sns", backend).create_topic(Name=name)["TopicArn"]


def ensure_queue(name: str, backend: Backend | None = None, **attributes: str) -> str:
    """The URL of SQS queue ``name``, created with ``attributes`` if missing."""
    sqs = client("sqs", backend)
    try:
        return sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except ClientError as err:
        if aws_code(err) not in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
            raise
    return sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]


def ensure_resource(
    kind: str, logical: str, backend: Backend | None = None, prefix: str = resources.NAME_PREFIX
) -> str:
    """Create the resource a handler's variable names; return the value the variable holds."""
    name = f"{prefix}{logical}"
    if kind == "table":
        return resources.ensure_table(client("dynamodb", backend), logical, name)
    if kind == "bucket":
        return resources.ensure_bucket(client("s3", backend), name)
    if kind == "topic":
        return ensure_topic(name, backend)
    if kind == "queue":
        return ensure_queue(name, backend)
    raise UnknownName("resource kind", kind, ("table", "bucket", "topic", "queue"))


def handler_names() -> list[str]:
    """The reference handlers ``deploy_handler`` knows (modules of ``reference_app.handlers``)."""
    folder = importlib_resources.files("reference_app.handlers")
    return sorted(e.name[:-3] for e in folder.iterdir() if e.name.endswith(".py") and not e.name.startswith("_"))


def handler_environment(
    handler: str, backend: Backend | None = None, prefix: str = resources.NAME_PREFIX
) -> dict[str, str]:
    """The environment ``handler`` needs, with every resource it names created."""
    wiring = resources.HANDLER_ENVIRONMENT.get(handler, {})
    return {var: ensure_resource(kind, logical, backend, prefix) for var, (kind, logical) in wiring.items()}


def deploy_handler(
    handler: str,
    name: str | None = None,
    *,
    environment: dict[str, str] | None = None,
    prefix: str = resources.NAME_PREFIX,
    backend: Backend | None = None,
    **kwargs: Any,
) -> Deployment:
    """Create the handler's resources and deploy ``reference_app.handlers.<handler>``.

    ``name`` defaults to ``lab-<handler>`` (dashes for underscores); ``prefix``
    names the resources (``lab-users`` …), so a test can keep its own set.
    ``environment`` adds or overrides variables; ``kwargs`` go to
    :func:`~reference_app.lab.deploy.deploy_function`.
    """
    if handler not in handler_names():
        raise UnknownName("reference handler", handler, handler_names())
    backend = backend or resolve_backend()
    env = handler_environment(handler, backend, prefix)
    env.update(environment or {})
    function = name or f"lab-{handler.replace('_', '-')}"
    return deploy_function(function, f"reference_app.handlers.{handler}", environment=env, backend=backend, **kwargs)


_STATES_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def order_saga_definition(function_arns: dict[str, str] | str) -> str:
    """``order_saga.asl.json`` with its ``${...FunctionArn}`` placeholders filled in:
    one ARN for all five steps, or a dict by placeholder name."""
    from reference_app.handlers import order_saga

    text = importlib_resources.files("reference_app.handlers").joinpath("order_saga.asl.json").read_text()
    arns = (
        function_arns if isinstance(function_arns, dict) else dict.fromkeys(order_saga.ASL_PLACEHOLDERS, function_arns)
    )
    for placeholder, value in arns.items():
        text = text.replace(f"${{{placeholder}}}", value)
    if "${" in text:
        raise ValueError(f"order_saga.asl.json still has a placeholder: {text[text.index('${') :][:40]}")
    return text


def order_saga_state_machine(
    function_arns: dict[str, str] | str, name: str = "lab-order-saga", backend: Backend | None = None
) -> str:
    """Create or update the saga's state machine; return its ARN."""
    return ensure_state_machine(name, order_saga_definition(function_arns), backend)


def ensure_state_machine(name: str, definition: str, backend: Backend | None = None) -> str:
    """Create or update a state machine with this definition (the kit's Step Functions role); its ARN."""
    sfn = client("stepfunctions", backend)
    role = ensure_role("lambda-lab-states", backend=backend, trust_policy=_STATES_TRUST)
    machine_arn = arn("states", f"stateMachine:{name}", backend)
    try:
        current = sfn.describe_state_machine(stateMachineArn=machine_arn)
    except ClientError as err:
        if aws_code(err) != "StateMachineDoesNotExist":
            raise
        return sfn.create_state_machine(name=name, definition=definition, roleArn=role)["stateMachineArn"]
    if json.loads(current["definition"]) != json.loads(definition):
        sfn.update_state_machine(stateMachineArn=machine_arn, definition=definition, roleArn=role)
    return machine_arn
