"""scheduled_report: EventBridge schedule -> paginated scan -> JSON summary in S3."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reference_app.handlers import scheduled_report
from reference_app.lab.resources import ensure_bucket

REPORT_KEY = "reports/users/2024/01/12/users-20240112T060000Z.json"  # from the sample event's "time"


@pytest.fixture
def report_bucket(s3: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    name = ensure_bucket(s3, "lab-reports")
    monkeypatch.setenv("REPORT_BUCKET", name)
    return name


def add_users(table: Any, users: list[tuple[str, str, str]]) -> None:
    with table.batch_writer() as batch:
        for user_id, email, created_at in users:
            batch.put_item(Item={"user_id": user_id, "name": "N", "email": email, "created_at": created_at})


def read_report(s3: Any, bucket: str, key: str = REPORT_KEY) -> dict[str, Any]:
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def test_report_summarises_every_user_across_scan_pages(
    users_table, report_bucket, s3, event, lambda_context, monkeypatch
):
    # GIVEN 23 users and a scan page size of 5 (so the scan needs five pages)
    monkeypatch.setattr(scheduled_report, "SCAN_PAGE_SIZE", 5)
    users = [
        (f"u-{n}", f"user{n}@{'Example.com' if n % 3 else 'other.org'}", f"2024-01-{n + 1:02d}T00:00:00.000Z")
        for n in range(23)
    ]
    add_users(users_table, users)
    scan_calls: list[str] = []
    scheduled_report._dynamodb().meta.events.register(
        "before-call.dynamodb.Scan", lambda **_: scan_calls.append("Scan")
    )
    # WHEN the scheduled event fires
    result = scheduled_report.lambda_handler(event("eventbridge_scheduled"), lambda_context)
    # THEN the report, at a key derived from the event time, counts all of them
    assert result == {"bucket": report_bucket, "key": REPORT_KEY, "user_count": 23}
    assert len(scan_calls) >= 5
    report = read_report(s3, report_bucket)
    assert report == {
        "scheduled_for": "2024-01-12T06:00:00Z",
        "user_count": 23,
        "by_email_domain": {"example.com": 15, "other.org": 8},
        "newest_created_at": "2024-01-23T00:00:00.000Z",
    }


def test_rerun_overwrites_the_same_object(users_table, report_bucket, s3, event, lambda_context):
    add_users(users_table, [("u-1", "a@example.com", "2024-01-01T00:00:00.000Z")])
    scheduled_report.lambda_handler(event("eventbridge_scheduled"), lambda_context)
    add_users(users_table, [("u-2", "b@example.com", "2024-01-02T00:00:00.000Z")])
    scheduled_report.lambda_handler(event("eventbridge_scheduled"), lambda_context)
    listed = s3.list_objects_v2(Bucket=report_bucket)
    assert [o["Key"] for o in listed["Contents"]] == [REPORT_KEY]
    assert read_report(s3, report_bucket)["user_count"] == 2


def test_empty_table(users_table, report_bucket, s3, event, lambda_context):
    scheduled_report.lambda_handler(event("eventbridge_scheduled"), lambda_context)
    report = read_report(s3, report_bucket)
    assert (report["user_count"], report["by_email_domain"], report["newest_created_at"]) == (0, {}, None)


@pytest.mark.parametrize("time", [None, "", "yesterday", 1705039200])
def test_event_without_usable_time_is_rejected(users_table, report_bucket, event, lambda_context, time):
    scheduled = event("eventbridge_scheduled")
    scheduled["time"] = time
    with pytest.raises(scheduled_report.InvalidScheduleEvent):
        scheduled_report.lambda_handler(scheduled, lambda_context)


@pytest.mark.parametrize(
    ("time", "key"),
    [
        ("2024-01-12T06:00:00Z", REPORT_KEY),
        ("2024-01-12T07:00:00+01:00", REPORT_KEY),
        ("2024-12-31T23:59:59", "reports/users/2024/12/31/users-20241231T235959Z.json"),
    ],
)
def test_report_key_is_utc(time, key):
    assert scheduled_report.report_key(scheduled_report.scheduled_time({"time": time})) == key


def test_summarise_tolerates_incomplete_items():
    summary = scheduled_report.summarise(
        [{"email": "A@X.org"}, {"created_at": "2024-01-01T00:00:00.000Z"}, {"email": "bad"}]
    )
    assert summary == {
        "user_count": 3,
        "by_email_domain": {"(none)": 2, "x.org": 1},
        "newest_created_at": "2024-01-01T00:00:00.000Z",
    }
