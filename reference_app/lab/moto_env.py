"""moto's AWS, with the learner's and the kit's AWS settings out of the way.

The grader's unit checks (:mod:`.grader`) and a lesson cell that calls a handler's pure core
before anything is deployed (:mod:`.lesson_helpers.handler_anatomy`) both run here: no
profile, no endpoint URL, dummy credentials, ``us-east-1``; the tables, buckets and queues
come from the same definitions the deploy code uses (:mod:`.resources`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import boto3

from . import resources as definitions
from .errors import LabError


@contextmanager
def isolated_aws(env: dict[str, str]) -> Iterator[None]:
    """moto's ``mock_aws`` with the learner's and the kit's AWS settings out of the way:
    no profile, no endpoint URL, dummy credentials, us-east-1, plus ``env``."""
    from moto import mock_aws  # moto costs ~1 s to import: only a unit check or a lesson cell pays it

    saved = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
    for key in saved:
        del os.environ[key]
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    previous = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with mock_aws():
            yield
    finally:
        for key in [k for k in os.environ if k.startswith("AWS_")]:
            del os.environ[key]
        os.environ.update(saved)
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def moto_resources(resources: dict[str, tuple[str, str]], env: dict[str, str]) -> None:
    """Create the exercise's tables, buckets and queues inside the current mock."""
    for var, (kind, logical) in resources.items():
        if kind == "table":
            definitions.ensure_table(boto3.client("dynamodb", region_name="us-east-1"), logical, env[var])
        elif kind == "bucket":
            definitions.ensure_bucket(boto3.client("s3", region_name="us-east-1"), env[var])
        elif kind == "queue":
            boto3.client("sqs", region_name="us-east-1").create_queue(QueueName=env[var])
        else:
            raise LabError(f"Unknown resource kind {kind!r} in an exercise definition.")
