"""checkout_api: JSON log lines with the correlation id, EMF metrics, status codes (no AWS calls)."""

from __future__ import annotations

import importlib
import io
import json
import logging
import sys

import pytest

from reference_app.lab.events import load_event


@pytest.fixture
def checkout(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    module = importlib.import_module("reference_app.handlers.checkout_api")
    module.logger.registered_handler.stream = sys.stdout  # the logger outlives a test: write to this one's stdout
    return module


@pytest.fixture
def log_lines(checkout):
    """The JSON lines the Logger writes during the test, as Lambda's log would hold them."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(checkout.logger.registered_formatter)
    checkout.logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    checkout.logger.removeHandler(handler)


def _post(body) -> dict:
    event = load_event("apigw_rest_post_user")
    event["path"] = event["requestContext"]["path"] = "/orders"
    event["body"] = body if isinstance(body, str) else json.dumps(body)
    event["isBase64Encoded"] = False
    return event


def _lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def test_a_placed_order_logs_with_the_correlation_id_and_emits_emf(checkout, log_lines, capsys, lambda_context):
    event = _post({"order_id": "o-1", "amount_cents": 1299})
    answer = checkout.lambda_handler(event, lambda_context)
    assert answer["statusCode"] == 201 and json.loads(answer["body"])["status"] == "placed"
    lines = _lines(capsys)
    placed = next(line for line in log_lines() if line.get("message") == "order placed")
    assert placed["correlation_id"] == event["requestContext"]["requestId"]
    assert placed["order_id"] == "o-1" and placed["function_request_id"] == lambda_context.aws_request_id
    emf = [line for line in lines if "_aws" in line]
    names = {m["Name"] for doc in emf for d in doc["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}
    assert {"OrdersPlaced", "OrderValue"} <= names
    assert all(d["Namespace"] == "LambdaLab" for doc in emf for d in doc["_aws"]["CloudWatchMetrics"])


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("not json", 400),
        ({"order_id": "o-2", "amount_cents": -1}, 400),
        ({"order_id": "o-3", "amount_cents": 500_000}, 402),
    ],
)
def test_bad_and_declined_orders_are_answered_not_raised(checkout, lambda_context, body, status):
    assert checkout.lambda_handler(_post(body), lambda_context)["statusCode"] == status


def test_a_crash_order_raises_so_lambda_counts_an_error(checkout, lambda_context):
    with pytest.raises(RuntimeError, match="did not answer"):
        checkout.lambda_handler(_post({"order_id": "crash-1", "amount_cents": 10}), lambda_context)
