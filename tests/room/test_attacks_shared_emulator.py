"""One emulator a room shares, against a mischievous learner (issue 18): one test per attack.

GIVEN Ada and Bob, who joined a room that shares its emulator (each got an account and its
secret at join), and Bob's work there, WHEN Ada tries to reach it (Bob's account id as her
access key, Bob's queue by its URL, the emulator's internal endpoints, a function that reads
the instructor's files and other workers' environments), THEN each attempt is refused and
Bob's work is untouched.
"""

import io
import json
import os
import urllib.error
import urllib.request
import zipfile

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from reference_app import lab
from reference_app.lab import clients, config
from reference_app.lab.accounts.credentials import FILE, INSTRUCTOR_HEADER, Registry
from reference_app.lab.emulator_patch import room_sandbox

BOB_SECRET_VALUE = "bob-s-private-value-7f3a"
SNOOP = """
import glob, json, os

def handler(event, context):
    found = {"uid": os.getuid(), "environ": [], "read": {}, "listed": {}}
    for path in glob.glob("/proc/[0-9]*/environ"):
        try:
            found["environ"].append(open(path, "rb").read().decode("utf-8", "replace"))
        except OSError:
            pass
    for path in event["read"]:
        try:
            found["read"][path] = open(path).read()[:200]
        except OSError as exc:
            found["read"][path] = "refused: " + type(exc).__name__
    for path in event["list"]:
        found["listed"][path] = sorted(os.path.join(root, name) for root, dirs, files in os.walk(path)
                                       for name in files)
    found["home"] = sorted(os.listdir(event["home"]))
    return found
"""


def _zip(source: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("app.py", source)
    return buf.getvalue()


def _function(name: str, env: dict | None = None) -> str:
    lam = lab.client("lambda")
    account = config.account_id(lab.resolve_backend())
    arn = lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Handler="app.handler",
        Role=f"arn:aws:iam::{account}:role/lab-snoop",
        Code={"ZipFile": _zip(SNOOP)},
        Environment={"Variables": env or {}},
    )["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    return arn


def _invoke(name: str, event: dict) -> dict:
    answer = lab.client("lambda").invoke(FunctionName=name, Payload=json.dumps(event).encode())
    return json.loads(answer["Payload"].read())


@pytest.fixture
def bobs_work(learners, monkeypatch):
    """Bob's function (warm, with a private variable) and queue, and his credentials."""
    from reference_app.lab.accounts import membership
    from reference_app.lab.reference_deploys import ensure_queue

    with learners["bob"].acting(monkeypatch):
        arn = _function("lab-bob-private", {"PRIVATE": BOB_SECRET_VALUE})
        _invoke("lab-bob-private", {"read": [], "list": []})  # a live worker holds his variable
        queue = ensure_queue("lab-bob-jobs")
        lab.client("sqs").send_message(QueueUrl=queue, MessageBody="bob's message")
        topic = lab.client("sns").create_topic(Name="lab-bob-news")["TopicArn"]
        member = membership.load()
    yield {"arn": arn, "queue": queue, "account": member.account, "function": "lab-bob-private", "topic": topic}
    with learners["bob"].acting(monkeypatch):
        lab.reset()


def _bob_still_has_everything(learners, monkeypatch, work):
    with learners["bob"].acting(monkeypatch):
        names = [f["FunctionName"] for f in lab.client("lambda").list_functions()["Functions"]]
        assert work["function"] in names
        attributes = lab.client("sqs").get_queue_attributes(
            QueueUrl=work["queue"], AttributeNames=["ApproximateNumberOfMessages"]
        )
        assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"


def _raw(service: str, endpoint: str, key: str, secret: str):
    """Plain boto3, as a learner's kernel would build it (no profile of the test machine's)."""
    core = botocore.session.Session(session_vars=clients._ISOLATED_VARS)
    return boto3.session.Session(
        botocore_session=core, aws_access_key_id=key, aws_secret_access_key=secret, region_name="us-east-1"
    ).client(service, endpoint_url=endpoint, config=Config(retries={"total_max_attempts": 1}))


def test_bobs_account_id_with_any_secret_opens_nothing(learners, bobs_work, shared_emulator, monkeypatch):
    for secret in ("test", "anything", "x" * 40):
        lam = _raw("lambda", shared_emulator, bobs_work["account"], secret)
        for operation, kwargs in (
            ("list_functions", {}),
            ("invoke", {"FunctionName": bobs_work["function"]}),
            ("delete_function", {"FunctionName": bobs_work["function"]}),
        ):
            with pytest.raises(ClientError, match="SignatureDoesNotMatch|InvalidSignature"):
                getattr(lam, operation)(**kwargs)
    with pytest.raises(ClientError, match="InvalidClientTokenId"):
        _raw("lambda", shared_emulator, "test", "test").list_functions()  # nor the emulator's default key
    _bob_still_has_everything(learners, monkeypatch, bobs_work)


def test_lambda_lab_account_and_reset_with_bobs_id_touch_nothing_of_bobs(learners, bobs_work, monkeypatch):
    with learners["ada"].acting(monkeypatch):
        monkeypatch.setenv("LAMBDA_LAB_ACCOUNT", bobs_work["account"])
        with pytest.raises(ClientError, match="SignatureDoesNotMatch"):
            lab.client("lambda").list_functions()
        said = lab.reset()
        assert "could not clean" in said
    _bob_still_has_everything(learners, monkeypatch, bobs_work)


def test_bobs_queue_function_and_topic_by_url_or_arn_are_not_adas(learners, bobs_work, monkeypatch):
    with learners["ada"].acting(monkeypatch):
        sqs = lab.client("sqs")
        with pytest.raises(ClientError, match="AccessDenied"):
            sqs.receive_message(QueueUrl=bobs_work["queue"], WaitTimeSeconds=0)
        with pytest.raises(ClientError, match="AccessDenied"):
            sqs.send_message(QueueUrl=bobs_work["queue"], MessageBody="from ada")
        with pytest.raises(ClientError, match="AccessDenied"):
            lab.client("lambda").invoke(FunctionName=bobs_work["arn"])
        with pytest.raises(ClientError, match="AccessDenied"):  # the query protocol: the ARN form-encoded
            lab.client("sns").publish(TopicArn=bobs_work["topic"], Message="from ada")
        with pytest.raises(ClientError, match="AccessDenied"):
            lab.client("sns").subscribe(
                TopicArn=bobs_work["topic"],
                Protocol="sqs",
                Endpoint=f"arn:aws:sqs:us-east-1:{config.account_id(lab.resolve_backend())}:x",
            )
    _bob_still_has_everything(learners, monkeypatch, bobs_work)


def _internal(url: str, method: str = "GET", secret: str | None = None) -> int:
    headers = {INSTRUCTOR_HEADER: secret} if secret else {}
    request = urllib.request.Request(url, data=b"{}" if method == "POST" else None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_internal_endpoints_answer_the_instructor_only(
    learners, bobs_work, shared_emulator, instructor_room, monkeypatch
):
    for method, path in (
        ("GET", "/_ministack/sqs/messages"),
        ("POST", "/_ministack/reset"),
        ("POST", "/_ministack/config"),
        ("GET", "/_ministack/ses/messages"),
    ):
        assert _internal(shared_emulator + path, method) == 403, path
        assert _internal(shared_emulator + path, method, secret="guess") == 403, path
    _bob_still_has_everything(learners, monkeypatch, bobs_work)
    instructor = Registry(instructor_room / FILE).instructor
    assert _internal(shared_emulator + "/_ministack/sqs/messages", secret=instructor) == 200
    assert _internal(shared_emulator + "/_localstack/health") == 200  # the health probe stays open


def test_adas_function_cannot_read_the_instructors_files_or_other_workers(
    learners, bobs_work, instructor_room, instructor_home, monkeypatch
):
    event = {
        "read": [str(instructor_room / FILE), str(instructor_room / "progress.json"), "/etc/shadow"],
        "list": [str(instructor_home), str(instructor_room), "/tmp"],
        "home": os.path.expanduser("~"),
    }
    with learners["ada"].acting(monkeypatch):
        _function("lab-ada-snoop")
        found = _invoke("lab-ada-snoop", event)
        lab.reset()
    assert "uid" in found, found
    assert found["uid"] != 0 and found["uid"] != os.getuid()  # not the instructor's user
    assert all(text.startswith("refused") for text in found["read"].values()), found["read"]
    # What a function sees of the instructor's folders: its own code and the SDK, no other file.
    seen = [path for listing in found["listed"].values() for path in listing]
    # ... and, where a hidden folder holds them (a checkout under /tmp), the Python it runs and the kit, read-only
    own = ("ministack-lambda-lab-ada-snoop-", "/runtime-sdk/", *(p + "/" for p in room_sandbox.kit_paths()))
    outside = [path for path in seen if not any(mark in path for mark in own)]
    assert not any("lab-bob-private" in path for path in seen), seen  # no other worker's code
    assert outside == []  # the state and S3 folders are there, empty
    assert found["listed"][str(instructor_room)] == []
    assert set(found["home"]) <= {".pyenv", ".local"}, found["home"]  # the Python it runs, and the SDK's way
    assert not any(BOB_SECRET_VALUE in env or "LAMBDA_LAB_ROOM_CREDENTIALS" in env for env in found["environ"])
    assert not any(bobs_work["function"] in env for env in found["environ"])
    _bob_still_has_everything(learners, monkeypatch, bobs_work)


def test_a_function_keeps_working_with_its_own_accounts_credentials(learners, monkeypatch):
    with learners["ada"].acting(monkeypatch):
        source = (
            SNOOP + "\ndef mine(event, context):\n    import boto3\n"
            "    return boto3.client('sqs').list_queues().get('QueueUrls', [])\n"
        )
        lam = lab.client("lambda")
        account = config.account_id(lab.resolve_backend())
        lam.create_function(
            FunctionName="lab-ada-lists",
            Runtime="python3.12",
            Handler="app.mine",
            Role=f"arn:aws:iam::{account}:role/x",
            Code={"ZipFile": _zip(source)},
        )
        lam.get_waiter("function_active_v2").wait(FunctionName="lab-ada-lists")
        lab.client("sqs").create_queue(QueueName="lab-ada-own")
        answer = lam.invoke(FunctionName="lab-ada-lists")
        payload = json.loads(answer["Payload"].read())
        lab.reset()
    assert "FunctionError" not in answer, payload
    assert [url.rsplit("/", 1)[1] for url in payload] == ["lab-ada-own"]
