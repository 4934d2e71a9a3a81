"""csv_import: S3 CSV in, validated users out, a report of the rows refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from reference_app.handlers import csv_import

BUCKET = "lab-etl"
GOOD = "user_id,name,email\nu-1,Ada,ada@Example.COM\n u-2 , Grace ,grace@example.com\n"


@pytest.fixture
def bucket(s3: Any) -> str:
    s3.create_bucket(Bucket=BUCKET)
    return BUCKET


@pytest.fixture
def users(make_table: Callable[..., Any]) -> Any:
    return make_table("users", env="USERS_TABLE")


def put_event(event: Callable, key: str) -> dict:
    upload = event("s3_put")
    upload["Records"][0]["s3"]["bucket"]["name"] = BUCKET
    upload["Records"][0]["s3"]["object"]["key"] = key.replace(" ", "+")
    return upload


def test_rows_are_trimmed_normalised_and_loaded(s3, bucket, users, event, lambda_context, scan):
    s3.put_object(Bucket=bucket, Key="imports/my users.csv", Body=("\ufeff" + GOOD).encode())
    answer = csv_import.lambda_handler(put_event(event, "imports/my users.csv"), lambda_context)
    assert answer["files"][0] | {"key": None} == {
        "key": None,
        "loaded": 2,
        "rejected": 0,
        "rejects_key": "rejects/my users.json",
    }
    loaded = {u["user_id"]: u for u in scan(users)}
    assert loaded["u-1"]["email"] == "ada@example.com" and loaded["u-2"]["name"] == "Grace"
    assert loaded["u-1"]["created_at"] == event("s3_put")["Records"][0]["eventTime"]


def test_bad_rows_are_refused_by_row_and_field_without_their_values(s3, bucket, users, event, lambda_context, scan):
    body = GOOD + "u 3,Bad Id,b@example.com\nu-4,,n@example.com\nu-5,No Mail,nope\nu-1,Again,a2@example.com\n"
    s3.put_object(Bucket=bucket, Key="imports/users.csv", Body=body.encode())
    csv_import.lambda_handler(put_event(event, "imports/users.csv"), lambda_context)
    report = json.loads(s3.get_object(Bucket=bucket, Key="rejects/users.json")["Body"].read())
    assert [(r["row"], r["field"]) for r in report["rejected"]] == [
        (4, "user_id"),
        (5, "name"),
        (6, "email"),
        (7, "user_id"),
    ]
    assert "nope" not in json.dumps(report) and report["loaded"] == 2
    assert sorted(u["user_id"] for u in scan(users)) == ["u-1", "u-2"]


def test_the_same_event_twice_writes_the_same_items(s3, bucket, users, event, lambda_context, scan):
    s3.put_object(Bucket=bucket, Key="imports/users.csv", Body=GOOD.encode())
    csv_import.lambda_handler(put_event(event, "imports/users.csv"), lambda_context)
    first = scan(users)
    csv_import.lambda_handler(put_event(event, "imports/users.csv"), lambda_context)
    assert scan(users) == first


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"id,name\n1,Ada\n", "the header lacks user_id, email"),
        (b"\xff\xfeuser_id", "the file is not UTF-8"),
        (b"", "the header lacks user_id, name, email"),
        # one field over the csv module's limit (131072 characters): no retry could ever read it
        (
            b'user_id,name,email\nu-1,Ada,ada@example.com\nu-2,"' + b"x" * 140_000 + b'",g@example.com\n',
            "the file is not readable CSV after line 2: field larger than field limit (131072)",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(s3, bucket, users, event, lambda_context, scan, body, reason):
    s3.put_object(Bucket=bucket, Key="imports/users.csv", Body=body)
    answer = csv_import.lambda_handler(put_event(event, "imports/users.csv"), lambda_context)
    assert (answer["files"][0]["loaded"], answer["files"][0]["rejected"]) == (0, 1)
    report = json.loads(s3.get_object(Bucket=bucket, Key="rejects/users.json")["Body"].read())
    assert report["rejected"] == [{"row": None, "field": None, "reason": reason}]
    assert scan(users) == []  # not even the rows before the one that broke the file


def test_a_key_outside_imports_is_skipped(s3, bucket, users, event, lambda_context, scan):
    s3.put_object(Bucket=bucket, Key="rejects/users.json", Body=GOOD.encode())
    assert csv_import.lambda_handler(put_event(event, "rejects/users.json"), lambda_context) == {"files": []}
    assert scan(users) == [] and [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [
        "rejects/users.json"
    ]
