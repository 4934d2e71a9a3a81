"""Resource definitions shared by the handler tests, the deploy code and the notebooks.

Pure data plus two idempotent helpers. Nothing here creates a boto3 client: callers pass
one in (the lab's client factory against the emulator, or a moto-patched client in tests),
so the same definitions are used everywhere a table or bucket is made.

- ``TABLES``: logical table name -> ``create_table`` keyword arguments (without ``TableName``).
- ``TTL_ATTRIBUTES``: logical table name -> attribute that DynamoDB TTL should expire on.
- ``HANDLER_ENVIRONMENT``: handler module -> the environment variables it reads and the
  logical resource each one names, so deploy code and tests wire handlers the same way.
- ``ensure_table`` / ``ensure_bucket``: create if missing, wait until usable, return the name.
"""

from __future__ import annotations

import copy
from typing import Any, Final

from botocore.exceptions import ClientError

from .errors import UnknownName, aws_code

#: Prefix for physical names derived from logical ones (``users`` -> ``lab-users``).
NAME_PREFIX: Final = "lab-"

TABLES: Final[dict[str, dict[str, Any]]] = {
    # users_api / users_api_powertools / scheduled_report. The stream feeds stream_processor.
    "users": {
        "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "user_id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    },
    # s3_processor: one item per object, keyed by where it lives.
    "results": {
        "KeySchema": [
            {"AttributeName": "bucket", "KeyType": "HASH"},
            {"AttributeName": "object_key", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": "bucket", "AttributeType": "S"},
            {"AttributeName": "object_key", "AttributeType": "S"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
    },
    # stream_processor: the history of one item, ordered by the (zero-padded) stream sequence number.
    "audit": {
        "KeySchema": [
            {"AttributeName": "entity_id", "KeyType": "HASH"},
            {"AttributeName": "sequence_number", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": "entity_id", "AttributeType": "S"},
            {"AttributeName": "sequence_number", "AttributeType": "S"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
    },
    # queue_worker: Powertools idempotency store. Partition key must be ``id`` (the
    # DynamoDBPersistenceLayer default); records expire through TTL on ``expiration``.
    "idempotency": {
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    },
    # queue_worker: one item per order.
    "orders": {
        "KeySchema": [{"AttributeName": "order_id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "order_id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    },
    # notifier: one item per SNS message id (redelivery overwrites, never duplicates).
    "notifications": {
        "KeySchema": [{"AttributeName": "message_id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "message_id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    },
    # order_saga: the state of each order's saga (reservation, payment, shipment).
    "saga": {
        "KeySchema": [{"AttributeName": "order_id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "order_id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    },
    # exercise async-retries (01): how often the simulated payment provider was called per order,
    # and the one confirmation each order gets however many attempts it takes.
    "payment_attempts": {
        "KeySchema": [{"AttributeName": "order_id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "order_id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    },
    "confirmations": {
        "KeySchema": [{"AttributeName": "order_id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "order_id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    },
    # exercise stream-filter (04): members whose stream feeds a filtered mapping, and the welcomes sent.
    "members": {
        "KeySchema": [{"AttributeName": "member_id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "member_id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    },
    "welcomes": {
        "KeySchema": [{"AttributeName": "member_id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "member_id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    },
    # fulfilment (09, fan-out): one shipment per order.
    "shipments": {
        "KeySchema": [{"AttributeName": "order_id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "order_id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    },
    # 09 event sourcing: the append-only event store, one item per event (order, version).
    # Its stream (new images only: events are never changed) feeds order_projection.
    "order_events": {
        "KeySchema": [
            {"AttributeName": "order_id", "KeyType": "HASH"},
            {"AttributeName": "version", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": "order_id", "AttributeType": "S"},
            {"AttributeName": "version", "AttributeType": "N"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    },
    # order_projection (09, CQRS): the read model, one document per order.
    "order_views": {
        "KeySchema": [{"AttributeName": "order_id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "order_id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    },
    # click_counter (09, real-time analytics): page views per page and minute.
    "page_views": {
        "KeySchema": [
            {"AttributeName": "page", "KeyType": "HASH"},
            {"AttributeName": "minute", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": "page", "AttributeType": "S"},
            {"AttributeName": "minute", "AttributeType": "S"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
    },
    # exercise fan-out-loyalty (09): customer balances ("customer#<id>") and the orders
    # already counted ("order#<id>"), in one table so one transaction writes both.
    "loyalty": {
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    },
    # exercise saga-voucher (09): one item per voucher code, and which order redeemed it.
    "vouchers": {
        "KeySchema": [{"AttributeName": "voucher_code", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "voucher_code", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    },
    # exercise durable-payout (12): seller balances ("seller#<id>"), transfers made ("transfer#<payout>"),
    # notices sent ("notice#<payout>"), in one table so one transaction writes a transfer and its balance.
    "payouts": {
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    },
}

TTL_ATTRIBUTES: Final[dict[str, str]] = {
    "idempotency": "expiration",
}

#: handler module -> {environment variable: (resource kind, logical name)}.
#: Kinds: "table", "bucket", "topic", "queue". Optional variables are marked in the handler docstrings.
HANDLER_ENVIRONMENT: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "users_api": {"USERS_TABLE": ("table", "users")},
    "users_api_powertools": {"USERS_TABLE": ("table", "users")},
    "s3_processor": {"RESULTS_TABLE": ("table", "results")},
    "stream_processor": {"AUDIT_TABLE": ("table", "audit"), "TOPIC_ARN": ("topic", "changes")},
    "queue_worker": {"IDEMPOTENCY_TABLE": ("table", "idempotency"), "ORDERS_TABLE": ("table", "orders")},
    "notifier": {"FORWARD_QUEUE_URL": ("queue", "notifications"), "NOTIFICATIONS_TABLE": ("table", "notifications")},
    "scheduled_report": {"USERS_TABLE": ("table", "users"), "REPORT_BUCKET": ("bucket", "reports")},
    "order_saga": {"SAGA_TABLE": ("table", "saga")},
    "order_saga_durable": {"SAGA_TABLE": ("table", "saga")},
    "snapstart_probe": {},
    "wrapper_probe": {},
    "anatomy": {},
    "payments": {},
    "event_logger": {},
    "invocation_probe": {},
    # Its secret and its parameter are not resource kinds here: lesson 06 creates them.
    "secrets_reader": {},
    "perf_probe": {},
    "checkout_api": {},
    "plain_logging": {},
    "fulfilment": {"SHIPMENTS_TABLE": ("table", "shipments")},
    "order_projection": {"VIEWS_TABLE": ("table", "order_views")},
    "click_counter": {"COUNTS_TABLE": ("table", "page_views")},
    "csv_import": {"USERS_TABLE": ("table", "users")},
}


def physical_name(logical_name: str) -> str:
    """Default physical name for a logical resource: ``users`` -> ``lab-users``."""
    return f"{NAME_PREFIX}{logical_name}"


def table_spec(logical_name: str) -> dict[str, Any]:
    """A fresh copy of the ``create_table`` kwargs for ``logical_name`` (callers may mutate it)."""
    try:
        return copy.deepcopy(TABLES[logical_name])
    except KeyError:
        raise UnknownName("table definition", logical_name, TABLES) from None


def ensure_table(dynamodb_client: Any, logical_name: str, table_name: str | None = None) -> str:
    """Create the table if it does not exist, wait until ACTIVE, enable TTL if defined; return its name.

    Safe to call repeatedly and concurrently: an existing table (``ResourceInUseException``)
    is accepted as is. Its key schema is not compared with the definition.
    """
    spec = table_spec(logical_name)
    name = table_name or physical_name(logical_name)
    try:
        dynamodb_client.create_table(TableName=name, **spec)
    except ClientError as exc:
        if aws_code(exc) != "ResourceInUseException":
            raise
    dynamodb_client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    ttl_attribute = TTL_ATTRIBUTES.get(logical_name)
    if ttl_attribute is not None:
        _ensure_ttl(dynamodb_client, name, ttl_attribute)
    return name


def _ensure_ttl(dynamodb_client: Any, table_name: str, attribute: str) -> None:
    # UpdateTimeToLive fails on AWS when TTL is already enabled, so look first.
    described = dynamodb_client.describe_time_to_live(TableName=table_name)
    status = described.get("TimeToLiveDescription", {}).get("TimeToLiveStatus", "DISABLED")
    if status in ("ENABLED", "ENABLING"):
        return
    dynamodb_client.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute},
    )


def ensure_bucket(s3_client: Any, name: str) -> str:
    """Create the bucket if it does not exist (idempotent) and wait until it answers; return its name."""
    region = s3_client.meta.region_name
    kwargs: dict[str, Any] = {"Bucket": name}
    if region and region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3_client.create_bucket(**kwargs)
    except ClientError as exc:
        # BucketAlreadyExists means someone else owns the name: that is a real error.
        if aws_code(exc) != "BucketAlreadyOwnedByYou":
            raise
    s3_client.get_waiter("bucket_exists").wait(Bucket=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    return name
