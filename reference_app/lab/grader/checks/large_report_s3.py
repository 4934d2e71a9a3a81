"""Checks for large-report-s3 (07_performance_and_cost): a response that could pass 6 MB goes through S3."""

from __future__ import annotations

import json
import time
import urllib.request
from urllib.parse import parse_qs, urlsplit

import boto3

from ... import clients
from ...deploy import invoke
from ..framework import CheckFailed, Context, Exercise, shown
from ._common import context

EXERCISE = Exercise("large-report-s3", resources={"REPORTS_BUCKET": ("bucket", "reports")}, timeout=20)
#: drawn per run: a small report (a few KB) and a big one whose JSON passes INLINE_LIMIT however it is
#: written (46,000 rows are 6.2 MB compact, 6.5 MB with json.dumps' default separators)
SMALL, BIG = (50, 400), (46_000, 47_500)
EXPIRES = 900  # "a presigned GET URL, valid 15 minutes"


def _rows(ctx: Context) -> tuple[int, int]:
    return ctx.rng.randint(*SMALL), ctx.rng.randint(*BIG)


def _expiry(url: str) -> int | None:
    """The lifetime a presigned URL declares (SigV4: X-Amz-Expires; SigV2: Expires is a time)."""
    query = parse_qs(urlsplit(str(url)).query)
    found = query.get("X-Amz-Expires")
    if found and found[0].isdigit():
        return int(found[0])
    until = query.get("Expires")
    if until and until[0].isdigit():  # an absolute time: round the lifetime to the minute it was asked for
        return round((int(until[0]) - time.time()) / 60) * 60
    return None


def _shape(answer: object, what: str) -> dict:
    if not isinstance(answer, dict) or answer.get("location") not in ("inline", "s3"):
        raise CheckFailed(f"{what}: answer {{'location': 'inline' | 's3', ...}}, not {shown(answer)}.")
    return answer


@EXERCISE.unit("a small report comes back inline")
def small_inline(ctx: Context) -> None:
    module = ctx.load()
    small, _ = _rows(ctx)
    answer = _shape(module.lambda_handler({"rows": small}, context()), f"a report of {small} rows")
    if answer["location"] != "inline" or answer.get("report") != module.build_report(small):
        raise CheckFailed(
            f"a report of {small} rows (a few KB) should come back inline, as 'report'; the answer was {shown(answer)}."
        )


@EXERCISE.unit('a report of exactly INLINE_LIMIT bytes still comes back inline ("at most")')
def at_the_limit(ctx: Context) -> None:
    module = ctx.load()
    rows = ctx.rng.randint(*SMALL)
    report = module.build_report(rows)
    vars(module)["INLINE_LIMIT"] = len(json.dumps(report).encode())  # the limit at this report's size, as json.dumps
    answer = _shape(module.lambda_handler({"rows": rows}, context()), f"a report of {rows} rows")  # writes it
    if answer["location"] != "inline":
        raise CheckFailed(
            f"with INLINE_LIMIT set to {module.INLINE_LIMIT:,}, a report whose JSON is that size "
            "went to S3; the exercise says a report of at most INLINE_LIMIT bytes comes back inline "
            "(<=, not <)."
        )


def _sigv4(folder) -> None:
    """Presign with SigV4 (as AWS does in every region today), whose X-Amz-Expires is the lifetime asked."""
    import os
    from pathlib import Path

    import boto3

    config = Path(folder) / "aws-config"
    config.write_text("[default]\ns3 =\n    signature_version = s3v4\n", encoding="utf-8")
    os.environ["AWS_CONFIG_FILE"] = str(config)
    boto3.DEFAULT_SESSION = None  # a session made earlier read the config already: the learner's gets a new one


@EXERCISE.unit("a 6.5 MB report goes to S3: the answer says where, and is small")
def big_to_s3(ctx: Context) -> None:
    import tempfile

    import boto3

    folder = tempfile.mkdtemp(prefix="lab-grader-")
    _sigv4(folder)  # before the learner's client exists (the framework restores AWS_* after the check)
    try:
        _big_to_s3(ctx)
    finally:
        boto3.DEFAULT_SESSION = None  # the next check's clients read the restored settings


def _big_to_s3(ctx: Context) -> None:
    module = ctx.load()
    _, big = _rows(ctx)
    ctx_big = context("big")
    answer = _shape(module.lambda_handler({"rows": big}, ctx_big), f"a report of {big} rows")
    size = len(json.dumps(answer).encode())
    if answer["location"] != "s3":
        raise CheckFailed(
            f"a report of {big} rows came back inline ({size:,} bytes): on Lambda a response over "
            "6 MB fails with Function.ResponseSizeTooLarge. Write it to S3 and answer where it is."
        )
    if size > 64 * 1024:
        raise CheckFailed(f"the answer that points to S3 is {size:,} bytes; it should carry the location only.")
    missing = [k for k in ("bucket", "key", "bytes", "url") if not answer.get(k)]
    if missing:
        raise CheckFailed(f"the S3 answer lacks {', '.join(missing)}: it was {shown(answer)}.")
    if answer["bucket"] != ctx.env["REPORTS_BUCKET"]:
        raise CheckFailed(
            f"the report went to bucket {answer['bucket']!r}; use the one REPORTS_BUCKET names "
            f"({ctx.env['REPORTS_BUCKET']!r})."
        )
    wanted_key = f"reports/{ctx_big.aws_request_id}.json"
    if answer["key"] != wanted_key:
        raise CheckFailed(
            f"the key should be reports/<request id>.json, here {wanted_key!r}; the answer says {answer['key']!r}."
        )
    stored = boto3.client("s3", region_name="us-east-1").get_object(Bucket=answer["bucket"], Key=answer["key"])
    body = stored["Body"].read()
    try:
        same = json.loads(body) == module.build_report(big)
    except ValueError:
        same = False
    if not same:
        raise CheckFailed(
            f"the object in S3 should be the whole report of {big} rows as JSON; it holds "
            f"{shown(body[:120].decode('utf-8', 'replace'))} ({len(body):,} bytes)."
        )
    if answer["bytes"] != len(body):
        raise CheckFailed(
            f"'bytes' should be the size of the stored JSON, {len(body):,}; the answer says {answer['bytes']!r}."
        )
    if len(body) <= module.INLINE_LIMIT:
        raise CheckFailed(
            f"a report of {len(body):,} bytes fits INLINE_LIMIT ({module.INLINE_LIMIT:,}): "
            "answer it inline, and use S3 only above the limit."
        )
    expires = _expiry(answer["url"])
    if expires != EXPIRES:
        raise CheckFailed(
            f"the presigned URL should be valid 15 minutes (ExpiresIn={EXPIRES}); it is valid "
            f"for {expires} s: {shown(answer['url'], 400)}."
        )


@EXERCISE.live("on the emulator: a 6.5 MB report through S3 and a small one inline, both synchronous")
def live(ctx: Context) -> None:
    dep = ctx.deploy()
    small_rows, big_rows = _rows(ctx)
    big = invoke(dep.name, {"rows": big_rows})
    if not big.ok:
        error = big.payload if isinstance(big.payload, dict) else {}
        raise CheckFailed(
            f"the report of {big_rows} rows failed: {error.get('errorType')}: {shown(error.get('errorMessage'), 300)}"
        )
    answer = _shape(big.payload, f"the report of {big_rows} rows")
    if answer["location"] != "s3":
        raise CheckFailed(f"the report of {big_rows} rows should come back as an S3 location.")
    head = clients.client("s3").head_object(Bucket=answer["bucket"], Key=answer["key"])
    if head["ContentLength"] != answer.get("bytes"):
        raise CheckFailed(
            f"the object holds {head['ContentLength']:,} bytes; the answer's 'bytes' says "
            f"{answer.get('bytes')!r}: it should be the stored size."
        )
    _fetch(answer["url"], head["ContentLength"])
    small = invoke(dep.name, {"rows": small_rows})
    if not small.ok or _shape(small.payload, "the small report")["location"] != "inline":
        raise CheckFailed(
            f"the report of {small_rows} rows should come back inline; the function answered {shown(small.payload)}."
        )


def _fetch(url: str, size: int) -> None:
    """GET the presigned URL as the caller would (the emulator is on loopback): it must serve the report."""
    parts = urlsplit(str(url))
    if parts.hostname not in ("127.0.0.1", "localhost", "::1") and not str(parts.hostname).endswith(".localhost"):
        raise CheckFailed(
            f"the presigned URL points at {parts.hostname!r}, not the emulator: build it with the "
            "function's S3 client (boto3.client('s3')), whose endpoint the deploy sets."
        )
    try:
        with urllib.request.urlopen(str(url), timeout=10) as reply:
            got = len(reply.read())
            status = reply.status
    except OSError as exc:
        raise CheckFailed(
            f"fetching the presigned URL failed ({exc}); a caller could not download the report."
        ) from None
    if status != 200 or got != size:
        raise CheckFailed(f"fetching the presigned URL answered {status} with {got:,} bytes; the report has {size:,}.")
