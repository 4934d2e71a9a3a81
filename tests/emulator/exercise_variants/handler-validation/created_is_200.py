# WRONG VARIANT (answers 200, not 201, on create): the grader must fail it.
"""Exercise handler-validation (02_handler): validate a create-user request, answer with the right status.

A ``POST /users`` handler behind API Gateway (REST, payload 1.0). The request body is
a JSON object with exactly three fields:

* ``user_id``: 1-64 characters of ``A-Z a-z 0-9 _ -``, starting with a letter or digit
* ``name``: a string of 1-100 printable characters after trimming
* ``email``: a valid e-mail address of at most 254 characters

Answer ``201`` with the stored user; ``400`` with ``{"error": ..., "field": ...}`` naming
the first bad field (or a body that is not a JSON object); ``409`` when the user_id is
taken, leaving the existing user untouched. A rejected request writes nothing.

The request parsing and the patterns come from the reference handler
``reference_app.handlers.users_api``; the packaging puts that module into this
function's zip. Check your work with ``lab.check("handler-validation")``.
"""

from __future__ import annotations

import functools
import json
import os
from typing import Any

import boto3
from botocore.exceptions import ClientError

from reference_app.handlers.users_api import EMAIL_PATTERN, USER_ID_PATTERN, parse_request

REQUIREMENTS = ()
FIELDS = ("user_id", "name", "email")


class BadRequest(Exception):
    """A client error: the message and the field it is about go back to the caller."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


@functools.cache
def users_table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["USERS_TABLE"])


def respond(status: int, body: dict) -> dict:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def parse_body(event: dict) -> dict:
    """The request body as a JSON object, or BadRequest."""
    body = parse_request(event).body
    try:
        payload = json.loads(body or "")
    except ValueError:
        raise BadRequest("request body must be valid JSON") from None
    if not isinstance(payload, dict):
        raise BadRequest("request body must be a JSON object")
    return payload


def validate(payload: dict) -> dict:
    """The cleaned user (user_id, name, email), or BadRequest naming the first bad field."""
    # BEGIN SOLUTION hint="Check that user_id, name and email are all there and nothing else; then that each is a string of the right shape (USER_ID_PATTERN, 1-100 printable characters, EMAIL_PATTERN); raise BadRequest(message, field) for the first bad one and return the cleaned dict."
    for field in FIELDS:
        if field not in payload:
            raise BadRequest(f"missing required field: {field}", field)
    for field in sorted(payload):
        if field not in FIELDS:
            raise BadRequest(f"unexpected field: {field[:64]}", field[:64])
    user_id, name, email = payload["user_id"], payload["name"], payload["email"]
    if not isinstance(user_id, str) or not USER_ID_PATTERN.fullmatch(user_id):
        raise BadRequest("user_id must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'", "user_id")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 100 or not name.strip().isprintable():
        raise BadRequest("name must be 1-100 printable characters", "name")
    if not isinstance(email, str) or len(email) > 254 or not EMAIL_PATTERN.fullmatch(email):
        raise BadRequest("email must be a valid e-mail address", "email")
    return {"user_id": user_id, "name": name.strip(), "email": email}
    # END SOLUTION


def lambda_handler(event: dict, context: Any) -> dict:
    # BEGIN SOLUTION hint="Parse and validate the body (a BadRequest becomes 400 with its message and field), then put_item with ConditionExpression='attribute_not_exists(user_id)' (ConditionalCheckFailedException becomes 409), and answer 201 with the user."
    try:
        user = validate(parse_body(event))
    except BadRequest as exc:
        body = {"error": exc.message}
        if exc.field:
            body["field"] = exc.field
        return respond(400, body)
    try:
        users_table().put_item(Item=user, ConditionExpression="attribute_not_exists(user_id)")
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return respond(409, {"error": "a user with this user_id already exists", "field": "user_id"})
        raise
    return respond(200, user)
    # END SOLUTION
