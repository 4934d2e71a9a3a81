"""stream_processor: DynamoDB stream records -> audit items + SNS, with partial batch failures."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from reference_app.handlers import stream_processor

ENTITY = "lab-users#user_id=u-1001"


@pytest.fixture
def audit_table(make_table: Callable[..., Any]) -> Any:
    return make_table("audit", env="AUDIT_TABLE")


@pytest.fixture
def published(sns: Any, sqs: Any, monkeypatch: pytest.MonkeyPatch, drain: Callable[[str], list[dict[str, Any]]]):
    """Create the topic (TOPIC_ARN) with an SQS subscriber; calling the fixture's value returns what was published."""
    topic_arn = sns.create_topic(Name="lab-changes")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="lab-changes-spy")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    monkeypatch.setenv("TOPIC_ARN", topic_arn)

    def messages() -> list[dict[str, Any]]:
        return [json.loads(json.loads(m["Body"])["Message"]) for m in drain(queue_url)]

    return messages


def history(table: Any, entity: str = ENTITY) -> list[dict[str, Any]]:
    return table.query(KeyConditionExpression=Key("entity_id").eq(entity))["Items"]


def test_insert_modify_remove_are_audited_in_order_and_notified(audit_table, published, event, lambda_context):
    # GIVEN the bundled INSERT, MODIFY, REMOVE batch for one user
    # WHEN it is processed
    response = stream_processor.lambda_handler(event("dynamodb_stream_batch"), lambda_context)
    # THEN nothing failed, the audit trail holds the three changes in sequence order...
    assert response == {"batchItemFailures": []}
    trail = history(audit_table)
    assert [item["event_name"] for item in trail] == ["INSERT", "MODIFY", "REMOVE"]
    assert all(len(item["sequence_number"]) == 40 for item in trail)
    insert, modify, remove = trail
    # (images are stored as DynamoDB maps, so a Table resource reads them back as plain values)
    assert insert["new_image"]["email"] == "ada@example.com" and "old_image" not in insert
    assert modify["changed_fields"] == ["email"]
    assert (modify["old_image"]["email"], modify["new_image"]["email"]) == ("ada@example.com", "ada@analytical.example")
    assert "new_image" not in remove and remove["removed_by_ttl"] is False
    # ...and one notification per change, without the images (personal data)
    messages = published()
    assert [m["event"] for m in messages] == ["INSERT", "MODIFY", "REMOVE"]
    assert messages[1]["changed_fields"] == ["email"] and messages[1]["keys"] == {"user_id": "u-1001"}
    assert all("ada@" not in json.dumps(m) for m in messages)


def test_modify_without_changes_is_audited_but_not_notified(audit_table, published, event, lambda_context):
    batch = event("dynamodb_stream_modify")
    record = batch["Records"][0]["dynamodb"]
    record["NewImage"] = copy.deepcopy(record["OldImage"])
    stream_processor.lambda_handler(batch, lambda_context)
    assert len(history(audit_table)) == 1
    assert published() == []


def test_malformed_record_is_reported_alone(audit_table, published, event, lambda_context):
    # GIVEN a batch whose middle record lost its Keys (no retry can fix it, so no order is kept by waiting)
    batch = event("dynamodb_stream_batch")
    del batch["Records"][1]["dynamodb"]["Keys"]
    # WHEN it is processed
    response = stream_processor.lambda_handler(batch, lambda_context)
    # THEN that record alone is reported, by SequenceNumber; the others went through
    assert response == {"batchItemFailures": failures(batch, 1)}
    assert [item["event_name"] for item in history(audit_table)] == ["INSERT", "REMOVE"]
    assert [m["event"] for m in published()] == ["INSERT", "REMOVE"]


def failures(batch: dict[str, Any], *positions: int) -> list[dict[str, str]]:
    return [{"itemIdentifier": batch["Records"][n]["dynamodb"]["SequenceNumber"]} for n in positions]


def lambda_retry(batch: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    """The batch Lambda delivers next: it checkpoints at the lowest reported SequenceNumber and
    retries every record from there (AWS Lambda developer guide, DynamoDB partial batch response)."""
    checkpoint = min(int(failure["itemIdentifier"]) for failure in response["batchItemFailures"])
    return {"Records": [r for r in batch["Records"] if int(r["dynamodb"]["SequenceNumber"]) >= checkpoint]}


@pytest.fixture
def publish_throttled_once(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """``publish_throttled_once("MODIFY")``: SNS refuses the first publish of that change type, once."""

    def arm(event_name: str) -> None:
        client = stream_processor._sns()
        armed = [True]

        def throttle(params: dict[str, Any], **_: Any) -> None:
            attribute = params.get("MessageAttributes", {}).get("event", {}).get("StringValue")
            if armed[0] and attribute == event_name:
                armed[0] = False
                raise ClientError({"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "Publish")

        client.meta.events.register("before-parameter-build.sns.Publish", throttle)

    return arm


def test_transient_failure_mid_batch_keeps_each_keys_changes_in_order(
    audit_table, published, event, lambda_context, publish_throttled_once
):
    # GIVEN INSERT, MODIFY, REMOVE of one user, and SNS throttling the MODIFY's publish once
    batch = event("dynamodb_stream_batch")
    publish_throttled_once("MODIFY")
    # WHEN the batch is processed, then replayed the way Lambda retries it, until it succeeds
    first = stream_processor.lambda_handler(batch, lambda_context)
    second = stream_processor.lambda_handler(lambda_retry(batch, first), lambda_context)
    # THEN subscribers saw each change once, in the order the table changed...
    assert [m["event"] for m in published()] == ["INSERT", "MODIFY", "REMOVE"]
    assert [item["event_name"] for item in history(audit_table)] == ["INSERT", "MODIFY", "REMOVE"]
    # ...because the first run stopped at the MODIFY and reported it and everything after it
    assert first == {"batchItemFailures": failures(batch, 1, 2)}
    assert second == {"batchItemFailures": []}


@pytest.mark.parametrize("view_type", ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE"])
def test_modify_without_both_images_is_notified_with_changes_unknown(
    audit_table, published, event, lambda_context, view_type
):
    # GIVEN AWS's record shapes for a stream that does not carry both images
    batch = event(f"dynamodb_stream_batch_{view_type.lower()}")
    modify = batch["Records"][1]
    assert modify["eventName"] == "MODIFY" and modify["dynamodb"]["StreamViewType"] == view_type
    assert not {"NewImage", "OldImage"} <= set(modify["dynamodb"])
    # WHEN the batch is processed
    assert stream_processor.lambda_handler(batch, lambda_context) == {"batchItemFailures": []}
    # THEN the MODIFY is audited and notified, and nobody is told that every attribute (key included) changed
    trail = {item["event_name"]: item for item in history(audit_table)}
    assert "changed_fields" not in trail["MODIFY"] and trail["MODIFY"]["stream_view_type"] == view_type
    messages = {m["event"]: m for m in published()}
    assert set(messages) == {"INSERT", "MODIFY", "REMOVE"}
    assert messages["MODIFY"]["changed_fields"] is None
    assert messages["MODIFY"]["keys"] == {"user_id": "u-1001"}


@pytest.mark.parametrize(
    ("batch_name", "known"),
    [
        ("dynamodb_stream_batch", {"INSERT", "MODIFY", "REMOVE"}),  # NEW_AND_OLD_IMAGES
        ("dynamodb_stream_batch_new_image", {"INSERT"}),  # REMOVE has no new image, MODIFY no old one
        ("dynamodb_stream_batch_old_image", {"REMOVE"}),  # INSERT has no image at all, MODIFY no new one
        ("dynamodb_stream_batch_keys_only", set()),
    ],
)
def test_changed_fields_are_given_only_when_the_images_show_them(
    audit_table, published, event, lambda_context, batch_name, known
):
    stream_processor.lambda_handler(event(batch_name), lambda_context)
    assert {item["event_name"] for item in history(audit_table) if "changed_fields" in item} == known
    assert {m["event"] for m in published() if m["changed_fields"] is not None} == known


def test_whole_batch_failing_is_reported_not_raised(audit_table, monkeypatch, event, lambda_context):
    # GIVEN the topic does not exist, so every publish fails
    monkeypatch.setenv("TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:missing")
    batch = event("dynamodb_stream_batch")
    # WHEN the batch is processed
    response = stream_processor.lambda_handler(batch, lambda_context)
    # THEN every record is reported (Lambda retries from the first); audit writes are idempotent on retry
    assert response["batchItemFailures"] == [
        {"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in batch["Records"]
    ]


def test_retried_batch_does_not_duplicate_audit_items(audit_table, published, event, lambda_context):
    batch = event("dynamodb_stream_batch")
    stream_processor.lambda_handler(batch, lambda_context)
    stream_processor.lambda_handler(event("dynamodb_stream_batch"), lambda_context)
    assert len(history(audit_table)) == 3


def test_ttl_removal_is_flagged(audit_table, published, event, lambda_context):
    batch = event("dynamodb_stream_remove")
    batch["Records"][0]["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    stream_processor.lambda_handler(batch, lambda_context)
    assert history(audit_table)[0]["removed_by_ttl"] is True
    assert published()[0]["removed_by_ttl"] is True


@pytest.mark.parametrize(
    ("sequence", "padded"),
    [("111", "0" * 37 + "111"), ("4" * 40, "4" * 40), ("100000000000000000001", "0" * 19 + "100000000000000000001")],
)
def test_sequence_numbers_sort_numerically_as_strings(sequence, padded):
    assert sequence.zfill(stream_processor.SEQUENCE_WIDTH) == padded


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ({"a": 1, "b": 2}, {"a": 1, "b": 3}, ["b"]),
        ({"a": 1}, {"a": 1, "c": 0}, ["c"]),
        ({"a": 1, "b": 2}, {"a": 1}, ["b"]),
        ({"s": {"x", "y"}}, {"s": {"y", "x"}}, []),
        ({}, {}, []),
    ],
)
def test_changed_fields(old, new, expected):
    assert stream_processor.changed_fields(old, new) == expected


@pytest.mark.parametrize(
    ("arn", "table"),
    [
        ("arn:aws:dynamodb:us-east-1:123456789012:table/lab-users/stream/2024-01-12T10:00:00.000", "lab-users"),
        ("eventsource_arn", "unknown-table"),
        (None, "unknown-table"),
    ],
)
def test_table_name_from_stream_arn(arn, table):
    assert stream_processor.table_name_from_arn(arn) == table


def test_real_stream_records_from_users_api_writes(users_table, audit_table, published, dynamodb, lambda_context):
    # GIVEN users_api's core writing to the users table, whose stream moto records
    from reference_app.handlers import users_api

    users_api.create_user(users_table, {"user_id": "u-7", "name": "Grace", "email": "grace@example.com"})
    users_table.update_item(
        Key={"user_id": "u-7"}, UpdateExpression="SET email = :e", ExpressionAttributeValues={":e": "g@navy.example"}
    )
    users_api.delete_user(users_table, "u-7")
    # WHEN the stream's records are delivered the way the event source mapping would
    stream_arn = dynamodb.describe_table(TableName=users_table.name)["Table"]["LatestStreamArn"]
    streams = boto3.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    for record in records:  # GetRecords returns a datetime; the Lambda event carries epoch seconds
        record["dynamodb"]["ApproximateCreationDateTime"] = record["dynamodb"][
            "ApproximateCreationDateTime"
        ].timestamp()
        record["eventSourceARN"] = stream_arn
    response = stream_processor.lambda_handler({"Records": records}, lambda_context)
    # THEN the audit trail and the notifications follow the three changes
    assert response == {"batchItemFailures": []}
    trail = history(audit_table, "lab-users#user_id=u-7")
    assert [(item["event_name"], item.get("changed_fields")) for item in trail] == [
        ("INSERT", ["created_at", "email", "name", "user_id"]),
        ("MODIFY", ["email"]),
        ("REMOVE", ["created_at", "email", "name", "user_id"]),
    ]
    assert [m["event"] for m in published()] == ["INSERT", "MODIFY", "REMOVE"]


# --- AWS's own sample events (AWS SAM CLI's `generate-event`, the Lambda developer guide) -----------
# dynamodb_stream_aws_sample: INSERT, MODIFY, REMOVE of item Id=101 (with-ddb.html);
# kinesis_aws_sample: two Kinesis records (with-kinesis.html).

SAMPLE_ENTITY = "ExampleTableWithStream#Id=101"


def test_aws_sample_is_audited_and_notified(audit_table, published, event, lambda_context):
    response = stream_processor.lambda_handler(event("dynamodb_stream_aws_sample"), lambda_context)
    assert response == {"batchItemFailures": []}
    assert [item["event_name"] for item in history(audit_table, SAMPLE_ENTITY)] == ["INSERT", "MODIFY", "REMOVE"]
    assert [(m["event"], m["changed_fields"]) for m in published()] == [
        ("INSERT", ["Id", "Message"]),
        ("MODIFY", ["Message"]),
        ("REMOVE", ["Id", "Message"]),
    ]


def test_only_the_record_lacking_keys_fails(audit_table, published, event, lambda_context):
    # GIVEN AWS's sample batch whose middle record lost its Keys (a record no retry can fix)
    batch = event("dynamodb_stream_aws_sample")
    del batch["Records"][1]["dynamodb"]["Keys"]
    # WHEN it is processed
    response = stream_processor.lambda_handler(batch, lambda_context)
    # THEN that record alone is reported; the records around it went through
    assert response == {"batchItemFailures": [{"itemIdentifier": "222"}]}
    assert [item["event_name"] for item in history(audit_table, SAMPLE_ENTITY)] == ["INSERT", "REMOVE"]
    assert [m["event"] for m in published()] == ["INSERT", "REMOVE"]


def test_dynamodb_numbers_keep_their_exact_value(audit_table, published, event, lambda_context):
    # GIVEN the same item's key written as 101 in one record and as 1.010E+2 (the same number) in the next,
    # and a number no float can hold
    batch = event("dynamodb_stream_aws_sample")
    modify = batch["Records"][1]["dynamodb"]
    modify["Keys"]["Id"] = {"N": "1.010E+2"}
    modify["NewImage"]["Id"] = {"N": "1.010E+2"}
    modify["NewImage"]["Balance"] = {"N": "12345678901234567890.123456789"}
    # WHEN it is processed
    assert stream_processor.lambda_handler(batch, lambda_context) == {"batchItemFailures": []}
    # THEN one item keeps one history (101 and 1.010E+2 are the same DynamoDB number)...
    assert [item["event_name"] for item in history(audit_table, SAMPLE_ENTITY)] == ["INSERT", "MODIFY", "REMOVE"]
    # ...the MODIFY changed Message and added Balance, not Id...
    messages = published()
    assert messages[1]["changed_fields"] == ["Balance", "Message"]
    # ...and no number went through a float on its way to subscribers
    assert messages[1]["keys"] == {"Id": 101}
    assert stream_processor.build_change(stream_processor.DynamoDBRecord(batch["Records"][1]))["notification"][
        "keys"
    ] == {"Id": Decimal("101")}
    assert isinstance(messages[1]["keys"]["Id"], int)


def test_entity_ids_use_the_exact_decimal_text():
    assert stream_processor.entity_id("t", {"Id": Decimal("101.0")}) == "t#Id=101"
    assert stream_processor.entity_id("t", {"Id": Decimal("1.010E+2")}) == "t#Id=101"
    assert stream_processor.entity_id("t", {"n": Decimal("12345678901234567890.1234567890")}) == (
        "t#n=12345678901234567890.123456789"
    )
    assert stream_processor.entity_id("t", {"n": Decimal("-1E-7")}) == "t#n=-0.0000001"


def test_a_kinesis_event_is_refused_with_a_clear_error(audit_table, published, event, lambda_context):
    with pytest.raises(stream_processor.NotADynamoDBStreamEvent, match="aws:kinesis"):
        stream_processor.lambda_handler(event("kinesis_aws_sample"), lambda_context)
    assert published() == []
