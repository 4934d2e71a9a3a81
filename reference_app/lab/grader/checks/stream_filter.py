"""Checks for stream-filter (04_triggers): a filter on the mapping lets only verified sign-ups through."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from ... import clients
from ...events import load_event
from ...lesson_helpers.filters import matches
from ...poll import attempts
from ...reference_deploys import ensure_resource
from ...triggers import event_source_mapping
from ..framework import CheckFailed, Context, Exercise, shown
from ._common import context, table_items

EXERCISE = Exercise("stream-filter", resources={"WELCOMES_TABLE": ("table", "welcomes")})
MEMBERS = "lab-ex-members"
MAX_PATTERN_CHARS = 4096  # AWS::Lambda::EventSourceMapping Filter.Pattern maximum length


def member_image(member_id: str, verified: bool | None, email: str | None = None) -> dict:
    image: dict[str, Any] = {"member_id": {"S": member_id}, "email": {"S": email or f"{member_id}@example.com"}}
    if verified is not None:
        image["email_verified"] = {"BOOL": verified}
    return image


def stream_record(
    event_name: str, member_id: str, verified: bool | None, sequence: int = 1, email: str | None = None
) -> dict:
    """A DynamoDB Streams record (NEW_AND_OLD_IMAGES) for the members table."""
    record = copy.deepcopy(load_event("dynamodb_stream_insert")["Records"][0])
    record["eventName"] = event_name
    record["eventID"] = f"{event_name.lower()}-{member_id}"
    stream = record["dynamodb"]
    stream["Keys"] = {"member_id": {"S": member_id}}
    stream["SequenceNumber"] = str(100000000000000000000 + sequence)
    stream.pop("NewImage", None)
    if event_name in ("INSERT", "MODIFY"):
        stream["NewImage"] = member_image(member_id, verified, email)
    if event_name in ("MODIFY", "REMOVE"):
        stream["OldImage"] = member_image(member_id, verified, email)
    return record


def _pattern(module: Any) -> dict:
    pattern = module.filter_pattern()
    if not isinstance(pattern, dict):
        raise CheckFailed(f"filter_pattern() must return a dict (the JSON pattern), not {type(pattern).__name__}.")
    try:
        text = json.dumps(pattern)
    except (TypeError, ValueError):
        raise CheckFailed(
            "filter_pattern() must return plain JSON data (dicts, lists, strings, numbers, booleans)."
        ) from None
    if len(text) > MAX_PATTERN_CHARS:
        raise CheckFailed(f"a filter pattern is at most {MAX_PATTERN_CHARS} characters; yours has {len(text)}.")
    return pattern


def _passes(pattern: dict, record: dict) -> bool:
    try:
        return matches(pattern, record)
    except Exception as exc:
        raise CheckFailed(f"the pattern is not valid Lambda filter syntax: {exc}") from None


@EXERCISE.unit("the pattern lets a verified member's INSERT through")
def lets_through(ctx: Context) -> None:
    pattern = _pattern(ctx.load())
    for member in ctx.rng.distinct(ctx.rng.user_id, 3):
        if not _passes(pattern, stream_record("INSERT", member, True, email=ctx.rng.email())):
            raise CheckFailed(
                f"the INSERT of member {member} with email_verified true does not match {json.dumps(pattern)}."
            )


@EXERCISE.unit("the pattern drops everything else: unverified or unmarked sign-ups, updates, deletions")
def drops(ctx: Context) -> None:
    pattern = _pattern(ctx.load())
    rng = ctx.rng
    text_flag = stream_record("INSERT", rng.user_id(), True)
    text_flag["dynamodb"]["NewImage"]["email_verified"] = {"S": "true"}  # a string, not the boolean
    cases = [
        ("an INSERT with email_verified false", stream_record("INSERT", rng.user_id(), False)),
        ("an INSERT without email_verified", stream_record("INSERT", rng.user_id(), None)),
        ("an INSERT whose email_verified is the string 'true'", text_flag),
        ("a MODIFY of a verified member", stream_record("MODIFY", rng.user_id(), True)),
        ("a REMOVE of a verified member", stream_record("REMOVE", rng.user_id(), True)),
    ]
    rng.shuffle(cases)
    for what, record in cases:
        if _passes(pattern, record):
            raise CheckFailed(f"{what} matches {json.dumps(pattern)}; the function would run for it.")


@EXERCISE.unit("each member in a batch gets one welcome, keyed by member_id; a retried batch adds none")
def welcomes(ctx: Context) -> None:
    module = ctx.load()
    members = {m: ctx.rng.email() for m in ctx.rng.distinct(ctx.rng.user_id, ctx.rng.randint(2, 5))}
    batch = {"Records": [stream_record("INSERT", m, True, n, email=e) for n, (m, e) in enumerate(members.items(), 1)]}
    for _ in range(2):  # Lambda retries a failed stream batch: the same records again
        answer = module.lambda_handler(copy.deepcopy(batch), context())
    if not isinstance(answer, dict) or sorted(answer.get("welcomed", [])) != sorted(members):
        raise CheckFailed(f"expected {{'welcomed': {sorted(members)}}}, got {shown(answer)}.")
    stored = sorted((item.get("member_id"), item.get("email")) for item in table_items(ctx.env["WELCOMES_TABLE"]))
    expected = sorted(members.items())
    if stored != expected:
        raise CheckFailed(
            f"after the batch and its retry the welcomes table should hold {shown(expected, 400)}, "
            f"it holds {shown(stored, 400)}."
        )


@EXERCISE.live("through a filtered DynamoDB stream mapping: only the verified sign-up reaches the function")
def live(ctx: Context) -> None:
    dep = ctx.deploy()
    ensure_resource("table", "members", prefix="lab-ex-")
    dynamodb = clients.client("dynamodb")
    members_arn = dynamodb.describe_table(TableName=MEMBERS)["Table"]["TableArn"]
    pattern = json.dumps(ctx.load().filter_pattern())
    event_source_mapping(
        dep.name,
        members_arn,
        batch_size=10,
        starting_position="TRIM_HORIZON",
        report_batch_item_failures=False,
        MaximumRetryAttempts=2,
        FilterCriteria={"Filters": [{"Pattern": pattern}]},
    )
    verified, unverified = f"m-{ctx.run_id}-v", f"m-{ctx.run_id}-u"
    for member, flag in ((verified, True), (unverified, False)):
        dynamodb.put_item(
            TableName=MEMBERS,
            Item={
                "member_id": {"S": member},
                "email": {"S": f"{member}@example.com"},
                "email_verified": {"BOOL": flag},
            },
        )
    # An update that changes the e-mail: if it got through, the welcome would carry the new address.
    dynamodb.update_item(
        TableName=MEMBERS,
        Key={"member_id": {"S": verified}},
        UpdateExpression="SET email = :e",
        ExpressionAttributeValues={":e": {"S": f"changed-{verified}@example.com"}},
    )
    dynamodb.delete_item(TableName=MEMBERS, Key={"member_id": {"S": unverified}})
    welcomes = clients.resource("dynamodb").Table(ctx.env["WELCOMES_TABLE"])
    for _ in attempts(deadline_s=9, first=0.2, cap=0.5):
        if "Item" in welcomes.get_item(Key={"member_id": verified}):
            break
    else:
        raise CheckFailed(
            f"{verified} signed up verified, but no welcome arrived within 9 s; is the function "
            "invoked at all (lab.invocations('lab-ex-stream-filter'))?"
        )
    time.sleep(1.0)  # give the records the filter should drop the time to arrive, if they were not dropped
    welcome = welcomes.get_item(Key={"member_id": verified})["Item"]
    if welcome.get("email") != f"{verified}@example.com":
        raise CheckFailed(
            f"the welcome for {verified} now says {welcome.get('email')!r}: the later MODIFY reached "
            "the function. Only INSERT records should pass the filter."
        )
    if "Item" in welcomes.get_item(Key={"member_id": unverified}):
        raise CheckFailed(f"{unverified} (email_verified false) was welcomed: the filter let its record through.")
