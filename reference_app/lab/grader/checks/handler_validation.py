"""Checks for handler-validation (02_handler): validation and status codes for POST /users."""

from __future__ import annotations

import json

from ... import clients
from ...http import http_call
from ...triggers import rest_api
from ..framework import CheckFailed, Context, Exercise
from ._common import context, expect_status, rest_post, table_items

EXERCISE = Exercise("handler-validation", resources={"USERS_TABLE": ("table", "users")})
ADA = {"user_id": "ada", "name": "Ada Lovelace", "email": "ada@example.com"}


@EXERCISE.unit("a valid user is created: 201, and it is in the table")
def creates(ctx: Context) -> None:
    module = ctx.load()
    body = expect_status(module.lambda_handler(rest_post(ADA), context()), 201, "POST a valid user")
    if body.get("user_id") != "ada":
        raise CheckFailed(f"POST a valid user: the body should be the stored user, got {json.dumps(body)[:100]}.")
    stored = table_items(ctx.env["USERS_TABLE"])
    if [item.get("user_id") for item in stored] != ["ada"]:
        raise CheckFailed(f"POST a valid user: the table should hold exactly that user, it holds {stored!r:.100}.")


@EXERCISE.unit("a body that is not a JSON object is a 400, and nothing is written")
def rejects_bad_json(ctx: Context) -> None:
    module = ctx.load()
    for body in ('{"user_id": ', "[1, 2]", "null"):
        expect_status(module.lambda_handler(rest_post(body), context()), 400, f"POST the body {body!r}")
    if table_items(ctx.env["USERS_TABLE"]):
        raise CheckFailed("a rejected request wrote to the table; validate before you write.")


@EXERCISE.unit("a missing, unexpected or malformed field is a 400 that names the field")
def names_the_field(ctx: Context) -> None:
    module = ctx.load()
    cases = [
        ({"user_id": "bob", "name": "Bob"}, "email"),
        ({**ADA, "role": "admin"}, "role"),
        ({**ADA, "user_id": "-ada"}, "user_id"),
        ({**ADA, "user_id": 7}, "user_id"),
        ({**ADA, "name": "   "}, "name"),
        ({**ADA, "email": "not-an-email"}, "email"),
        ({**ADA, "email": "a@" + "b" * 260 + ".com"}, "email"),
    ]
    for payload, field in cases:
        body = expect_status(
            module.lambda_handler(rest_post(payload), context()), 400, f"POST {json.dumps(payload)[:60]}"
        )
        if body.get("field") != field:
            raise CheckFailed(f"POST {json.dumps(payload)[:60]}: the 400 body should name field {field!r}, got {body}.")
    if table_items(ctx.env["USERS_TABLE"]):
        raise CheckFailed("a rejected request wrote to the table; validate before you write.")


@EXERCISE.unit("a second user with the same user_id is a 409, and the first is untouched")
def conflict(ctx: Context) -> None:
    module = ctx.load()
    expect_status(module.lambda_handler(rest_post(ADA), context()), 201, "POST a valid user")
    expect_status(
        module.lambda_handler(rest_post({**ADA, "name": "Mallory"}), context()), 409, "POST the same user_id again"
    )
    names = [item["name"] for item in table_items(ctx.env["USERS_TABLE"])]
    if names != ["Ada Lovelace"]:
        raise CheckFailed(f"after a 409 the first user must be unchanged; the table holds names {names}.")


@EXERCISE.live("deployed behind API Gateway: 201, then 409, then 400, over real HTTP")
def live(ctx: Context) -> None:
    dep = ctx.deploy()
    url = rest_api("lab-ex-handler-validation", dep.arn) + "users"
    user = {"user_id": f"u-{ctx.run_id}", "name": "Grace Hopper", "email": "grace@example.com"}
    first = http_call(url, "POST", user)
    if first.status != 201:
        raise CheckFailed(f"POST {url} answered {first.status} ({first.body[:100]}), expected 201.")
    again = http_call(url, "POST", {**user, "name": "Mallory"})
    if again.status != 409:
        raise CheckFailed(f"POSTing the same user_id again answered {again.status}, expected 409.")
    bad = http_call(url, "POST", '{"user_id": ')
    if bad.status != 400:
        raise CheckFailed(f"POSTing broken JSON answered {bad.status}, expected 400.")
    item = clients.client("dynamodb").get_item(
        TableName=ctx.env["USERS_TABLE"], Key={"user_id": {"S": user["user_id"]}}
    )
    if item.get("Item", {}).get("name", {}).get("S") != "Grace Hopper":
        raise CheckFailed("the user created over HTTP is not in the table as it was sent.")
