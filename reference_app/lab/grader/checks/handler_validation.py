"""Checks for handler-validation (02_handler): validation and status codes for POST /users."""

from __future__ import annotations

import json

from ... import clients
from ...http import http_call
from ...triggers import rest_api
from ..framework import CheckFailed, Context, Exercise, shown
from ._common import context, expect_status, rest_post, table_items

EXERCISE = Exercise("handler-validation", resources={"USERS_TABLE": ("table", "users")})


def _email_of_length(ctx: Context, length: int) -> str:
    """A valid address of exactly ``length`` characters (labels of at most 63), drawn for this run."""
    local = ctx.rng.token(ctx.rng.randint(8, 64))
    rest = length - len(local) - 1 - 4  # the '@' and '.com'
    labels = []
    while rest > 0:
        size = min(63, rest) if rest - min(63, rest) != 1 else 62  # never leave a lone '.'
        labels.append(ctx.rng.choice("abcdefghij") * size)
        rest -= size + 1
    return f"{local}@{'.'.join(labels)[: length - len(local) - 5]}.com"


def _user(ctx: Context) -> dict:
    """A valid user drawn for this run (non-ASCII names, an apostrophe, different ids)."""
    return {"user_id": ctx.rng.user_id(), "name": ctx.rng.name(), "email": ctx.rng.email()}


@EXERCISE.unit("valid users are created: 201, the stored user in the body, every field in the table as sent")
def creates(ctx: Context) -> None:
    module = ctx.load()
    users = [_user(ctx) for _ in range(5)]
    users[1]["name"] = f"  {users[1]['name']}  "  # a name is stored trimmed
    users[2]["name"] = ctx.rng.choice("AZéø")  # the limits the exercise states are allowed: 1 and 100 characters,
    users[3]["name"] = ctx.rng.name().ljust(100, "x")[:100]  # an address of 254, a user_id of 64
    users[4]["email"] = _email_of_length(ctx, 254)
    users[4]["user_id"] = ctx.rng.token(64)
    ctx.rng.shuffle(users)
    for user in users:
        body = expect_status(module.lambda_handler(rest_post(user), context()), 201, f"POST {shown(user)}")
        wanted = {**user, "name": user["name"].strip()}
        if {k: body.get(k) for k in wanted} != wanted:
            raise CheckFailed(
                f"POST {shown(user)}: the body should be the stored user {shown(wanted)}, got {shown(body)}."
            )
    stored = {item.get("user_id"): item for item in table_items(ctx.env["USERS_TABLE"])}
    for user in users:
        wanted = {**user, "name": user["name"].strip()}
        item = stored.get(user["user_id"])
        if item is None:
            raise CheckFailed(f"POST {shown(user)} answered 201 but the table has no item {user['user_id']!r}.")
        if {k: item.get(k) for k in wanted} != wanted:
            raise CheckFailed(
                f"the table holds {shown(dict(item))} for POST {shown(user)}: every field should be "
                "stored as sent (the name trimmed)."
            )
    if len(stored) != len(users):
        raise CheckFailed(f"{len(users)} POSTs should store {len(users)} users; the table holds {len(stored)}.")


@EXERCISE.unit("a body that is not a JSON object is a 400, and nothing is written")
def rejects_bad_json(ctx: Context) -> None:
    module = ctx.load()
    user = json.dumps(_user(ctx), ensure_ascii=False)
    cut = ctx.rng.randint(1, len(user) - 2)
    for body in (user[:cut], f"[{user}]", "null", json.dumps(user), ""):
        expect_status(module.lambda_handler(rest_post(body), context()), 400, f"POST the body {shown(body)}")
    if table_items(ctx.env["USERS_TABLE"]):
        raise CheckFailed("a rejected request wrote to the table; validate before you write.")


@EXERCISE.unit("a missing, unexpected or malformed field is a 400 that names the field")
def names_the_field(ctx: Context) -> None:
    module = ctx.load()
    ada = _user(ctx)
    extra = ctx.rng.choice(("role", "is_admin", "password", "tenant"))
    missing = ctx.rng.choice(("user_id", "name", "email"))
    cases = [
        ({k: v for k, v in ada.items() if k != missing}, missing),
        ({**ada, extra: "x"}, extra),
        ({**ada, "user_id": "-" + ada["user_id"]}, "user_id"),
        ({**ada, "user_id": ctx.rng.randint(1, 999)}, "user_id"),
        ({**ada, "user_id": "x" * 65}, "user_id"),
        ({**ada, "user_id": ada["user_id"] + ctx.rng.choice(("/", " ", ".", "é"))}, "user_id"),
        ({**ada, "name": "   "}, "name"),
        ({**ada, "name": "n" * 101}, "name"),
        ({**ada, "name": ["not", "a", "string"]}, "name"),
        (
            {
                **ada,
                "email": ctx.rng.choice(
                    ("not-an-email", "@example.com", "a b@example.com", "a@@example.com", "ada@", "ada.example.com")
                ),
            },
            "email",
        ),
        ({**ada, "email": "a@" + "b" * 260 + ".com"}, "email"),
        ({**ada, "email": _email_of_length(ctx, 255)}, "email"),
        ({**ada, "email": ctx.rng.randint(1, 10**6)}, "email"),
        ({**ada, "name": ctx.rng.randint(1, 999)}, "name"),
    ]
    ctx.rng.shuffle(cases)
    for payload, field in cases:
        body = expect_status(module.lambda_handler(rest_post(payload), context()), 400, f"POST {shown(payload)}")
        if body.get("field") != field:
            raise CheckFailed(f"POST {shown(payload)}: the 400 body should name field {field!r}, got {shown(body)}.")
    if table_items(ctx.env["USERS_TABLE"]):
        raise CheckFailed("a rejected request wrote to the table; validate before you write.")


@EXERCISE.unit("a second user with the same user_id is a 409, and the first is untouched")
def conflict(ctx: Context) -> None:
    module = ctx.load()
    ada = _user(ctx)
    expect_status(module.lambda_handler(rest_post(ada), context()), 201, f"POST {shown(ada)}")
    other = {**_user(ctx), "user_id": ada["user_id"]}
    expect_status(
        module.lambda_handler(rest_post(other), context()), 409, f"POST the same user_id again ({shown(other)})"
    )
    items = [dict(item) for item in table_items(ctx.env["USERS_TABLE"])]
    if [{k: i.get(k) for k in ada} for i in items] != [ada]:
        raise CheckFailed(
            f"after a 409 the first user must be unchanged ({shown(ada)}); the table holds {shown(items)}."
        )


@EXERCISE.unit("an error of DynamoDB other than a taken user_id is not answered 409")
def other_errors(ctx: Context) -> None:
    """A 409 says "this user_id is taken": a throttled or refused write must not say so (it fails, and
    Lambda or API Gateway answers 5xx), or the caller gives up on a user_id that is free."""
    from unittest import mock

    import botocore.client
    from botocore.exceptions import ClientError

    module = ctx.load()
    real = botocore.client.BaseClient._make_api_call
    for code in ("AccessDeniedException", "ProvisionedThroughputExceededException"):

        def refused(client, operation, params, code=code):
            if operation == "PutItem":
                raise ClientError({"Error": {"Code": code, "Message": "injected by the check"}}, operation)
            return real(client, operation, params)

        user = _user(ctx)
        with mock.patch.object(botocore.client.BaseClient, "_make_api_call", refused):
            try:
                response = module.lambda_handler(rest_post(user), context())
            except ClientError:
                continue  # the error reaches Lambda: API Gateway answers 502, as it should
        status = response.get("statusCode") if isinstance(response, dict) else None
        if status == 409 or (isinstance(status, int) and status < 500):
            raise CheckFailed(
                f"when DynamoDB refuses the write with {code}, POST {shown(user)} answered {status}: "
                "answer 409 only for ConditionalCheckFailedException (the user_id is taken); let other "
                "errors fail."
            )


@EXERCISE.live("deployed behind API Gateway: 201, then 409, then 400, over real HTTP")
def live(ctx: Context) -> None:
    dep = ctx.deploy()
    url = rest_api("lab-ex-handler-validation", dep.arn) + "users"
    user = {**_user(ctx), "user_id": f"u-{ctx.run_id}-{ctx.rng.token(4)}"}
    first = http_call(url, "POST", user)
    if first.status != 201:
        raise CheckFailed(f"POST {url} with {shown(user)} answered {first.status} ({shown(first.body)}), expected 201.")
    again = http_call(url, "POST", {**user, "name": ctx.rng.name()})
    if again.status != 409:
        raise CheckFailed(
            f"POSTing the same user_id again answered {again.status} ({shown(again.body)}), expected 409."
        )
    bad = http_call(url, "POST", '{"user_id": ')
    if bad.status != 400:
        raise CheckFailed(f"POSTing broken JSON answered {bad.status} ({shown(bad.body)}), expected 400.")
    item = (
        clients.client("dynamodb")
        .get_item(TableName=ctx.env["USERS_TABLE"], Key={"user_id": {"S": user["user_id"]}}, ConsistentRead=True)
        .get("Item", {})
    )
    stored = {k: v.get("S") for k, v in item.items() if isinstance(v, dict)}
    if {k: stored.get(k) for k in user} != user:
        raise CheckFailed(
            f"the user created over HTTP ({shown(user)}) is stored as {shown(stored)}: every field "
            "should be stored exactly as sent."
        )
