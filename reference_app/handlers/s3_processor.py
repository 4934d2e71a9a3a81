"""Process objects uploaded to S3: images, text/CSV and JSON, one outcome per record.

What it demonstrates
    The seed's Go S3 handler, in Python and corrected:
    - keys arrive URL-encoded in S3 events (a space is ``+``); they are decoded with
      ``urllib.parse.unquote_plus`` before any API call (the seed used them raw, so every
      key with a space or non-ASCII character failed ``HeadObject``);
    - a missing or unusual ``Content-Type`` is skipped and logged, never dereferenced (the
      seed panicked on a nil pointer); ``text/plain; charset=utf-8`` counts as ``text/plain``;
    - one bad object never stops the others: each record gets its own outcome
      (``processed`` / ``invalid`` / ``skipped`` / ``deleted`` / ``failed``), written to the
      results table and returned in a summary;
    - permanent and transient failures are told apart. Only a problem that a retry cannot
      fix becomes a ``failed`` outcome: the object is gone (404), its content cannot be
      read as what its type says (a corrupt image), or the record is malformed. Anything
      else (S3 throttling with ``SlowDown``, ``InternalError``, a timeout, ``AccessDenied``,
      a results table that cannot be written, an unexpected exception) fails the
      invocation with ``TransientFailure`` after the other records are done, so Lambda's
      asynchronous retries run the event again and, when they run out, the on-failure
      destination or DLQ keeps it. Recording such an error as an outcome would lose the
      event; not raising when the outcome itself cannot be written would lose it silently.
      A retry re-runs the whole event: every step is idempotent (outcomes and thumbnails
      are overwritten under the same keys);
    - images get their dimensions and a thumbnail written under ``thumbnails/``. Keys
      already under ``thumbnails/`` are skipped: the thumbnail write would otherwise trigger
      this function again, which writes another thumbnail... the recursive-trigger trap.
      Scope the bucket notification to a prefix (``uploads/``) as well; skipping here is the
      second line of defence, and Lambda's recursive-loop detection is the third;
    - text and CSV get line / word / character (and row / column) statistics;
    - JSON is validated against ``USERS_IMPORT_SCHEMA`` with the Powertools ``validation``
      utility (fastjsonschema); a document that fails it is recorded as ``invalid``;
    - ``ObjectRemoved`` events delete the derived thumbnail and record a ``deleted`` outcome.
    Powertools' ``S3Event`` data class decodes keys for you; the raw event is used here on
    purpose, to show what it does.

Trigger
    S3 event notifications (``s3:ObjectCreated:*`` and ``s3:ObjectRemoved:*``), asynchronous
    invocation. An ``s3:TestEvent`` (no ``Records``) is answered with an empty summary.

Environment
    ``RESULTS_TABLE``        DynamoDB table (logical ``results``), key ``bucket`` + ``object_key``
    ``POWERTOOLS_LOG_LEVEL`` optional

Notebooks
    04_triggers (S3 events, key encoding, recursion), 05_error_handling (per-record isolation),
    07_performance_and_cost (Pillow in the package, memory size vs image work).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
from collections import Counter
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from aws_lambda_powertools.utilities.validation import SchemaValidationError, validate
from botocore.exceptions import ClientError
from PIL import Image

REQUIREMENTS = ("aws-lambda-powertools", "fastjsonschema", "pillow")

THUMBNAIL_PREFIX = "thumbnails/"
THUMBNAIL_SIZE = (128, 128)
MAX_OBJECT_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
TEXT_TYPES = frozenset({"text/plain", "text/csv"})
JSON_TYPES = frozenset({"application/json"})

# The user-id and e-mail rules of the users table, copied from users_api (each handler is
# packaged alone); tests/unit/test_shared_rules.py fails when the copies stop agreeing.
USER_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
# "\$" in the class: fastjsonschema turns every unescaped "$" into "\Z" (end of string), even there.
EMAIL = (
    r"^[A-Za-z0-9.!#\$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
USERS_IMPORT_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "users import file",
    "type": "object",
    "required": ["users"],
    "additionalProperties": False,
    "properties": {
        "users": {
            "type": "array",
            "maxItems": 1000,
            "items": {
                "type": "object",
                "required": ["user_id", "name", "email"],
                "additionalProperties": False,
                "properties": {
                    "user_id": {"type": "string", "pattern": USER_ID},
                    "name": {"type": "string", "minLength": 1, "maxLength": 100},
                    # not "format": "email": fastjsonschema's format accepts "a b@c.d" and
                    # "a@b..c" and refuses "a@b", which users_api and the twin decide otherwise
                    "email": {"type": "string", "pattern": EMAIL, "maxLength": 254},
                },
            },
        }
    },
}

# S3 error codes that mean "this object is not there": retrying cannot help.
GONE_CODES = frozenset({"404", "NoSuchKey", "NotFound", "NoSuchBucket"})

logger = Logger(service="s3-processor")


class PermanentFailure(Exception):
    """A record no retry can fix; it becomes a ``failed`` outcome. ``reason`` is safe to store."""

    def __init__(self, reason: str, error_type: str):
        super().__init__(reason)
        self.reason = reason
        self.error_type = error_type


class TransientFailure(RuntimeError):
    """Raised at the end of an invocation when records hit errors a retry may fix."""


@functools.cache
def _s3() -> Any:
    return boto3.client("s3")


@functools.cache
def _results_table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["RESULTS_TABLE"])


def media_type(content_type: str | None) -> str:
    """``"Text/CSV; charset=utf-8"`` -> ``"text/csv"``; ``None`` -> ``""``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


class MalformedRecord(ValueError):
    """An S3 event record without a bucket name and object key."""


def object_location(record: dict[str, Any]) -> tuple[str, str]:
    """Bucket and *decoded* key of an S3 event record."""
    try:
        bucket, key = record["s3"]["bucket"]["name"], record["s3"]["object"]["key"]
    except (KeyError, TypeError) as exc:
        raise MalformedRecord("record has no s3.bucket.name / s3.object.key") from exc
    if not isinstance(bucket, str) or not isinstance(key, str):
        raise MalformedRecord("s3.bucket.name and s3.object.key must be strings")
    return bucket, unquote_plus(key)


# --- per content type: pure functions of the object's bytes (plus S3 for the thumbnail) ---
def describe_image(s3: Any, bucket: str, key: str, data: bytes) -> tuple[str, dict[str, Any]]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height, source_format = image.width, image.height, image.format
            thumbnail = image.copy()  # first frame of an animation
        thumbnail.thumbnail(THUMBNAIL_SIZE)
        out_format = "JPEG" if source_format in ("JPEG", "MPO") else "PNG"
        if out_format == "JPEG" and thumbnail.mode not in ("RGB", "L", "CMYK"):
            thumbnail = thumbnail.convert("RGB")
        buffer = io.BytesIO()
        thumbnail.save(buffer, format=out_format)
    # Pillow reports a corrupt, truncated or hostile file with these (UnidentifiedImageError is an
    # OSError; DecompressionBombError a plain Exception): a property of the object, not of the moment.
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise PermanentFailure("not a readable image", type(exc).__name__) from exc
    thumbnail_key = THUMBNAIL_PREFIX + key  # the put below may fail transiently: outside the try
    s3.put_object(Bucket=bucket, Key=thumbnail_key, Body=buffer.getvalue(), ContentType=Image.MIME[out_format])
    return "processed", {
        "width": width,
        "height": height,
        "format": source_format or "unknown",
        "thumbnail_key": thumbnail_key,
        "thumbnail_width": thumbnail.width,
        "thumbnail_height": thumbnail.height,
    }


def text_statistics(text: str, *, is_csv: bool) -> dict[str, int]:
    stats = {
        "lines": len(text.splitlines()),
        "words": len(text.split()),
        "characters": len(text),
    }
    if is_csv:
        rows = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
        columns = len(rows[0]) if rows else 0
        stats.update(
            columns=columns,
            rows=max(len(rows) - 1, 0),  # the first row is the header
            ragged_rows=sum(1 for row in rows[1:] if len(row) != columns),
        )
    return stats


def check_json_document(data: bytes) -> tuple[str, dict[str, Any]]:
    try:
        document = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return "invalid", {"reason": "not valid UTF-8 JSON"}
    try:
        validate(event=document, schema=USERS_IMPORT_SCHEMA)
    except SchemaValidationError as exc:
        # fastjsonschema messages name the path and the rule ("data.users[0].email must be email"),
        # not the offending value; keep it that way if you change this.
        return "invalid", {"reason": "schema validation failed", "validation_error": str(exc.validation_message)}
    return "processed", {"users": len(document["users"])}


# --- one record ----------------------------------------------------------------------------
def process_record(s3: Any, record: dict[str, Any]) -> dict[str, Any]:
    """Work out the outcome of one S3 event record. May raise (the caller isolates it)."""
    bucket, key = object_location(record)
    event_name = str(record.get("eventName", ""))
    outcome: dict[str, Any] = {
        "bucket": bucket,
        "object_key": key,
        "event_name": event_name,
        "event_time": record.get("eventTime"),
    }
    if key.startswith(THUMBNAIL_PREFIX):
        return {**outcome, "status": "skipped", "reason": "derived object (thumbnails/): not re-processed"}
    if event_name.startswith("ObjectRemoved"):
        s3.delete_object(Bucket=bucket, Key=THUMBNAIL_PREFIX + key)  # no error when there is none
        return {**outcome, "status": "deleted"}
    if not event_name.startswith("ObjectCreated"):
        return {**outcome, "status": "skipped", "reason": "event type not handled"}

    head = s3.head_object(Bucket=bucket, Key=key)
    content_type = media_type(head.get("ContentType"))
    size = int(head.get("ContentLength", 0))
    outcome.update(content_type=content_type or "(none)", size=size)
    if content_type not in IMAGE_TYPES | TEXT_TYPES | JSON_TYPES:
        logger.info("unsupported content type, skipped", extra={"key": key, "content_type": content_type})
        return {**outcome, "status": "skipped", "reason": "unsupported content type"}
    if size > MAX_OBJECT_BYTES:
        return {**outcome, "status": "skipped", "reason": f"larger than {MAX_OBJECT_BYTES} bytes"}

    data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    if content_type in IMAGE_TYPES:
        status, details = describe_image(s3, bucket, key, data)
    elif content_type in TEXT_TYPES:
        text = data.decode("utf-8", errors="replace")
        status, details = "processed", text_statistics(text, is_csv=content_type == "text/csv")
    else:
        status, details = check_json_document(data)
    return {**outcome, "status": status, "details": details}


def save_outcome(table: Any, outcome: dict[str, Any]) -> None:
    item = {k: v for k, v in outcome.items() if v is not None}
    table.put_item(Item={**item, "processed_at": datetime.now(UTC).isoformat()})


def process_event(s3: Any, table: Any, event: dict[str, Any]) -> dict[str, Any]:
    """Process every record; one failure never stops the others. Returns a summary, or raises
    ``TransientFailure`` once every record was tried if any hit an error a retry may fix."""
    outcomes = []
    transient: list[Exception] = []
    records = event.get("Records", [])
    for record in records:
        try:
            outcome = process_record(s3, record)
        except Exception as exc:  # isolation boundary: sort the failure, keep going
            reason = permanent_reason(exc)
            if reason is None:
                logger.exception("record failed, will be retried", extra={"record": _object_of(record)})
                transient.append(exc)
                continue
            logger.exception("record failed permanently", extra={"record": _object_of(record), "reason": reason})
            bucket, key = _location_or_unknown(record)
            outcome = {"bucket": bucket, "object_key": key, "status": "failed", **reason_fields(exc, reason)}
        try:
            save_outcome(table, outcome)
        except Exception as exc:  # an outcome that exists nowhere must not be reported as done
            logger.exception("could not save outcome, will be retried", extra={"outcome": outcome})
            transient.append(exc)
            continue
        outcomes.append(outcome)
    if transient:
        raise TransientFailure(
            f"{len(transient)} of {len(records)} records hit an error a retry may fix; "
            "failing the invocation so Lambda retries the event"
        ) from transient[0]
    counts = Counter(outcome["status"] for outcome in outcomes)
    return {
        "records": len(outcomes),
        **{status: counts.get(status, 0) for status in ("processed", "invalid", "skipped", "deleted", "failed")},
        "outcomes": [
            {"object_key": o["object_key"], "status": o["status"], **({"reason": o["reason"]} if "reason" in o else {})}
            for o in outcomes
        ],
    }


def permanent_reason(exc: Exception) -> str | None:
    """Why no retry can fix this record, or None when one might (then the invocation fails)."""
    if isinstance(exc, PermanentFailure):
        return exc.reason
    if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in GONE_CODES:
        code = exc.response["Error"]["Code"]
        return f"object no longer exists ({code})"
    if isinstance(exc, MalformedRecord):
        return "malformed S3 event record"
    return None


def reason_fields(exc: Exception, reason: str) -> dict[str, str]:
    error_type = exc.error_type if isinstance(exc, PermanentFailure) else type(exc).__name__
    return {"error_type": error_type, "reason": reason}


def _object_of(record: Any) -> Any:
    s3 = record.get("s3") if isinstance(record, dict) else None
    return s3.get("object") if isinstance(s3, dict) else None


def _location_or_unknown(record: Any) -> tuple[str, str]:
    try:
        return object_location(record)
    except MalformedRecord:
        return "(unknown)", "(unknown)"


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    summary = process_event(_s3(), _results_table(), event)
    logger.info("batch done", extra={k: v for k, v in summary.items() if k != "outcomes"})
    return summary
