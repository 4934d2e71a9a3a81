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
    raise NotImplementedError("Check that user_id, name and email are all there and nothing else; then that each is a string of the right shape (USER_ID_PATTERN, 1-100 printable characters, EMAIL_PATTERN); raise BadRequest(message, field) for the first bad one and return the cleaned dict.")


def lambda_handler(event: dict, context: Any) -> dict:
    raise NotImplementedError("Parse and validate the body (a BadRequest becomes 400 with its message and field), then put_item with ConditionExpression='attribute_not_exists(user_id)' (ConditionalCheckFailedException becomes 409), and answer 201 with the user.")
