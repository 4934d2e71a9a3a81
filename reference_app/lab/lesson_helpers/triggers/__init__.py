"""04_triggers: wire each trigger to ``event_logger`` and read back what arrived.

Every section of the lesson deploys ``event_logger`` under a name of its own (``lab-04-s3``,
``lab-04-stream`` ...), wires one trigger with the kit's idempotent helpers
(:mod:`reference_app.lab.triggers`), fires it, and reads the event the function logged.
This package holds the small pieces that keep those cells short, one module per thing a reader looks for:

* :mod:`.arrivals`: waiting for the events a function received (:func:`received`,
  :func:`received_records`) and flattening an event into a table (:func:`shape`);
* :mod:`.permissions`: the function's resource-based policy as a table (:func:`policy`), the execution
  role's managed policies, an event source mapping's settings;
* :mod:`.s3_http`: S3 object keys as the event carries them, API Gateway's payload formats side by side;
* :mod:`.streams`: tables with a DynamoDB stream of a chosen view type, a Kinesis data stream;
* :mod:`.messaging`: SQS queues with a dead-letter queue, SNS-to-SQS fan-out with the queue policy SNS needs;
* :mod:`.eventbridge`: the scheduled event EventBridge would send, and what the scheduled function wrote.
"""

from __future__ import annotations

from ..common import new_run_id as new_run_id  # re-exported for the lesson
from ..common import now_ms as now_ms  # re-exported: lessons mark the start of a step with it
from ..common import queue_depth as queue_depth  # re-exported for the lesson
from .arrivals import deploy_logger, event_table, mentions, received, received_records, records, shape
from .eventbridge import invoke_async, report_key, rule_and_targets, scheduled_event, wait_for_object
from .messaging import (
    drain,
    fan_out,
    queue_arn,
    queue_settings,
    queue_with_dlq,
    sns_message,
    sqs_deliveries,
    subscriptions,
)
from .permissions import attached_policies, mapping_settings, policy
from .s3_http import http_events, s3_keys
from .streams import (
    base64_text,
    ensure_stream,
    ensure_stream_table,
    insert_modify_remove,
    kinesis_records,
    stream_records,
)

PREFIX = "lab-04-"

__all__ = [
    "PREFIX",
    "attached_policies",
    "base64_text",
    "deploy_logger",
    "drain",
    "ensure_stream",
    "ensure_stream_table",
    "event_table",
    "fan_out",
    "http_events",
    "insert_modify_remove",
    "invoke_async",
    "kinesis_records",
    "mapping_settings",
    "mentions",
    "new_run_id",
    "now_ms",
    "policy",
    "queue_arn",
    "queue_depth",
    "queue_settings",
    "queue_with_dlq",
    "received",
    "received_records",
    "records",
    "report_key",
    "rule_and_targets",
    "s3_keys",
    "scheduled_event",
    "shape",
    "sns_message",
    "sqs_deliveries",
    "stream_records",
    "subscriptions",
    "wait_for_object",
]
