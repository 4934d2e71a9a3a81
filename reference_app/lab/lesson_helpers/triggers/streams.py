"""The stream sources: a DynamoDB table with a stream of a chosen view type and one INSERT, MODIFY and REMOVE on
it, a Kinesis data stream, and their records as tables.
"""

from __future__ import annotations

import base64
import json

from botocore.exceptions import ClientError

from ...clients import client
from ...errors import aws_code
from .arrivals import records


def ensure_stream_table(name: str, view_type: str) -> str:
    """A table keyed by ``pk`` whose stream carries ``view_type`` records; its ARN."""
    dynamodb = client("dynamodb")
    try:
        dynamodb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": view_type},
        )
    except ClientError as err:
        if aws_code(err) != "ResourceInUseException":
            raise
    dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    return dynamodb.describe_table(TableName=name)["Table"]["TableArn"]


def insert_modify_remove(table: str, key: str) -> None:
    """Create an item, change it, delete it: one INSERT, one MODIFY, one REMOVE on the stream."""
    dynamodb = client("dynamodb")
    dynamodb.put_item(TableName=table, Item={"pk": {"S": key}, "status": {"S": "new"}})
    dynamodb.update_item(
        TableName=table,
        Key={"pk": {"S": key}},
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "paid"}},
    )
    dynamodb.delete_item(TableName=table, Key={"pk": {"S": key}})


def stream_records(events: list[dict]):
    """The stream records that arrived: change, order, and which images each one carries."""
    import pandas as pd

    rows = []
    for r in records(events):
        stream = r["dynamodb"]
        rows.append(
            {
                "table": r["eventSourceARN"].split(":table/")[1].split("/")[0],
                "eventName": r["eventName"],
                "SequenceNumber": stream["SequenceNumber"],
                "StreamViewType": stream.get("StreamViewType"),
                "Keys": json.dumps(stream["Keys"]),
                "NewImage": json.dumps(stream["NewImage"]) if "NewImage" in stream else "",
                "OldImage": json.dumps(stream["OldImage"]) if "OldImage" in stream else "",
            }
        )
    return pd.DataFrame(rows)


def ensure_stream(name: str, shards: int = 1) -> str:
    """A Kinesis data stream (created if missing, waited for until ACTIVE); its ARN."""
    kinesis = client("kinesis")
    try:
        kinesis.create_stream(StreamName=name, ShardCount=shards)
    except ClientError as err:
        if aws_code(err) != "ResourceInUseException":
            raise
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.5, "MaxAttempts": 60})
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def kinesis_records(events: list[dict]):
    """Kinesis records as the function got them, with ``data`` decoded from base64."""
    import pandas as pd

    rows = [
        {
            "partitionKey": r["kinesis"]["partitionKey"],
            "sequenceNumber": r["kinesis"]["sequenceNumber"],
            "data (base64, as received)": r["kinesis"]["data"],
            "data (decoded)": base64.b64decode(r["kinesis"]["data"]).decode("utf-8", errors="replace"),
        }
        for r in records(events)
    ]
    return pd.DataFrame(rows)


def base64_text(data: str) -> str:
    return base64.b64decode(data).decode("utf-8", errors="replace")
