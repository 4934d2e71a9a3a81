"""s3_processor: per-record outcomes for S3 notifications (images, text, JSON, everything else)."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from PIL import Image

from reference_app.handlers import s3_processor
from reference_app.lab.resources import ensure_bucket

BUCKET = "lab-uploads"


@pytest.fixture
def results_table(make_table: Callable[..., Any]) -> Any:
    return make_table("results", env="RESULTS_TABLE")


@pytest.fixture
def bucket(s3: Any, results_table: Any) -> str:
    return ensure_bucket(s3, BUCKET)


@pytest.fixture
def s3_event(event: Callable[[str], dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """``s3_event("uploads/a b.png", "uploads/c.txt", name="ObjectCreated:Put")``: keys are encoded as S3 does."""

    def make(*keys: str, name: str = "ObjectCreated:Put") -> dict[str, Any]:
        template = event("s3_put")["Records"][0]
        records = []
        for key in keys:
            record = copy.deepcopy(template)
            record["eventName"] = name
            record["s3"]["object"]["key"] = quote_plus(key, safe="/")
            records.append(record)
        return {"Records": records}

    return make


def png_bytes(width: int = 300, height: int = 200, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), color=(200, 30, 30) if mode == "RGB" else None).save(buffer, format="PNG")
    return buffer.getvalue()


def put(s3: Any, key: str, body: bytes, content_type: str | None) -> None:
    extra = {"ContentType": content_type} if content_type else {}
    s3.put_object(Bucket=BUCKET, Key=key, Body=body, **extra)


def result_item(table: Any, key: str) -> dict[str, Any]:
    return table.get_item(Key={"bucket": BUCKET, "object_key": key})["Item"]


def test_sample_event_key_is_url_decoded(bucket, s3, results_table, event, lambda_context):
    # GIVEN the bundled s3_put event, whose key arrives as "uploads/holiday+photo+2024.png"
    put(s3, "uploads/holiday photo 2024.png", png_bytes(), "image/png")
    # WHEN it is processed
    summary = s3_processor.lambda_handler(event("s3_put"), lambda_context)
    # THEN the real key (with spaces) was read, and the outcome is stored under it
    assert summary["processed"] == 1 and summary["failed"] == 0
    assert result_item(results_table, "uploads/holiday photo 2024.png")["status"] == "processed"


@pytest.mark.parametrize("key", ["uploads/a b.txt", "uploads/1+1=2.txt", "uploads/café ünï.txt", "uploads/100%.txt"])
def test_encoded_keys_are_decoded(bucket, s3, results_table, s3_event, lambda_context, key):
    put(s3, key, b"one two\nthree\n", "text/plain")
    summary = s3_processor.lambda_handler(s3_event(key), lambda_context)
    assert summary["outcomes"] == [{"object_key": key, "status": "processed"}]


def test_image_gets_dimensions_and_a_thumbnail(bucket, s3, results_table, s3_event, lambda_context):
    # GIVEN a 300x200 PNG
    put(s3, "uploads/red.png", png_bytes(300, 200), "image/png")
    # WHEN its creation event is processed
    s3_processor.lambda_handler(s3_event("uploads/red.png"), lambda_context)
    # THEN dimensions are recorded and a thumbnail within 128x128 exists under thumbnails/
    details = result_item(results_table, "uploads/red.png")["details"]
    assert (details["width"], details["height"], details["format"]) == (300, 200, "PNG")
    thumbnail = s3.get_object(Bucket=BUCKET, Key="thumbnails/uploads/red.png")
    assert thumbnail["ContentType"] == "image/png"
    with Image.open(io.BytesIO(thumbnail["Body"].read())) as image:
        assert image.size == (128, 85) == (details["thumbnail_width"], details["thumbnail_height"])


def test_rgba_jpeg_content_gets_jpeg_thumbnail(bucket, s3, results_table, s3_event, lambda_context):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 256)).save(buffer, format="JPEG")
    put(s3, "uploads/tall.jpg", buffer.getvalue(), "image/jpeg")
    s3_processor.lambda_handler(s3_event("uploads/tall.jpg"), lambda_context)
    assert s3.head_object(Bucket=BUCKET, Key="thumbnails/uploads/tall.jpg")["ContentType"] == "image/jpeg"


def test_thumbnail_keys_are_not_reprocessed(bucket, s3, results_table, s3_event, lambda_context):
    # GIVEN the event S3 sends for our own thumbnail write
    put(s3, "thumbnails/uploads/red.png", png_bytes(), "image/png")
    # WHEN it reaches the function
    summary = s3_processor.lambda_handler(s3_event("thumbnails/uploads/red.png"), lambda_context)
    # THEN it is skipped (no thumbnail of the thumbnail: no recursive loop)
    assert summary["skipped"] == 1 and "thumbnails/" in summary["outcomes"][0]["reason"]
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="thumbnails/thumbnails/")
    assert listed["KeyCount"] == 0


def test_missing_content_type_is_skipped_not_crashed(bucket, s3, results_table, s3_event, lambda_context):
    # GIVEN HeadObject answers without a ContentType (what crashed the Go seed)
    put(s3, "uploads/mystery", b"\x00\x01", None)
    client = s3_processor._s3()
    client.meta.events.register("after-call.s3.HeadObject", lambda parsed, **_: parsed.pop("ContentType", None))
    # WHEN the object is processed
    summary = s3_processor.lambda_handler(s3_event("uploads/mystery"), lambda_context)
    # THEN it is skipped and recorded, nothing fails
    assert summary["skipped"] == 1 and summary["failed"] == 0
    item = result_item(results_table, "uploads/mystery")
    assert (item["status"], item["content_type"]) == ("skipped", "(none)")


@pytest.mark.parametrize("content_type", ["application/zip", "binary/octet-stream", "video/mp4"])
def test_unsupported_types_are_skipped(bucket, s3, results_table, s3_event, lambda_context, content_type):
    put(s3, "uploads/file", b"data", content_type)
    summary = s3_processor.lambda_handler(s3_event("uploads/file"), lambda_context)
    assert summary["outcomes"] == [
        {"object_key": "uploads/file", "status": "skipped", "reason": "unsupported content type"}
    ]


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("text/plain", b"one two three\nfour\n\nfive six", {"lines": 4, "words": 6, "characters": 28}),
        ("text/plain; charset=utf-8", "ünï cödé\n".encode(), {"lines": 1, "words": 2, "characters": 9}),
        (
            "Text/CSV",
            b"id,name\n1,Ada\n2,Grace\n3\n",
            {"lines": 4, "words": 4, "columns": 2, "rows": 3, "ragged_rows": 1},
        ),
        ("text/csv", b"", {"lines": 0, "words": 0, "columns": 0, "rows": 0}),
    ],
)
def test_text_and_csv_statistics(bucket, s3, results_table, s3_event, lambda_context, content_type, body, expected):
    put(s3, "uploads/data", body, content_type)
    s3_processor.lambda_handler(s3_event("uploads/data"), lambda_context)
    details = result_item(results_table, "uploads/data")["details"]
    assert {k: details[k] for k in expected} == expected


@pytest.mark.parametrize(
    ("document", "status", "detail"),
    [
        ({"users": [{"user_id": "u-1", "name": "Ada", "email": "ada@example.com"}]}, "processed", {"users": 1}),
        ({"users": [{"user_id": "u-1", "name": "Ada"}]}, "invalid", {"reason": "schema validation failed"}),
        (
            {"users": [{"user_id": "u-1", "name": "Ada", "email": "nope"}]},
            "invalid",
            {"reason": "schema validation failed"},
        ),
        ({"people": []}, "invalid", {"reason": "schema validation failed"}),
        ("{not json", "invalid", {"reason": "not valid UTF-8 JSON"}),
    ],
)
def test_json_is_validated_against_schema(
    bucket, s3, results_table, s3_event, lambda_context, document, status, detail
):
    body = document.encode() if isinstance(document, str) else json.dumps(document).encode()
    put(s3, "uploads/import.json", body, "application/json")
    s3_processor.lambda_handler(s3_event("uploads/import.json"), lambda_context)
    item = result_item(results_table, "uploads/import.json")
    assert item["status"] == status
    assert {k: item["details"][k] for k in detail} == detail
    if status == "invalid" and "validation_error" in item["details"]:
        assert item["details"]["validation_error"].startswith("data")  # names the path, not the value
        assert "nope" not in item["details"]["validation_error"]


def test_one_bad_object_does_not_stop_the_others(bucket, s3, results_table, s3_event, lambda_context, scan):
    # GIVEN a corrupt "PNG", a key that no longer exists, and a good text file
    put(s3, "uploads/corrupt.png", b"definitely not a png", "image/png")
    put(s3, "uploads/good.txt", b"hello world", "text/plain")
    event = s3_event("uploads/corrupt.png", "uploads/gone.txt", "uploads/good.txt")
    # WHEN they arrive in one event
    summary = s3_processor.lambda_handler(event, lambda_context)
    # THEN each has its own outcome, the good one is processed, and failures name only the error type
    assert [o["status"] for o in summary["outcomes"]] == ["failed", "failed", "processed"]
    assert (summary["records"], summary["processed"], summary["failed"]) == (3, 1, 2)
    items = {item["object_key"]: item for item in scan(results_table)}
    assert items["uploads/corrupt.png"]["error_type"] == "UnidentifiedImageError"
    assert (items["uploads/gone.txt"]["error_type"], items["uploads/gone.txt"]["reason"]) == (
        "ClientError",
        "object no longer exists (404)",
    )
    assert set(items["uploads/gone.txt"]) == {"bucket", "object_key", "status", "error_type", "reason", "processed_at"}


# --- transient errors fail the invocation (async retries, then the on-failure destination / DLQ) ----------
def fail_calls(client: Any, operation: str, error: Exception, key: str | None = None) -> None:
    """Make ``operation`` calls on ``client`` (for ``key`` only, if given) raise ``error``, as if
    the SDK's own retries had run out."""

    def raise_error(params: dict[str, Any], **_: Any) -> None:
        if key is None or params.get("Key") == key:
            raise error

    client.meta.events.register(
        f"before-parameter-build.{client.meta.service_model.service_name}.{operation}", raise_error
    )


SLOW_DOWN = ClientError(
    {
        "Error": {"Code": "SlowDown", "Message": "Please reduce your request rate."},
        "ResponseMetadata": {"HTTPStatusCode": 503},
    },
    "GetObject",
)


def test_throttled_get_object_fails_the_invocation_not_the_record(
    bucket, s3, results_table, s3_event, lambda_context, scan
):
    # GIVEN two uploads, and S3 throttling GetObject for one of them
    put(s3, "uploads/a.txt", b"alpha", "text/plain")
    put(s3, "uploads/b.txt", b"beta", "text/plain")
    fail_calls(s3_processor._s3(), "GetObject", SLOW_DOWN, key="uploads/b.txt")
    # WHEN the event is processed
    with pytest.raises(s3_processor.TransientFailure, match="1 of 2 records"):
        s3_processor.lambda_handler(s3_event("uploads/a.txt", "uploads/b.txt"), lambda_context)
    # THEN the invocation failed (Lambda retries it), the other record is done, and the throttled
    # one is not recorded as a permanent failure
    assert {item["object_key"]: item["status"] for item in scan(results_table)} == {"uploads/a.txt": "processed"}


def test_retry_after_a_transient_error_completes_the_event(bucket, s3, results_table, s3_event, lambda_context, scan):
    put(s3, "uploads/a.txt", b"alpha", "text/plain")
    event = s3_event("uploads/a.txt")
    fail_calls(s3_processor._s3(), "GetObject", SLOW_DOWN)
    with pytest.raises(s3_processor.TransientFailure):
        s3_processor.lambda_handler(copy.deepcopy(event), lambda_context)
    # Lambda's asynchronous retry, once S3 answers again
    s3_processor._s3.cache_clear()
    assert s3_processor.lambda_handler(event, lambda_context)["processed"] == 1
    assert [item["status"] for item in scan(results_table)] == ["processed"]


def test_unwritable_results_table_fails_the_invocation(
    bucket, s3, results_table, s3_event, lambda_context, monkeypatch
):
    # GIVEN the results table cannot be written
    put(s3, "uploads/a.txt", b"alpha", "text/plain")
    monkeypatch.setenv("RESULTS_TABLE", "lab-no-such-results")
    s3_processor._results_table.cache_clear()
    # WHEN an upload is processed
    # THEN the invocation fails: an outcome that exists nowhere must not be reported as processed
    with pytest.raises(s3_processor.TransientFailure, match="1 of 1 records"):
        s3_processor.lambda_handler(s3_event("uploads/a.txt"), lambda_context)


@pytest.mark.parametrize(
    "error",
    [
        ClientError({"Error": {"Code": "InternalError", "Message": "We encountered an internal error."}}, "HeadObject"),
        ClientError({"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, "HeadObject"),
        EndpointConnectionError(endpoint_url="https://s3.us-east-1.amazonaws.com"),
    ],
    ids=["InternalError", "AccessDenied", "EndpointConnectionError"],
)
def test_other_aws_errors_fail_the_invocation(bucket, s3, results_table, s3_event, lambda_context, scan, error):
    put(s3, "uploads/a.txt", b"alpha", "text/plain")
    fail_calls(s3_processor._s3(), "HeadObject", error)
    with pytest.raises(s3_processor.TransientFailure) as raised:
        s3_processor.lambda_handler(s3_event("uploads/a.txt"), lambda_context)
    assert raised.value.__cause__ is error  # the first one, for the log and the DLQ's error message
    assert scan(results_table) == []


def test_thumbnail_write_failure_is_not_blamed_on_the_image(bucket, s3, results_table, s3_event, lambda_context, scan):
    put(s3, "uploads/red.png", png_bytes(), "image/png")
    fail_calls(s3_processor._s3(), "PutObject", ClientError({"Error": {"Code": "SlowDown"}}, "PutObject"))
    with pytest.raises(s3_processor.TransientFailure):
        s3_processor.lambda_handler(s3_event("uploads/red.png"), lambda_context)
    assert scan(results_table) == []


def test_malformed_record_fails_alone(bucket, s3, results_table, s3_event, lambda_context):
    put(s3, "uploads/good.txt", b"hello", "text/plain")
    event = s3_event("uploads/good.txt")
    event["Records"].insert(0, {"eventName": "ObjectCreated:Put", "s3": {}})
    summary = s3_processor.lambda_handler(event, lambda_context)
    assert [o["status"] for o in summary["outcomes"]] == ["failed", "processed"]


def test_oversized_object_is_skipped(bucket, s3, results_table, s3_event, lambda_context, monkeypatch):
    monkeypatch.setattr(s3_processor, "MAX_OBJECT_BYTES", 10)
    put(s3, "uploads/big.txt", b"x" * 11, "text/plain")
    summary = s3_processor.lambda_handler(s3_event("uploads/big.txt"), lambda_context)
    assert summary["skipped"] == 1 and "larger" in summary["outcomes"][0]["reason"]


def test_delete_event_removes_thumbnail(bucket, s3, results_table, s3_event, lambda_context, event):
    # GIVEN a processed image with its thumbnail
    put(s3, "uploads/holiday photo 2024.png", png_bytes(), "image/png")
    s3_processor.lambda_handler(s3_event("uploads/holiday photo 2024.png"), lambda_context)
    s3.delete_object(Bucket=BUCKET, Key="uploads/holiday photo 2024.png")
    # WHEN the bundled ObjectRemoved event arrives
    summary = s3_processor.lambda_handler(event("s3_delete"), lambda_context)
    # THEN the thumbnail is gone and the outcome says deleted
    assert summary["deleted"] == 1
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="thumbnails/")["KeyCount"] == 0
    assert result_item(results_table, "uploads/holiday photo 2024.png")["status"] == "deleted"


def test_s3_test_event_has_no_records(bucket, lambda_context):
    test_event = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2024-01-12T10:15:30.000Z", "Bucket": BUCKET}
    assert s3_processor.lambda_handler(test_event, lambda_context)["records"] == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("IMAGE/PNG", "image/png"),
        ("text/csv; charset=utf-8", "text/csv"),
        (" text/plain ", "text/plain"),
    ],
)
def test_media_type(raw, expected):
    assert s3_processor.media_type(raw) == expected
