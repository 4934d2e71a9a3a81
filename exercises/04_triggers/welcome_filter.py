"""Exercise stream-filter (04_triggers): only verified sign-ups should ever reach this function.

The members table streams every change (INSERT, MODIFY, REMOVE) to an event source mapping.
This function sends a welcome to each *new* member whose e-mail address is *verified*
(``email_verified`` is true). Without a filter, Lambda invokes it (and you pay) for every
update and deletion too, and the code has to throw most records away.

Write two things:

* ``filter_pattern()``: the event filter pattern for the mapping's ``FilterCriteria``, so
  Lambda passes on only INSERT records whose new image has ``email_verified`` true; every other
  record is dropped before the function runs. The check wires the mapping with
  ``FilterCriteria={"Filters": [{"Pattern": json.dumps(filter_pattern())}]}``.
* ``lambda_handler``: for each record it receives, store one welcome in the welcomes table,
  ``{"member_id": ..., "email": ...}`` keyed by ``member_id`` (a retried batch must not welcome
  anyone twice), and return ``{"welcomed": [member ids]}``.

The stream's records carry images in DynamoDB's attribute-value form
(``{"member_id": {"S": "m-1"}, "email_verified": {"BOOL": true}}``). Check your work with
``lab.check("stream-filter")``.
"""

from __future__ import annotations

import functools
import json
import os
from typing import Any

import boto3

REQUIREMENTS = ()


@functools.cache
def welcomes_table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["WELCOMES_TABLE"])


def filter_pattern() -> dict:
    raise NotImplementedError("A pattern mirrors the record it matches, with a list of accepted values at each leaf: eventName must be INSERT, and dynamodb.NewImage.email_verified must be the attribute value {'BOOL': true}.")


def lambda_handler(event: dict, context: Any) -> dict:
    raise NotImplementedError("Loop over event['Records']; read member_id and email from record['dynamodb']['NewImage'] (each is {'S': value}); put_item {'member_id': ..., 'email': ...} into welcomes_table(); return {'welcomed': [...]}.")
