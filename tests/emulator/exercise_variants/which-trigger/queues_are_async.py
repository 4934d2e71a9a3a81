# WRONG VARIANT (calls queues and streams asynchronous: they are polled by an event source mapping): the grader must fail it.
"""Exercise which-trigger (01_architecture): name the trigger and its invocation model from the event alone.

A Lambda function never learns who invoked it except through the shape of the event. This
one is wired to several triggers at once (the seed wires its single function to API Gateway,
S3 and a DynamoDB stream), so it must tell them apart before it can do anything useful.

Write ``identify(event)``. It returns ``(source, model)``, where ``source`` is one of
``"apigateway-rest"`` (API Gateway REST API, payload format 1.0), ``"apigateway-http"``
(HTTP API or function URL, payload format 2.0), ``"s3"``, ``"sns"``, ``"eventbridge"``,
``"sqs"``, ``"dynamodb"``, ``"kinesis"``, or ``"unknown"`` for anything else (a direct invoke
with your own payload), and ``model`` is how that source invokes a function:
``"synchronous"``, ``"asynchronous"``, ``"event source mapping"``, or ``"unknown"``.

``lab.load_event("s3_put")`` (and ``lab.list_events()``) give you every shape to look at.
``lambda_handler`` (given) logs the answer and replies in the form each trigger expects.
Check your work with ``lab.check("which-trigger")``.
"""

from __future__ import annotations

import json
from typing import Any

REQUIREMENTS = ()


def identify(event: Any) -> tuple[str, str]:
    # BEGIN SOLUTION hint="Look at the top-level keys first (httpMethod, version + requestContext.http, detail-type), then at Records[0]: eventSource for S3, SQS, DynamoDB and Kinesis, but EventSource for SNS. Map each source to the model its service uses to invoke a function."
    models = {
        "apigateway-rest": "synchronous",
        "apigateway-http": "synchronous",
        "s3": "asynchronous",
        "sns": "asynchronous",
        "eventbridge": "asynchronous",
        "sqs": "asynchronous",
        "dynamodb": "asynchronous",
        "kinesis": "asynchronous",
    }
    source = "unknown"
    if isinstance(event, dict):
        records = event.get("Records")
        first = records[0] if isinstance(records, list) and records and isinstance(records[0], dict) else {}
        if "httpMethod" in event:
            source = "apigateway-rest"
        elif event.get("version") == "2.0" and "http" in (event.get("requestContext") or {}):
            source = "apigateway-http"
        elif "detail-type" in event and "source" in event:
            source = "eventbridge"
        elif first.get("EventSource") == "aws:sns":  # SNS capitalises the key
            source = "sns"
        else:
            source = {"aws:s3": "s3", "aws:sqs": "sqs", "aws:dynamodb": "dynamodb", "aws:kinesis": "kinesis"}.get(
                first.get("eventSource"), "unknown"
            )
    return source, models.get(source, "unknown")
    # END SOLUTION


def lambda_handler(event: Any, context: Any) -> dict:
    source, model = identify(event)
    print(json.dumps({"level": "INFO", "message": "identified", "source": source, "model": model}))
    if source in ("apigateway-rest", "apigateway-http"):
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
                "body": json.dumps({"source": source, "model": model})}
    if model == "event source mapping":
        return {"batchItemFailures": []}
    return {"source": source, "model": model}
