"""Checks for correlated-logs (08_observability): JSON logs with the API Gateway request id, and an EMF metric."""

from __future__ import annotations

import contextlib
import io
import json
import time
import warnings

from ...events import load_event
from ...http import http_call
from ...lesson_helpers.observability import emf_documents, find_logs, metric_sum, publish_emf
from ...triggers import rest_api
from ..framework import CheckFailed, Context, Exercise, shown
from ._common import context

EXERCISE = Exercise("correlated-logs")


def _post(order: dict, rng=None) -> dict:
    event = load_event("apigw_rest_post_user")
    event["path"], event["body"], event["isBase64Encoded"] = "/orders", json.dumps(order), False
    if rng is not None:  # API Gateway's request id is new for every request
        event["requestContext"]["requestId"] = "-".join(rng.token(n) for n in (8, 4, 4, 4, 12))
    return event


def _order(ctx: Context) -> dict:
    return {"order_id": f"o-{ctx.rng.token(7)}", "amount_cents": ctx.rng.amount_cents()}


def _run(ctx: Context, event: dict) -> tuple[dict, list[dict]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Powertools: "No application metrics to publish" from a stub
        module = ctx.load()
        module.logger.registered_handler.stream = out  # a Powertools logger outlives the module: write here
        answer = module.lambda_handler(event, context())
    docs = []
    for line in out.getvalue().splitlines():
        with contextlib.suppress(ValueError):
            docs.append(json.loads(line))
    return answer, [d for d in docs if isinstance(d, dict)]


@EXERCISE.unit("a placed order: 201, and a JSON log line with correlation_id (the API Gateway request id) and order_id")
def logs_correlated(ctx: Context) -> None:
    order = _order(ctx)
    event = _post(order, ctx.rng)
    answer, docs = _run(ctx, event)
    if not isinstance(answer, dict) or answer.get("statusCode") != 201:
        raise CheckFailed(f"the valid order {shown(order)} should be answered 201, not {shown(answer)}.")
    try:
        body = json.loads(answer.get("body") or "null")
    except (TypeError, ValueError):
        body = None
    if body != order:
        raise CheckFailed(f"the 201's body should be the order {shown(order)}, not {shown(answer.get('body'))}.")
    wanted = event["requestContext"]["requestId"]
    lines = [d for d in docs if "_aws" not in d and d.get("level") == "INFO"]
    if not any(d.get("correlation_id") == wanted for d in lines):
        raise CheckFailed(
            f"no INFO log line carries correlation_id {wanted!r} (this request's "
            "requestContext.requestId); set it with logger.set_correlation_id(...)."
        )
    untagged = [d for d in docs if "_aws" not in d and d.get("correlation_id") != wanted]
    if untagged:
        raise CheckFailed(
            f"every log line should carry correlation_id {wanted!r}; this one does not: {shown(untagged[0], 300)}."
        )
    if not any(d.get("correlation_id") == wanted and d.get("order_id") == order["order_id"] for d in lines):
        raise CheckFailed(
            f"the order's INFO line should carry order_id {order['order_id']!r} too (logger.append_keys)."
        )
    got = (answer.get("headers") or {}).get("X-Correlation-Id")
    if got != wanted:
        raise CheckFailed(
            f"the answer should carry the correlation id {wanted!r} in an X-Correlation-Id header; it carries {got!r}."
        )


@EXERCISE.unit("a placed order: one EMF line with OrdersPlaced = 1 in the LambdaLab namespace")
def emits_metric(ctx: Context) -> None:
    _, docs = _run(ctx, _post(_order(ctx), ctx.rng))
    for doc in docs:
        for directive in (doc.get("_aws") or {}).get("CloudWatchMetrics", []):
            names = [m["Name"] for m in directive.get("Metrics", [])]
            if directive.get("Namespace") == "LambdaLab" and "OrdersPlaced" in names:
                if doc.get("OrdersPlaced") in (1, 1.0, [1.0], [1]):
                    return
                raise CheckFailed(f"OrdersPlaced should be 1 for one order, not {doc.get('OrdersPlaced')!r}.")
    raise CheckFailed(
        "no embedded-metric-format line has OrdersPlaced in the LambdaLab namespace; "
        "metrics.add_metric(name='OrdersPlaced', unit=MetricUnit.Count, value=1)."
    )


@EXERCISE.live("on the emulator, through API Gateway: the lines found again by the correlation id, and the metric")
def live(ctx: Context) -> None:
    dep = ctx.deploy()
    url = rest_api(dep.name, dep.arn) + "orders"
    since_ms, since = int(time.time() * 1000), time.time()
    order_id = f"o-{ctx.run_id}-{ctx.rng.token(4)}"
    order = {"order_id": order_id, "amount_cents": ctx.rng.amount_cents()}
    answer = http_call(url, "POST", order)
    if answer.status != 201:
        raise CheckFailed(f"POST /orders with {shown(order)} answered {answer.status}: {shown(answer.body, 300)}")
    correlation = {k.lower(): v for k, v in answer.headers.items()}.get("x-correlation-id", "")
    found = find_logs(dep.name, correlation, since_ms) if correlation else None
    if found is None or found.empty or order_id not in set(found["order_id"]):
        raise CheckFailed(f"no log line of order {order_id} was found by its correlation id {correlation!r}.")
    publish_emf(emf_documents(dep.name, since_ms))  # what CloudWatch Logs does with EMF lines on AWS
    if metric_sum("LambdaLab", "OrdersPlaced", {"service": "orders"}, since) < 1:
        raise CheckFailed("the OrdersPlaced metric has no data point for the order just placed.")
