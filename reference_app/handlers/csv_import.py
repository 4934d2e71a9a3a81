"""ETL: load users from a CSV file uploaded to S3 into the users table, and report the rows refused.

What it demonstrates
    - Extract: an S3 ``ObjectCreated`` notification scoped to ``imports/``; the key is URL-decoded
      (``unquote_plus``) before it is read, and the file is read as UTF-8 (a BOM, as spreadsheet
      programs write, is dropped).
    - Transform: every row is trimmed and validated with the users API's own rules (copied: each
      handler is packaged alone); a valid row's e-mail domain is lower-cased *after* validation,
      so normalising can never make an invalid address pass. A row that repeats an earlier
      ``user_id`` is refused rather than silently winning.
    - Load: valid rows go to the users table with ``batch_writer`` (25 items per
      ``BatchWriteItem``, unprocessed items resent), keyed by ``user_id``. ``created_at`` is the
      upload's ``eventTime``, so running the same event again writes the same items: the load is
      idempotent, as S3 notifications are delivered at least once.
    - The rows refused are written to ``rejects/<file name>.json`` beside the upload, with the row
      number and the field at fault but not the values (they may be personal data); a file
      without the ``user_id``, ``name`` and ``email`` columns, not UTF-8, or that the ``csv``
      module cannot parse (a field over its size limit) is refused as a whole, and nothing of
      it is loaded. The notification is scoped to ``imports/``, so that write cannot trigger the function again.
    - An error a retry may fix (S3 or DynamoDB throttling) fails the invocation, so Lambda's
      asynchronous retries run the event again, which the idempotent load makes safe.

Trigger
    S3 event notification, ``s3:ObjectCreated:*`` with the prefix ``imports/`` (asynchronous).

Environment
    ``USERS_TABLE``          DynamoDB table (logical ``users``), key ``user_id``

Notebooks
    09_patterns (ETL: S3 CSV in, users out, then the scheduled report over them).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
from typing import Any
from urllib.parse import unquote_plus

import boto3

REQUIREMENTS = ()

IMPORT_PREFIX = "imports/"
REJECTS_PREFIX = "rejects/"
COLUMNS = ("user_id", "name", "email")
MAX_NAME_CHARS = 100
MAX_EMAIL_CHARS = 254
# The users API's user-id and e-mail rules, copied (tests/unit/test_shared_rules.py compares the copies).
USER_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
EMAIL_PATTERN = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)


class RowRefused(ValueError):
    """A row that cannot be loaded; ``field`` names the column at fault."""

    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field = field


class FileRefused(ValueError):
    """A file that cannot be loaded at all (no header, a required column missing, not UTF-8)."""


@functools.cache
def _s3() -> Any:
    return boto3.client("s3")


@functools.cache
def _users_table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["USERS_TABLE"])


def log(level: str, message: str, **fields: Any) -> None:
    print(json.dumps({"level": level, "message": message, **fields}, default=str))


def validate_user(user_id: str, name: str, email: str) -> None:
    """The users API's rules; ``RowRefused`` names the first field that breaks them."""
    if not USER_ID_PATTERN.fullmatch(user_id):
        raise RowRefused("user_id", "user_id must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'")
    if not 1 <= len(name) <= MAX_NAME_CHARS or not name.isprintable():
        raise RowRefused("name", f"name must be 1-{MAX_NAME_CHARS} printable characters")
    if len(email) > MAX_EMAIL_CHARS or not EMAIL_PATTERN.fullmatch(email):
        raise RowRefused("email", "email must be a valid e-mail address")


def transform(row: dict[str, str | None]) -> dict[str, str]:
    """One CSV row (column -> text) as a user: trimmed, validated, e-mail domain lower-cased."""
    user_id, name, email = ((row.get(column) or "").strip() for column in COLUMNS)
    validate_user(user_id, name, email)
    local, _, domain = email.rpartition("@")
    return {"user_id": user_id, "name": name, "email": f"{local}@{domain.lower()}"}


def read_rows(data: bytes) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(users to load, rows refused) of a CSV file; ``FileRefused`` when no row can be read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("the file is not UTF-8") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = [(h or "").strip().lower() for h in reader.fieldnames or []]
    missing = [column for column in COLUMNS if column not in headers]
    if missing:
        raise FileRefused(f"the header lacks {', '.join(missing)}")
    reader.fieldnames = headers
    users: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    try:
        for number, row in enumerate(reader, start=2):  # row 1 is the header
            try:
                user = transform(row)
                if user["user_id"] in seen:
                    raise RowRefused("user_id", f"user_id repeats row {seen[user['user_id']]}")
            except RowRefused as exc:
                refused.append({"row": number, "field": exc.field, "reason": str(exc)})
                continue
            seen[user["user_id"]] = number
            users.append(user)
    except csv.Error as exc:  # a field over csv.field_size_limit(), say: no retry can read it
        raise FileRefused(f"the file is not readable CSV after line {reader.line_num}: {exc}") from None
    return users, refused


def import_object(s3: Any, table: Any, bucket: str, key: str, event_time: str) -> dict[str, Any]:
    data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    try:
        users, refused = read_rows(data)
    except FileRefused as exc:
        users, refused = [], [{"row": None, "field": None, "reason": str(exc)}]
    with table.batch_writer(overwrite_by_pkeys=["user_id"]) as batch:
        for user in users:
            batch.put_item(Item={**user, "created_at": event_time, "imported_from": key})
    rejects_key = REJECTS_PREFIX + key.removeprefix(IMPORT_PREFIX).rsplit(".", 1)[0] + ".json"
    report = {"source": key, "loaded": len(users), "rejected": refused}
    s3.put_object(
        Bucket=bucket, Key=rejects_key, Body=json.dumps(report, indent=2).encode(), ContentType="application/json"
    )
    return {"key": key, "loaded": len(users), "rejected": len(refused), "rejects_key": rejects_key}


def handle(event: dict[str, Any], s3: Any, table: Any) -> dict[str, Any]:
    files = []
    for record in event.get("Records", []):
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        if not key.startswith(IMPORT_PREFIX):  # the notification's prefix, checked again
            log("WARNING", "not under imports/, skipped", key=key)
            continue
        result = import_object(s3, table, bucket, key, record.get("eventTime", ""))
        log("INFO", "file imported", **result)
        files.append(result)
    return {"files": files}


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event, _s3(), _users_table())
