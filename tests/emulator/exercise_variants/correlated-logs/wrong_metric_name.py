"""Exercise correlated-logs (08_observability): structured logs with a correlation id, and a metric in EMF.

``POST /orders`` behind API Gateway (REST, payload 1.0) places an order, ``{"order_id": "o-1",
"amount_cents": 1299}``. ``parse_order`` (given) checks it. The Powertools ``Logger`` already adds the
Lambda context to every line (``inject_lambda_context``), and ``Metrics`` flushes whatever metrics
the handler adds as one embedded-metric-format line (``log_metrics``).

Write the handler so that:

* every log line carries the API Gateway request id (``requestContext.requestId``) as
  ``correlation_id``, and, once the order is parsed, its ``order_id``;
* a placed order logs one INFO line and adds the metric ``OrdersPlaced`` (count 1) in the
  ``LambdaLab`` namespace;
* the answer is ``201`` with the order, and an ``X-Correlation-Id`` header carrying the id, so a client
  can quote it.

Check your work with ``lab.check("correlated-logs")``: it reads the lines back from CloudWatch Logs by
that id, and the metric from CloudWatch.
"""

from __future__ import annotations

import json

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

REQUIREMENTS = ("aws-lambda-powertools",)

logger = Logger(service="orders")
metrics = Metrics(namespace="LambdaLab", service="orders")


def parse_order(body: str | None) -> dict:
    """The order in a request body (given): ValueError when it is not one."""
    order = json.loads(body or "null")
    if not isinstance(order, dict) or not isinstance(order.get("order_id"), str):
        raise ValueError("an order is a JSON object with an order_id")
    if not isinstance(order.get("amount_cents"), int) or order["amount_cents"] <= 0:
        raise ValueError("amount_cents must be a positive integer")
    return {"order_id": order["order_id"], "amount_cents": order["amount_cents"]}


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context) -> dict:
    logger.set_correlation_id(event["requestContext"]["requestId"])
    order = parse_order(event.get("body"))
    logger.append_keys(order_id=order["order_id"])
    logger.info("order placed", extra={"amount_cents": order["amount_cents"]})
    metrics.add_metric(name="OrderPlaced", unit=MetricUnit.Count, value=1)  # wrong name
    headers = {"Content-Type": "application/json", "X-Correlation-Id": logger.get_correlation_id()}
    return {"statusCode": 201, "headers": headers, "body": json.dumps(order)}
