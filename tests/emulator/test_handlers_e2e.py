"""Every reference handler packaged as a real zip, deployed to the embedded emulator,
and driven through its real trigger; each test asserts on the effect.

Resources use the prefix ``e2e-`` so they never collide with a notebook's ``lab-`` ones.
"""

from __future__ import annotations

import io
import json
import time
import uuid

import pytest
from boto3.dynamodb.conditions import Key
from PIL import Image

from reference_app.lab import clients, reference_deploys, triggers
from reference_app.lab.events import load_event

PREFIX = "e2e-"


def eventually(probe, timeout_s: float = 30.0, interval_s: float = 0.25):
    """Poll ``probe`` until it returns something truthy; return that (or the last falsy value)."""
    end = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value or time.monotonic() > end:
            return value
        time.sleep(interval_s)


def _table(backend, name):
    return clients.resource("dynamodb", backend).Table(name)


def _drain(backend, queue_url, expected, timeout_s=30.0):
    sqs = clients.client("sqs", backend)
    got: list[dict] = []
    end = time.monotonic() + timeout_s
    while len(got) < expected and time.monotonic() < end:
        resp = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in resp.get("Messages", []):
            got.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return got


# --- users_api: API Gateway REST (AWS_PROXY) -> Lambda -> DynamoDB ------------------------


@pytest.fixture(scope="module")
def users_url(backend):
    dep = reference_deploys.deploy_handler("users_api", "e2e-users-api", prefix=PREFIX, backend=backend)
    return triggers.rest_api("e2e-users-api", dep.arn, backend=backend)


def test_users_api_over_http(backend, users_url):
    table = _table(backend, f"{PREFIX}users")
    user = {"user_id": f"u{uuid.uuid4().hex[:8]}", "name": "Ada Lovelace", "email": "ada@example.com"}
    # create, then the same id again: 409 and the original is untouched
    created = triggers.http_call(users_url + "users", "POST", user)
    assert created.status == 201, created.body
    assert created.json()["created_at"].endswith(("Z", "+00:00"))
    clash = triggers.http_call(users_url + "users", "POST", {**user, "name": "Mallory"})
    assert clash.status == 409
    assert table.get_item(Key={"user_id": user["user_id"]})["Item"]["name"] == "Ada Lovelace"
    # read one, list
    assert triggers.http_call(users_url + f"users/{user['user_id']}").json()["email"] == "ada@example.com"
    listing = triggers.http_call(users_url + "users?limit=50")
    assert listing.status == 200 and user["user_id"] in json.dumps(listing.json())
    # bad input: 400 naming the problem, nothing written
    before = table.scan(Select="COUNT")["Count"]
    bad = triggers.http_call(users_url + "users", "POST", '{"user_id": ')
    missing = triggers.http_call(users_url + "users", "POST", {"user_id": "x1", "name": "No Mail"})
    assert (bad.status, missing.status) == (400, 400)
    assert "email" in missing.body
    assert table.scan(Select="COUNT")["Count"] == before
    # method not allowed, delete, gone
    assert triggers.http_call(users_url + "users", "PATCH", {}).status == 405
    assert triggers.http_call(users_url + f"users/{user['user_id']}", "DELETE").status == 204
    assert triggers.http_call(users_url + f"users/{user['user_id']}").status == 404


def test_users_api_powertools_over_http(backend):
    dep = reference_deploys.deploy_handler("users_api_powertools", "e2e-users-api-pt", prefix=PREFIX, backend=backend)
    url = triggers.rest_api("e2e-users-api-pt", dep.arn, backend=backend)
    user = {"user_id": f"p{uuid.uuid4().hex[:8]}", "name": "Grace Hopper", "email": "grace@example.com"}
    assert triggers.http_call(url + "users", "POST", user).status == 201
    assert triggers.http_call(url + "users", "POST", user).status == 409
    assert triggers.http_call(url + "users", "POST", {"user_id": "p2"}).status == 400
    assert triggers.http_call(url + f"users/{user['user_id']}").json()["name"] == "Grace Hopper"
    # client errors are 4xx with a JSON message, never the 502 of an unhandled exception
    superscript_two = triggers.http_call(url + "users?limit=%C2%B2")
    assert superscript_two.status == 400 and superscript_two.json()["message"].startswith("limit")
    options = triggers.http_call(url + "users", "OPTIONS")
    assert options.status == 204 and options.headers["Allow"] == "GET, POST, OPTIONS"


# --- s3_processor: S3 put -> Lambda -> results table (+ thumbnails/) ----------------------


def _png(width=300, height=200) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def test_s3_processor_on_real_uploads(backend):
    dep = reference_deploys.deploy_handler(
        "s3_processor", "e2e-s3-processor", prefix=PREFIX, backend=backend, memory_size=512
    )
    bucket = f"{PREFIX}uploads-{uuid.uuid4().hex[:6]}"
    triggers.s3_notification(bucket, dep.arn, prefix="uploads/", backend=backend)
    s3 = clients.client("s3", backend)
    objects = {
        "uploads/cat photo.png": (_png(), "image/png"),
        "uploads/q3 report.csv": (b"region,revenue\nnorth,10\nsouth,20\n", "text/csv"),
        "uploads/notes.txt": (b"one two three\nfour five\n", "text/plain; charset=utf-8"),
        "uploads/blob.bin": (b"\x00\x01\x02", "application/octet-stream"),
    }
    for key, (body, content_type) in objects.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
    results = _table(backend, f"{PREFIX}results")

    def outcomes():
        items = results.query(KeyConditionExpression=Key("bucket").eq(bucket))["Items"]
        return {i["object_key"]: i for i in items} if len(items) >= len(objects) else None

    found = eventually(outcomes, timeout_s=60)
    assert found, "the function did not record an outcome for every upload"
    assert set(found) == set(objects)  # keys decoded: "cat photo.png", not "cat+photo.png"
    assert found["uploads/cat photo.png"]["status"] == "processed"
    assert found["uploads/q3 report.csv"]["status"] == "processed"
    assert found["uploads/blob.bin"]["status"] == "skipped"
    thumb = s3.get_object(Bucket=bucket, Key="thumbnails/uploads/cat photo.png")["Body"].read()
    assert max(Image.open(io.BytesIO(thumb)).size) <= 128


# --- stream_processor: DynamoDB Streams -> Lambda -> audit table + SNS --------------------


def test_stream_processor_audits_every_change(backend):
    prefix = f"{PREFIX}stream-"
    dep = reference_deploys.deploy_handler("stream_processor", "e2e-stream-processor", prefix=prefix, backend=backend)
    users = reference_deploys.ensure_resource("table", "users", backend, prefix)
    topic = dep.configuration["Environment"]["Variables"]["TOPIC_ARN"]
    # observe the notifications through a queue subscribed to the topic
    watch = reference_deploys.ensure_queue(f"{prefix}watch-{uuid.uuid4().hex[:6]}", backend)
    sqs = clients.client("sqs", backend)
    watch_arn = sqs.get_queue_attributes(QueueUrl=watch, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    clients.client("sns", backend).subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=watch_arn, Attributes={"RawMessageDelivery": "true"}
    )
    table_arn = clients.client("dynamodb", backend).describe_table(TableName=users)["Table"]["TableArn"]
    triggers.event_source_mapping(dep.name, table_arn, starting_position="LATEST", backend=backend)

    user_id = f"s{uuid.uuid4().hex[:8]}"
    table = _table(backend, users)
    table.put_item(
        Item={"user_id": user_id, "name": "Ada", "email": "ada@example.com", "created_at": "2026-11-28T00:00:00+00:00"}
    )
    table.update_item(
        Key={"user_id": user_id},
        UpdateExpression="SET #n = :n",
        ExpressionAttributeNames={"#n": "name"},
        ExpressionAttributeValues={":n": "Ada L."},
    )
    table.delete_item(Key={"user_id": user_id})

    audit = _table(backend, f"{prefix}audit")
    trail = eventually(
        lambda: (lambda items: items if len(items) >= 3 else None)(
            audit.query(KeyConditionExpression=Key("entity_id").eq(f"{users}#user_id={user_id}"))["Items"]
        ),
        timeout_s=60,
    )
    assert trail, "three changes should leave three audit entries"
    assert [entry["event_name"] for entry in sorted(trail, key=lambda e: e["sequence_number"])] == [
        "INSERT",
        "MODIFY",
        "REMOVE",
    ]
    notes = _drain(backend, watch, expected=3)
    assert len(notes) >= 3 and user_id in json.dumps(notes)


# --- queue_worker: SQS -> Lambda (partial batch failures, idempotency) --------------------


def test_queue_worker_processes_each_order_once_and_dead_letters_poison(backend):
    prefix = f"{PREFIX}queue-"
    dlq = reference_deploys.ensure_queue(f"{prefix}orders-dlq", backend)
    sqs = clients.client("sqs", backend)
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue = reference_deploys.ensure_queue(
        f"{prefix}orders",
        backend,
        VisibilityTimeout="5",
        RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"}),
    )
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    dep = reference_deploys.deploy_handler(
        "queue_worker", "e2e-queue-worker", prefix=prefix, backend=backend, timeout=5
    )
    triggers.event_source_mapping(dep.name, queue_arn, batch_size=10, backend=backend)

    def order(oid: str, amount_cents: int = 1999) -> str:
        return json.dumps({"order_id": oid, "customer_id": "c-1", "amount_cents": amount_cents, "currency": "EUR"})

    run = uuid.uuid4().hex[:6]
    ids = [f"o-{run}-{n}" for n in range(3)]
    entries = [{"Id": str(n), "MessageBody": order(oid)} for n, oid in enumerate(ids)]
    entries.append({"Id": "dup", "MessageBody": order(ids[0])})  # the same order sent twice
    entries.append({"Id": "poison", "MessageBody": "{not json"})
    sqs.send_message_batch(QueueUrl=queue, Entries=entries)

    orders = _table(backend, f"{prefix}orders")

    def processed():
        items = [orders.get_item(Key={"order_id": oid}).get("Item") for oid in ids]
        return items if all(items) else None

    items = eventually(processed, timeout_s=60)
    assert items, "every valid order should be recorded"
    assert int(items[0]["charge_count"]) == 1  # the duplicate was not charged again
    assert all(int(item["charge_count"]) == 1 for item in items)

    # an order id reused with another amount is not a duplicate: it fails every receive
    conflict = order(ids[1], amount_cents=99_999)
    sqs.send_message(QueueUrl=queue, MessageBody=conflict)

    # the poison message and the conflict failed alone; after maxReceiveCount receives SQS
    # moved them to the DLQ
    dead: set[str] = set()

    def both_dead_lettered():
        resp = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in resp.get("Messages", []):
            dead.add(message["Body"])
            sqs.delete_message(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"])
        return {"{not json", conflict} <= dead

    assert eventually(both_dead_lettered, timeout_s=60), dead
    stored = orders.get_item(Key={"order_id": ids[1]})["Item"]
    assert (int(stored["amount_cents"]), int(stored["charge_count"])) == (1999, 1)


# --- notifier: SNS -> Lambda -> SQS + table ----------------------------------------------


def test_notifier_forwards_sns_messages(backend):
    prefix = f"{PREFIX}notify-"
    dep = reference_deploys.deploy_handler("notifier", "e2e-notifier", prefix=prefix, backend=backend)
    topic = reference_deploys.ensure_topic(f"{prefix}alerts", backend)
    triggers.sns_subscription(topic, dep.arn, backend=backend)
    marker = uuid.uuid4().hex
    clients.client("sns", backend).publish(
        TopicArn=topic, Subject="Disk almost full", Message=f"volume {marker} at 91%"
    )
    forwarded = _drain(backend, dep.configuration["Environment"]["Variables"]["FORWARD_QUEUE_URL"], expected=1)
    assert forwarded and marker in json.dumps(forwarded)


# --- scheduled_report: EventBridge -> Lambda -> S3 ----------------------------------------


def test_scheduled_report_writes_a_summary(backend):
    prefix = f"{PREFIX}report-"
    dep = reference_deploys.deploy_handler("scheduled_report", "e2e-scheduled-report", prefix=prefix, backend=backend)
    env = dep.configuration["Environment"]["Variables"]
    users = _table(backend, env["USERS_TABLE"])
    for n, domain in enumerate(["example.com", "example.com", "example.org"]):
        users.put_item(
            Item={
                "user_id": f"r{n}",
                "name": f"User {n}",
                "email": f"u{n}@{domain}",
                "created_at": f"2026-11-2{n}T10:00:00+00:00",
            }
        )
    # the production trigger is a schedule; the test sends the same event shape on demand
    triggers.eventbridge_rule("e2e-nightly-report", dep.arn, schedule="cron(0 2 * * ? *)", backend=backend)
    source = f"lambda-lab.e2e.{uuid.uuid4().hex[:6]}"
    triggers.eventbridge_rule("e2e-report-now", dep.arn, event_pattern={"source": [source]}, backend=backend)
    scheduled = load_event("eventbridge_scheduled")
    clients.client("events", backend).put_events(
        Entries=[
            {
                "Source": source,
                "DetailType": scheduled["detail-type"],
                "Detail": json.dumps(scheduled["detail"]),
            }
        ]
    )
    s3 = clients.client("s3", backend)
    keys = eventually(
        lambda: [o["Key"] for o in s3.list_objects_v2(Bucket=env["REPORT_BUCKET"]).get("Contents", [])], timeout_s=30
    )
    assert keys, "the report should be written to the bucket"
    report = json.loads(s3.get_object(Bucket=env["REPORT_BUCKET"], Key=keys[-1])["Body"].read())
    assert "3" in json.dumps(report) and "example.org" in json.dumps(report)


# --- order_saga: Step Functions -> Lambda steps and compensations -------------------------


def _run(backend, machine, order, timeout_s=60):
    sfn = clients.client("stepfunctions", backend)
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"order": order}))["executionArn"]
    final = eventually(
        lambda: (lambda d: d if d["status"] != "RUNNING" else None)(sfn.describe_execution(executionArn=execution)),
        timeout_s=timeout_s,
    )
    history = sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]
    return final, entered


def test_order_saga_happy_path_and_compensation(backend):
    prefix = f"{PREFIX}saga-"
    dep = reference_deploys.deploy_handler("order_saga", "e2e-order-saga", prefix=prefix, backend=backend)
    machine = reference_deploys.order_saga_state_machine(dep.arn, name="e2e-order-saga", backend=backend)
    saga = _table(backend, f"{prefix}saga")
    base = load_event("order_saga_input")["order"]

    good = {**base, "order_id": f"ok-{uuid.uuid4().hex[:8]}"}
    final, entered = _run(backend, machine, good)
    assert final["status"] == "SUCCEEDED", final
    assert entered[-1] == "OrderCompleted"
    assert saga.get_item(Key={"order_id": good["order_id"]})["Item"]["shipment_status"] == "SHIPPED"

    declined = {**base, "order_id": f"no-{uuid.uuid4().hex[:8]}", "amount_cents": 10_000_000}
    final, entered = _run(backend, machine, declined)
    assert final["status"] == "FAILED"
    assert "ChargePayment" in entered and "ReleaseInventory" in entered and "ShipOrder" not in entered
    # As on AWS: the function's PaymentDeclined reaches Step Functions by name, so the Catch on
    # PaymentDeclined fires and goes straight to ReleaseInventory; the States.ALL fallback
    # (refund, then release) does not run.
    assert entered[entered.index("ChargePayment") + 1] == "ReleaseInventory"
    assert "RefundPayment" not in entered
    assert saga.get_item(Key={"order_id": declined["order_id"]})["Item"]["reservation_status"] == "RELEASED"

    out_of_stock = {**base, "order_id": f"oos-{uuid.uuid4().hex[:8]}", "items": [{"sku": "BOOK-42", "quantity": 50}]}
    final, entered = _run(backend, machine, out_of_stock)
    assert entered == ["ReserveInventory", "OrderRejected"]  # the Catch on OutOfStock, by name
