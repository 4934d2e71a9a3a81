"""Day two: every event source mapping the emulator restores delivers again (issue 17, section 3).

The emulator runs on a port of its own here (it is stopped and started), under the session's home.
"""

import json
import os
import time

import pytest

from reference_app.lab import clients, deploy, embedded, emulator, logs
from reference_app.lab.config import resolve_backend

FUNCTION = "day-two-fn"


@pytest.fixture
def own(free_port):
    backend = resolve_backend("embedded", free_port)
    yield backend
    emulator.down(backend)


def _sources(backend) -> dict[str, object]:
    """A table with a stream, a Kinesis stream and a queue, each mapped to the function; how to feed each."""
    ddb, kinesis, sqs = (clients.client(name, backend) for name in ("dynamodb", "kinesis", "sqs"))
    table = ddb.create_table(
        TableName="day-two-table",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]["LatestStreamArn"]
    kinesis.create_stream(StreamName="day-two-stream", ShardCount=1)
    stream = kinesis.describe_stream(StreamName="day-two-stream")["StreamDescription"]["StreamARN"]
    queue = sqs.create_queue(QueueName="day-two-queue")["QueueUrl"]
    lam = clients.client("lambda", backend)
    for arn in (table, stream, clients.arn("sqs", "day-two-queue")):
        position = {} if ":sqs:" in arn else {"StartingPosition": "LATEST"}
        lam.create_event_source_mapping(FunctionName=FUNCTION, EventSourceArn=arn, BatchSize=1, **position)
    return {
        "dynamodb": lambda n: ddb.put_item(TableName="day-two-table", Item={"id": {"S": f"item-{n}"}}),
        "kinesis": lambda n: kinesis.put_record(StreamName="day-two-stream", Data=b"{}", PartitionKey=str(n)),
        "sqs": lambda n: sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"n": n})),
    }


def _delivered(backend, sources: dict, n: int) -> dict[str, bool]:
    """For each source: a record put now reaches the function (seen in its log)."""
    seen = {}
    for kind, put in sources.items():
        since = int(time.time() * 1000)
        put(n)
        seen[kind] = bool(logs.wait_for_invocations(FUNCTION, 1, since, timeout_s=15, backend=backend))
    return seen


def test_every_restored_mapping_delivers_after_a_restart(own):
    # GIVEN a function fed by a DynamoDB stream, a Kinesis stream and an SQS queue, each delivering
    emulator.up(own)
    deploy.deploy_function(FUNCTION, "reference_app.handlers.hello", backend=own)
    sources = _sources(own)
    time.sleep(1)  # the mappings' first look at their sources
    for n in range(3):  # a few records, so the saved read positions are past 0
        assert _delivered(own, sources, n) == {"dynamodb": True, "kinesis": True, "sqs": True}
    # WHEN the emulator is stopped and started again (day two)
    emulator.down(own)
    emulator.up(own)
    # THEN every mapping is back and delivers the next record
    mappings = clients.client("lambda", own).list_event_source_mappings(FunctionName=FUNCTION)
    assert sorted(m["State"] for m in mappings["EventSourceMappings"]) == ["Enabled"] * 3
    assert _delivered(own, sources, 10) == {"dynamodb": True, "kinesis": True, "sqs": True}


def test_a_stream_position_saved_past_the_restored_stream_is_brought_back(own):
    # GIVEN a DynamoDB Streams mapping that delivered, and a saved state without the stream's records
    # (as the emulator saved it before the kit kept them)
    emulator.up(own)
    deploy.deploy_function(FUNCTION, "reference_app.handlers.hello", backend=own)
    sources = _sources(own)
    time.sleep(1)
    for n in range(3):
        assert _delivered(own, {"dynamodb": sources["dynamodb"]}, n) == {"dynamodb": True}
    emulator.down(own)
    saved = embedded.run_path(own) / "state" / "dynamodb.json"
    doc = json.loads(saved.read_text())
    assert doc["payload"].pop("lambda_lab_streams")["records"]  # the kit saved the stream's records
    saved.write_text(json.dumps(doc))
    # WHEN it starts again THEN the mapping delivers the next change all the same
    emulator.up(own)
    assert _delivered(own, {"dynamodb": sources["dynamodb"]}, 10) == {"dynamodb": True}
    assert os.path.exists(saved)


def test_a_stacks_bucket_is_kept_and_a_deleted_one_stays_deleted_after_a_restart(own):
    template = json.dumps(
        {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "day-two-stack-bucket"}}}}
    )
    emulator.up(own)
    cfn, s3 = clients.client("cloudformation", own), clients.client("s3", own)

    def buckets() -> list[str]:
        return [b["Name"] for b in s3.list_buckets()["Buckets"]]

    def create() -> str:
        cfn.create_stack(StackName="day-two-stack", TemplateBody=template)
        cfn.get_waiter("stack_create_complete").wait(StackName="day-two-stack", WaiterConfig={"Delay": 1})
        return cfn.describe_stacks(StackName="day-two-stack")["Stacks"][0]["StackStatus"]

    # GIVEN a stack's (empty) bucket WHEN the emulator restarts THEN it is still there
    assert create() == "CREATE_COMPLETE"
    emulator.down(own)
    emulator.up(own)
    assert "day-two-stack-bucket" in buckets()
    # GIVEN the stack deleted, once its bucket held an object and was emptied (CloudFormation deletes only empty
    # buckets) WHEN the emulator restarts THEN its bucket does not come back, and the stack can be made again
    # (lesson 03's second day)
    s3.put_object(Bucket="day-two-stack-bucket", Key="uploads/k", Body=b"v")
    s3.delete_object(Bucket="day-two-stack-bucket", Key="uploads/k")
    cfn.delete_stack(StackName="day-two-stack")
    cfn.get_waiter("stack_delete_complete").wait(StackName="day-two-stack", WaiterConfig={"Delay": 1})
    emulator.down(own)
    emulator.up(own)
    assert "day-two-stack-bucket" not in buckets()
    assert create() == "CREATE_COMPLETE"
