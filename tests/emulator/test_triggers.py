"""Trigger wiring against the embedded emulator: wire each source to a deployed
echo function, fire it for real, and read the event the function logged.

Every test deploys its own function under a unique name, so the tests share the
session's emulator without seeing each other's invocations.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from pathlib import Path

import pytest

from reference_app.lab import deploy, logs, triggers
from reference_app.lab.clients import client
from reference_app.lab.errors import LabError

FIXTURES = Path(__file__).parent / "fixtures"


# --- fixtures and helpers ----------------------------------------------------------------


@pytest.fixture
def uid() -> str:
    return uuid.uuid4().hex[:8]


def _deploy(backend, name: str, handler: str, **kwargs) -> deploy.Deployment:
    return deploy.deploy_function(name, FIXTURES / handler, backend=backend, **kwargs)


@pytest.fixture
def functions(backend):
    """Deploy fixture handlers by file name; their mappings and the functions are
    removed afterwards so no poller keeps working for a finished test."""
    deployed: list[str] = []

    def make(handler: str = "echo_handler.py", **kwargs) -> deploy.Deployment:
        name = f"trig-{Path(handler).stem.split('_')[0]}-{uuid.uuid4().hex[:8]}"
        deployed.append(name)
        return _deploy(backend, name, handler, **kwargs)

    yield make
    lam = client("lambda", backend)
    for name in deployed:
        for mapping in lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]:
            lam.delete_event_source_mapping(UUID=mapping["UUID"])
        deploy.delete_function(name, backend)


def _printed(invocations: list[logs.LoggedInvocation]) -> list:
    return [json.loads(line) for inv in invocations for line in inv.output if line.startswith("{")]


def logged_events(backend, function: str, count: int = 1, timeout_s: float = 15.0) -> list:
    """The events ``function`` printed (one JSON line per invocation), oldest first."""
    found = logs.wait_for_invocations(function, count, timeout_s=timeout_s, backend=backend)
    assert len(found) >= count, f"{function} ran {len(found)} times, expected {count}"
    return _printed(found)


def logged_records(backend, function: str, count: int, timeout_s: float = 15.0) -> list[dict]:
    """The ``Records`` of every logged event, once ``count`` have arrived (batches may split)."""
    deadline = time.monotonic() + timeout_s
    while True:
        done = [i for i in logs.invocations(function, backend=backend) if i.complete]
        records = [r for event in _printed(done) for r in event["Records"]]
        if len(records) >= count or time.monotonic() > deadline:
            return records
        time.sleep(0.2)


def policy(backend, function: str) -> list[dict]:
    return json.loads(client("lambda", backend).get_policy(FunctionName=function)["Policy"])["Statement"]


def grants(statements: list[dict], service: str, source_arn: str) -> bool:
    return any(
        s["Principal"] == {"Service": service} and s["Condition"]["ArnLike"]["AWS:SourceArn"] == source_arn
        for s in statements
    )


def queue(backend, name: str, **attributes: str) -> tuple[str, str]:
    sqs = client("sqs", backend)
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


# --- S3 ----------------------------------------------------------------------------------


def test_s3_notification_invokes_for_matching_keys_and_keeps_other_configs(backend, functions, uid):
    # GIVEN a bucket that already notifies a queue, and an echo function
    fn = functions()
    bucket = f"trig-{uid}"
    s3 = client("s3", backend)
    s3.create_bucket(Bucket=bucket)
    _, queue_arn = queue(backend, f"trig-s3-{uid}")
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [{"Id": "audit", "QueueArn": queue_arn, "Events": ["s3:ObjectRemoved:*"]}]
        },
    )

    # WHEN the function is wired twice for uploads under in/ and two objects are put
    first = triggers.s3_notification(bucket, fn.arn, prefix="in/", backend=backend)
    second = triggers.s3_notification(bucket, fn.arn, prefix="in/", backend=backend)
    s3.put_object(Bucket=bucket, Key="out/skip.txt", Body=b"no")
    s3.put_object(Bucket=bucket, Key="in/photo.jpg", Body=b"yes")

    # THEN one configuration was added beside the queue's, and only in/ invoked the function
    config = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert first == second
    assert [c["Id"] for c in config["LambdaFunctionConfigurations"]] == [first]
    assert [c["Id"] for c in config["QueueConfigurations"]] == ["audit"]
    assert grants(policy(backend, fn.name), "s3.amazonaws.com", f"arn:aws:s3:::{bucket}")
    [event] = logged_events(backend, fn.name)
    [record] = event["Records"]
    assert record["eventSource"] == "aws:s3"
    assert record["eventName"].startswith("ObjectCreated:")
    assert record["s3"]["bucket"]["name"] == bucket
    assert record["s3"]["object"]["key"] == "in/photo.jpg"
    time.sleep(0.5)  # a notification for out/ would have arrived by now
    assert len(logs.invocations(fn.name, backend=backend)) == 1


def test_s3_notification_creates_a_missing_bucket(backend, functions, uid):
    fn = functions()
    bucket = f"trig-new-{uid}"

    triggers.s3_notification(bucket, fn.name, events=["s3:ObjectCreated:Put"], suffix=".csv", backend=backend)

    config = client("s3", backend).get_bucket_notification_configuration(Bucket=bucket)
    [entry] = config["LambdaFunctionConfigurations"]
    assert entry["Events"] == ["s3:ObjectCreated:Put"]
    assert entry["Filter"]["Key"]["FilterRules"][0]["Value"] == ".csv"


# --- event source mappings -------------------------------------------------------------


def test_sqs_mapping_delivers_messages_once_wired_twice(backend, functions, uid):
    # GIVEN a queue and an echo function
    fn = functions()
    url, queue_arn = queue(backend, f"trig-sqs-{uid}", VisibilityTimeout="30")

    # WHEN the queue is mapped twice and two messages are sent
    first = triggers.event_source_mapping(fn.name, queue_arn, batch_size=10, backend=backend)
    second = triggers.event_source_mapping(fn.arn, queue_arn, batch_size=10, backend=backend)
    client("sqs", backend).send_message_batch(
        QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "one"}, {"Id": "2", "MessageBody": "two"}]
    )

    # THEN there is one enabled mapping reporting item failures, and the function saw both bodies
    assert first == second
    mappings = client("lambda", backend).list_event_source_mappings(FunctionName=fn.name)["EventSourceMappings"]
    assert [m["UUID"] for m in mappings] == [first]
    assert mappings[0]["State"] == "Enabled"
    assert mappings[0]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    records = logged_records(backend, fn.name, 2)
    assert sorted(r["body"] for r in records) == ["one", "two"]
    assert {r["eventSource"] for r in records} == {"aws:sqs"}


def test_sqs_mapping_updates_settings_in_place(backend, functions, uid):
    fn = functions()
    _, queue_arn = queue(backend, f"trig-sqs-upd-{uid}", VisibilityTimeout="30")
    first = triggers.event_source_mapping(fn.name, queue_arn, batch_size=10, backend=backend)

    second = triggers.event_source_mapping(
        fn.name, queue_arn, batch_size=5, report_batch_item_failures=False, backend=backend
    )

    mapping = client("lambda", backend).get_event_source_mapping(UUID=first)
    assert second == first
    assert mapping["BatchSize"] == 5
    assert mapping["FunctionResponseTypes"] == []


def test_sqs_partial_batch_failure_redelivers_only_the_failed_message(backend, functions, uid):
    # GIVEN a handler that fails messages starting with "fail" on their first delivery,
    # and a queue whose visibility timeout is as short as AWS allows for it
    fn = functions("partial_batch_handler.py", timeout=2)
    url, queue_arn = queue(backend, f"trig-partial-{uid}", VisibilityTimeout="2")
    sqs = client("sqs", backend)
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": body} for i, body in enumerate(["ok-1", "fail-2", "ok-3"])]
    )

    # WHEN the queue is mapped with ReportBatchItemFailures
    triggers.event_source_mapping(fn.name, queue_arn, batch_size=10, backend=backend)

    # THEN the first batch held all three, only the failed one came back (second receive),
    # and the queue is empty afterwards
    first, retry = logged_events(backend, fn.name, count=2, timeout_s=20)
    assert sorted(r["body"] for r in first["Records"]) == ["fail-2", "ok-1", "ok-3"]
    assert [(r["body"], r["attributes"]["ApproximateReceiveCount"]) for r in retry["Records"]] == [("fail-2", "2")]
    counts = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    assert counts == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}


def test_sqs_mapping_refuses_what_aws_refuses(backend, functions, uid):
    fn = functions(timeout=30)
    _, short = queue(backend, f"trig-short-{uid}", VisibilityTimeout="10")
    _, ok = queue(backend, f"trig-ok-{uid}", VisibilityTimeout="180")

    with pytest.raises(LabError, match="visibility timeout"):
        triggers.event_source_mapping(fn.name, short, backend=backend)
    with pytest.raises(LabError, match="starting position"):
        triggers.event_source_mapping(fn.name, ok, starting_position="LATEST", backend=backend)
    with pytest.raises(LabError, match="batching_window"):
        triggers.event_source_mapping(fn.name, ok, batch_size=100, backend=backend)
    assert client("lambda", backend).list_event_source_mappings(FunctionName=fn.name)["EventSourceMappings"] == []


def test_dynamodb_stream_mapping_from_the_table_arn_delivers_inserts(backend, functions, uid):
    # GIVEN a table with a stream
    fn = functions()
    ddb = client("dynamodb", backend)
    table = ddb.create_table(
        TableName=f"trig-{uid}",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]

    # WHEN the table (not its stream) is mapped, twice, and an item is written
    first = triggers.event_source_mapping(fn.name, table["TableArn"], starting_position="LATEST", backend=backend)
    second = triggers.event_source_mapping(fn.name, table["LatestStreamArn"], backend=backend)
    ddb.put_item(TableName=f"trig-{uid}", Item={"pk": {"S": "user#1"}, "name": {"S": "Ada"}})

    # THEN the mapping reads the stream and the function saw the INSERT with its new image
    assert first == second
    mapping = client("lambda", backend).get_event_source_mapping(UUID=first)
    assert mapping["EventSourceArn"] == table["LatestStreamArn"]
    assert mapping["StartingPosition"] == "LATEST"
    [event] = logged_events(backend, fn.name)
    [record] = event["Records"]
    assert record["eventSource"] == "aws:dynamodb"
    assert record["eventName"] == "INSERT"
    assert record["dynamodb"]["NewImage"] == {"pk": {"S": "user#1"}, "name": {"S": "Ada"}}


def test_dynamodb_mapping_needs_a_stream(backend, functions, uid):
    fn = functions()
    table = client("dynamodb", backend).create_table(
        TableName=f"trig-nostream-{uid}",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )["TableDescription"]

    with pytest.raises(LabError, match="has no stream"):
        triggers.event_source_mapping(fn.name, table["TableArn"], backend=backend)


def test_kinesis_mapping_delivers_records_from_trim_horizon(backend, functions, uid):
    # GIVEN a stream that already holds a record
    fn = functions()
    kinesis = client("kinesis", backend)
    kinesis.create_stream(StreamName=f"trig-{uid}", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=f"trig-{uid}", WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    stream_arn = kinesis.describe_stream_summary(StreamName=f"trig-{uid}")["StreamDescriptionSummary"]["StreamARN"]
    kinesis.put_record(StreamName=f"trig-{uid}", Data=b'{"reading": 21.5}', PartitionKey="sensor-1")

    # WHEN the stream is mapped from its oldest record
    triggers.event_source_mapping(
        fn.name, stream_arn, batch_size=100, starting_position="TRIM_HORIZON", backend=backend
    )

    # THEN the function saw that record, base64-encoded as Kinesis delivers it
    [event] = logged_events(backend, fn.name)
    [record] = event["Records"]
    assert record["eventSource"] == "aws:kinesis"
    assert record["kinesis"]["partitionKey"] == "sensor-1"
    assert json.loads(base64.b64decode(record["kinesis"]["data"])) == {"reading": 21.5}


# --- SNS and EventBridge -----------------------------------------------------------------


def test_sns_subscription_delivers_published_message(backend, functions, uid):
    fn = functions()
    sns = client("sns", backend)
    topic = sns.create_topic(Name=f"trig-{uid}")["TopicArn"]

    first = triggers.sns_subscription(topic, fn.arn, backend=backend)
    second = triggers.sns_subscription(topic, fn.name, backend=backend)
    sns.publish(TopicArn=topic, Subject="greeting", Message="hello from SNS")

    assert first == second
    subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subs] == [("lambda", fn.arn)]
    assert grants(policy(backend, fn.name), "sns.amazonaws.com", topic)
    [event] = logged_events(backend, fn.name)
    [record] = event["Records"]
    assert record["EventSource"] == "aws:sns"
    assert record["Sns"]["Message"] == "hello from SNS"
    assert record["Sns"]["Subject"] == "greeting"


def test_eventbridge_rule_delivers_matching_events_only(backend, functions, uid):
    fn = functions()
    source = f"lab.orders.{uid}"
    pattern = {"source": [source], "detail-type": ["OrderPlaced"]}

    rule_arn = triggers.eventbridge_rule(f"trig-{uid}", fn.arn, event_pattern=pattern, backend=backend)
    again = triggers.eventbridge_rule(f"trig-{uid}", fn.arn, event_pattern=pattern, backend=backend)
    events = client("events", backend)
    events.put_events(
        Entries=[
            {"Source": source, "DetailType": "OrderCancelled", "Detail": json.dumps({"id": "o-0"})},
            {"Source": source, "DetailType": "OrderPlaced", "Detail": json.dumps({"id": "o-1"})},
        ]
    )

    assert again == rule_arn
    assert [t["Arn"] for t in events.list_targets_by_rule(Rule=f"trig-{uid}")["Targets"]] == [fn.arn]
    assert grants(policy(backend, fn.name), "events.amazonaws.com", rule_arn)
    [event] = logged_events(backend, fn.name)
    assert (event["source"], event["detail-type"], event["detail"]) == (source, "OrderPlaced", {"id": "o-1"})
    time.sleep(0.5)  # the cancelled order would have arrived by now
    assert len(logs.invocations(fn.name, backend=backend)) == 1


def test_eventbridge_schedule_rule_is_created(backend, functions, uid):
    fn = functions()

    rule_arn = triggers.eventbridge_rule(f"trig-sched-{uid}", fn.arn, schedule="rate(1 hour)", backend=backend)

    rule = client("events", backend).describe_rule(Name=f"trig-sched-{uid}")
    assert (rule["Arn"], rule["ScheduleExpression"], rule["State"]) == (rule_arn, "rate(1 hour)", "ENABLED")
    with pytest.raises(LabError):
        triggers.eventbridge_rule(f"trig-bad-{uid}", fn.arn, backend=backend)
    with pytest.raises(LabError, match="default event bus"):
        triggers.eventbridge_rule(f"trig-bad-{uid}", fn.arn, schedule="rate(1 hour)", bus="orders", backend=backend)


# --- HTTP: REST API, HTTP API, function URL ----------------------------------------------


def test_rest_api_proxies_every_path_and_method(backend, functions, uid):
    # GIVEN an echo function behind a REST API, wired twice
    fn = functions()
    url = triggers.rest_api(f"trig-{uid}", fn.arn, stage="dev", backend=backend)
    assert triggers.rest_api(f"trig-{uid}", fn.arn, stage="dev", backend=backend) == url

    # WHEN the root is fetched and a JSON body is posted to a nested path
    root = triggers.http_call(url)
    posted = triggers.http_call(url + "orders/42?verbose=1", "POST", {"item": "tea"})

    # THEN both reached the function as payload-format-1.0 proxy events
    assert url.endswith("/dev/") and "/_aws/execute-api/" in url
    assert (root.status, root.json()["httpMethod"], root.json()["path"]) == (200, "GET", "/")
    event = posted.json()
    assert posted.status == 200
    assert (event["httpMethod"], event["resource"], event["path"]) == ("POST", "/{proxy+}", "/orders/42")
    assert event["pathParameters"] == {"proxy": "orders/42"}
    assert event["queryStringParameters"] == {"verbose": "1"}
    assert json.loads(event["body"]) == {"item": "tea"}
    assert event["requestContext"]["stage"] == "dev"
    # one API, deployed once, and API Gateway may invoke the function
    apigw = client("apigateway", backend)
    [api] = [a for a in apigw.get_rest_apis()["items"] if a["name"] == f"trig-{uid}"]
    assert len(apigw.get_deployments(restApiId=api["id"])["items"]) == 1
    assert grants(
        policy(backend, fn.name),
        "apigateway.amazonaws.com",
        f"arn:aws:execute-api:us-east-1:000000000000:{api['id']}/*",
    )
    # the AWS-shaped host name works too: http_call sends *.localhost to 127.0.0.1
    host_form = triggers.http_call(f"http://{api['id']}.execute-api.localhost:{backend.port}/dev/ping")
    assert (host_form.status, host_form.json()["path"]) == (200, "/ping")


def test_http_api_default_route_uses_payload_v2(backend, functions, uid):
    fn = functions()
    url = triggers.http_api(f"trig-{uid}", fn.arn, backend=backend)
    assert triggers.http_api(f"trig-{uid}", fn.arn, backend=backend) == url

    response = triggers.http_call(
        url + "users/7?fields=name", "PUT", '{"name": "Ada"}', {"Content-Type": "application/json"}
    )

    event = response.json()
    assert response.status == 200
    assert (event["version"], event["routeKey"], event["rawPath"]) == ("2.0", "$default", "/users/7")
    assert event["requestContext"]["http"]["method"] == "PUT"
    assert event["rawQueryString"] == "fields=name"
    assert json.loads(event["body"]) == {"name": "Ada"}
    v2 = client("apigatewayv2", backend)
    [api] = [a for a in v2.get_apis()["Items"] if a["Name"] == f"trig-{uid}"]
    assert [r["RouteKey"] for r in v2.get_routes(ApiId=api["ApiId"])["Items"]] == ["$default"]
    assert len(v2.get_integrations(ApiId=api["ApiId"])["Items"]) == 1


def test_http_api_on_a_named_stage(backend, functions, uid):
    fn = functions()

    url = triggers.http_api(f"trig-stage-{uid}", fn.arn, stage="v1", backend=backend)
    response = triggers.http_call(url + "ping")

    assert url.endswith("/v1/")
    assert (response.status, response.json()["rawPath"]) == (200, "/ping")


def test_function_url_is_public_until_switched_to_iam(backend, functions):
    # GIVEN an echo function with a public URL, wired twice
    fn = functions()
    url = triggers.function_url(fn.name, backend=backend)
    assert triggers.function_url(fn.arn, backend=backend) == url

    # WHEN it is called
    response = triggers.http_call(url + "hello?name=Ada", "POST", "plain text", {"Content-Type": "text/plain"})

    # THEN the function saw a payload-format-2.0 event, and the policy has both public statements
    event = response.json()
    assert response.status == 200
    assert (event["rawPath"], event["queryStringParameters"], event["body"]) == (
        "/hello",
        {"name": "Ada"},
        "plain text",
    )
    actions = {s["Action"] for s in policy(backend, fn.name) if s["Principal"] == "*"}
    assert actions == {"lambda:InvokeFunctionUrl", "lambda:InvokeFunction"}

    # WHEN it is switched to AWS_IAM, THEN an unsigned call is refused and the public grants are gone
    assert triggers.function_url(fn.name, auth_type="AWS_IAM", backend=backend) == url
    assert triggers.http_call(url).status == 403
    lam = client("lambda", backend)
    assert lam.get_function_url_config(FunctionName=fn.name)["AuthType"] == "AWS_IAM"
    assert not [s for s in policy(backend, fn.name) if s["Principal"] == "*"]


def test_http_call_returns_server_errors_instead_of_raising(backend, functions):
    fn = functions("failing_handler.py")
    url = triggers.function_url(fn.name, backend=backend)

    status, headers, body = triggers.http_call(url)

    assert status == 502
    assert headers["Content-Type"].startswith("application/json")
    assert body


def test_http_call_refuses_other_hosts():
    with pytest.raises(LabError, match="not on this machine"):
        triggers.http_call("http://example.com/")
    with pytest.raises(LabError, match="only http:// and https:// URLs"):
        triggers.http_call("file:///etc/passwd")
