"""A card payment that fails the ways functions fail, on purpose, so each failure can be watched.

What it demonstrates
    - ``lambda_handler``: charges ``{"card": "...", "amount_cents": 1200}``. A declined card raises
      ``CardDeclined``, a domain error left unhandled: a synchronous caller gets ``FunctionError:
      Unhandled`` with ``errorType: CardDeclined``; an asynchronous event is retried, then goes to the
      dead-letter queue and the on-failure destination. ``gateway_delay_s`` makes the gateway slow,
      so the function's ``Timeout`` stops it ("Task timed out"). Each attempt logs one JSON line with
      the request id, so the attempts of one event can be counted from the logs.
    - ``settle_batch``: a Kinesis consumer that settles each record of a batch and raises on a record
      that is not a settlement (a poison record): the whole batch fails, which is what
      ``BisectBatchOnFunctionError`` splits to find it. Each call logs the sequence numbers it got.

Trigger
    Direct ``Invoke`` (synchronous and ``InvocationType=Event``); ``settle_batch``: a Kinesis stream.

Environment
    none.

Notebooks
    05_error_handling.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

REQUIREMENTS = ()

DECLINED_CARDS = frozenset({"4000000000000002"})


class CardDeclined(Exception):
    """The card issuer said no: retrying will not change that."""


class NotASettlement(Exception):
    """A stream record that is not a settlement: a poison record."""


def log(message: str, context: Any, **fields: Any) -> None:
    print(json.dumps({"level": "INFO", "message": message, "request_id": context.aws_request_id, **fields}))


def charge(card: str, amount_cents: int) -> dict:
    if card in DECLINED_CARDS:
        raise CardDeclined(f"card ending {card[-4:]} was declined")
    return {"status": "charged", "card_last4": card[-4:], "amount_cents": amount_cents}


def lambda_handler(event: dict, context: Any) -> dict:
    log("charge attempt", context, card_last4=str(event.get("card", ""))[-4:])
    time.sleep(float(event.get("gateway_delay_s", 0)))  # a slow payment gateway
    return charge(str(event.get("card", "")), int(event.get("amount_cents", 0)))


def settlement(record: dict) -> dict:
    """The JSON settlement a Kinesis record carries, or NotASettlement."""
    raw = base64.b64decode(record["kinesis"]["data"])
    try:
        body = json.loads(raw)
    except ValueError:
        raise NotASettlement(f"record {record['kinesis']['sequenceNumber']} is not JSON") from None
    if not isinstance(body, dict) or "payment_id" not in body:
        raise NotASettlement(f"record {record['kinesis']['sequenceNumber']} has no payment_id")
    return body


def settle_batch(event: dict, context: Any) -> dict:
    """Settle every record; one poison record fails the whole batch."""
    records = event.get("Records", [])
    log("batch", context, size=len(records), sequence_numbers=[r["kinesis"]["sequenceNumber"] for r in records])
    settled = [settlement(record)["payment_id"] for record in records]
    return {"settled": settled}
