"""Checkout API: structured logs with a correlation id, metrics in embedded metric format, and tracing.

Trigger: API Gateway REST (payload 1.0), ``POST /orders`` with ``{"order_id": "o-1", "amount_cents": 1299}``.

Environment:
    ``POWERTOOLS_SERVICE_NAME`` optional, default ``checkout``: the ``service`` of every log line and metric.
    ``POWERTOOLS_METRICS_NAMESPACE`` optional, default ``LambdaLab``: the metrics' namespace.
    ``POWERTOOLS_TRACE_DISABLED`` ``true`` where no X-Ray daemon listens (the embedded emulator): the
    Tracer's decorators then cost nothing and send nothing.

Notebooks: 08_observability.

Powertools ``Logger`` writes one JSON object per line, with the Lambda context (function name,
request id, cold start) injected, and the API Gateway request id as ``correlation_id``, which the
client also gets back (``X-Correlation-Id``), so support can find every line of one request.
``Metrics`` writes CloudWatch embedded metric format: ``OrdersPlaced``, ``OrderValue``,
``OrdersDeclined`` and ``OrdersRefused`` leave the function as log lines, with no ``PutMetricData`` call on the request
path. ``Tracer`` records a subsegment for ``place_order`` when X-Ray is there. Answers: 201 placed,
400 bad request, 402 declined (over ``CHARGE_LIMIT_CENTS``); an order whose ``order_id`` starts with
``crash-`` raises, as a downstream outage would: the invocation fails (API Gateway answers 502), and
Lambda counts it in its ``Errors`` metric.
"""

from __future__ import annotations

import json
import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit

REQUIREMENTS = ("aws-lambda-powertools", "aws-xray-sdk")

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "checkout")
CHARGE_LIMIT_CENTS = 100_000
logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "LambdaLab"), service=SERVICE)


class BadOrder(ValueError):
    """The request cannot be an order: 400."""


class PaymentDeclined(Exception):
    """The order is valid but the charge is refused: 402."""


def parse_order(body: str | None) -> dict:
    try:
        order = json.loads(body or "")
    except ValueError:
        raise BadOrder("the body is not JSON") from None
    if not isinstance(order, dict) or not isinstance(order.get("order_id"), str) or not order["order_id"]:
        raise BadOrder("order_id must be a non-empty string")
    amount = order.get("amount_cents")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise BadOrder("amount_cents must be a positive integer")
    return {"order_id": order["order_id"], "amount_cents": amount}


@tracer.capture_method
def place_order(order: dict) -> dict:
    tracer.put_annotation(key="order_id", value=order["order_id"])
    if order["order_id"].startswith("crash-"):
        raise RuntimeError("the payment provider did not answer")
    if order["amount_cents"] > CHARGE_LIMIT_CENTS:
        raise PaymentDeclined(f"{order['amount_cents']} cents is over the limit")
    metrics.add_metric(name="OrdersPlaced", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="OrderValue", unit=MetricUnit.Count, value=order["amount_cents"])
    return {**order, "status": "placed"}


def _answer(status: int, body: dict) -> dict:
    # The correlation id goes back to the client, so a support ticket can quote it.
    headers = {"Content-Type": "application/json", "X-Correlation-Id": logger.get_correlation_id() or ""}
    return {"statusCode": status, "headers": headers, "body": json.dumps(body)}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict, context) -> dict:
    try:
        order = parse_order(event.get("body"))
    except BadOrder as exc:
        metrics.add_metric(name="OrdersRefused", unit=MetricUnit.Count, value=1)
        logger.warning("order refused", extra={"reason": str(exc)})
        return _answer(400, {"error": str(exc)})
    logger.append_keys(order_id=order["order_id"])
    try:
        placed = place_order(order)
    except PaymentDeclined as exc:
        metrics.add_metric(name="OrdersDeclined", unit=MetricUnit.Count, value=1)
        logger.info("payment declined", extra={"reason": str(exc)})
        return _answer(402, {"error": "payment declined"})
    logger.info("order placed", extra={"amount_cents": order["amount_cents"]})
    return _answer(201, placed)
