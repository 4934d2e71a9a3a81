"""Handler tests run under moto's ``mock_aws``: no emulator, no network, no real credentials.

Resources are created from ``reference_app.lab.resources`` (the definitions deploy code
uses) and wired to the handlers through the environment variables listed in
``HANDLER_ENVIRONMENT``. Every handler's cached client getters are cleared around each
test, so each test's clients are created inside its own mock.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

from reference_app.lab import resources
from reference_app.lab.events import FakeLambdaContext, load_event

HANDLER_MODULES = tuple(f"reference_app.handlers.{name}" for name in resources.HANDLER_ENVIRONMENT)
REGION = "us-east-1"


def handler_modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in HANDLER_MODULES]


def clear_client_caches() -> None:
    """Forget clients/tables cached by ``functools.cache`` getters in every handler module."""
    for module in handler_modules():
        for value in vars(module).values():
            cache_clear = getattr(value, "cache_clear", None)
            if callable(cache_clear) and getattr(value, "__module__", None) == module.__name__:
                cache_clear()


def _isolate_from_developer_settings(monkeypatch: pytest.MonkeyPatch, config_path: Path) -> None:
    """Whatever the developer's shell has (AWS_PROFILE, real keys, an AWS_ENDPOINT_URL pointing
    at an emulator, ~/.aws/config, POWERTOOLS_* switches) must not leak into a test."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "POWERTOOLS_")) or name in ("USERS_TABLE", "CORS_ALLOW_ORIGIN"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config_path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(config_path))
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")


@pytest.fixture(scope="module")
def boto_session(tmp_path_factory: pytest.TempPathFactory) -> boto3.session.Session:
    """One boto3 session per test module, with its service models already loaded.

    ``mock_aws()`` normally replaces ``boto3.DEFAULT_SESSION`` on every start, and the first
    client of a fresh session spends 100-200 ms loading JSON models: most of a handler test's
    run time. Reusing one session (``reset_boto3_session: False`` below) keeps tests fast;
    clients are still created per test, inside that test's mock.
    """
    with pytest.MonkeyPatch.context() as monkeypatch:
        _isolate_from_developer_settings(monkeypatch, tmp_path_factory.mktemp("aws") / "no-config")
        session = boto3.session.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            aws_session_token="testing",
            region_name=REGION,
        )
        for service in ("dynamodb", "s3", "sqs", "sns"):
            session.client(service)
        session.resource("dynamodb")
        session.resource("s3")
    return session


@pytest.fixture(autouse=True)
def aws_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, boto_session: boto3.session.Session
) -> Iterator[None]:
    _isolate_from_developer_settings(monkeypatch, tmp_path / "no-aws-config")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "lambda-lab-tests")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", boto_session)
    clear_client_caches()
    yield
    clear_client_caches()


@pytest.fixture
def aws(aws_environment: None) -> Iterator[None]:
    with mock_aws(config={"core": {"reset_boto3_session": False}}):
        yield


@pytest.fixture
def dynamodb(aws: None) -> Any:
    return boto3.client("dynamodb")


@pytest.fixture
def s3(aws: None) -> Any:
    return boto3.client("s3")


@pytest.fixture
def sqs(aws: None) -> Any:
    return boto3.client("sqs")


@pytest.fixture
def sns(aws: None) -> Any:
    return boto3.client("sns")


@pytest.fixture
def make_table(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """``make_table("users", env="USERS_TABLE")`` -> a boto3 ``Table`` created from the shared definition."""

    def make(logical_name: str, env: str | None = None) -> Any:
        name = resources.ensure_table(dynamodb, logical_name)
        if env:
            monkeypatch.setenv(env, name)
        return boto3.resource("dynamodb").Table(name)

    return make


@pytest.fixture
def users_table(make_table: Callable[..., Any]) -> Any:
    return make_table("users", env="USERS_TABLE")


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext(function_name="lab-test-function")


@pytest.fixture
def event() -> Callable[[str], dict[str, Any]]:
    """``event("s3_put")``: a fresh copy of a bundled sample event."""
    return load_event


@pytest.fixture
def scan() -> Callable[[Any], list[dict[str, Any]]]:
    """``scan(table)``: every item of a small table."""
    return scan_all


@pytest.fixture
def drain(sqs: Any) -> Callable[[str], list[dict[str, Any]]]:
    """``drain(queue_url)``: receive and delete every message in a queue."""
    return lambda queue_url: drain_queue(sqs, queue_url)


def scan_all(table: Any) -> list[dict[str, Any]]:
    """Every item of a (small) table, following pagination."""
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {}
    while True:
        page = table.scan(**kwargs)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def drain_queue(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    """Receive (and delete) every message currently in a queue."""
    messages: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not batch:
            return messages
        messages.extend(batch)
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
        )
