"""A price quote: the release that module 11 ships, canaries, shifts and rolls back.

Trigger: direct ``Invoke``, a REST API or a function URL, through an alias. Env: ``RELEASE`` (a label
the answer carries), ``TAX_RATE`` (a decimal fraction such as ``0.2``) and ``QUOTE_LIMIT_CENTS``
(optional: larger amounts are refused). Used by ``11_deploying_safely``.

The answer names the version that ran (``context.function_version``: ``1``, ``2`` ... for a published
version, ``$LATEST`` otherwise), which is how the lesson counts where an alias sent each request. A
release whose ``TAX_RATE`` is not a number fails every quote: a bad *configuration* is a bad release
too, and a published version freezes its configuration with its code.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal, InvalidOperation
from typing import Any

REQUIREMENTS = ()


class BadQuote(ValueError):
    """The request cannot be priced."""


def tax_rate() -> Decimal:
    raw = os.environ.get("TAX_RATE", "0")
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise RuntimeError(f"TAX_RATE must be a decimal fraction such as 0.2, not {raw!r}") from None


def quote(amount_cents: Any, rate: Decimal) -> int:
    """The price with tax, in cents, rounded half up."""
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents < 0:
        raise BadQuote(f"amount_cents must be a non-negative integer, not {amount_cents!r}")
    limit = os.environ.get("QUOTE_LIMIT_CENTS")
    if limit and amount_cents > int(limit):
        raise BadQuote(f"{amount_cents} cents is over the quote limit of {limit}")
    return int((Decimal(amount_cents) * (1 + rate)).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def _request(event: dict) -> dict:
    if isinstance(event, dict) and "body" in event:  # API Gateway or a function URL
        return json.loads(event.get("body") or "{}")
    return event if isinstance(event, dict) else {}


def lambda_handler(event: dict, context: Any) -> dict:
    request = _request(event)
    total = quote(request.get("amount_cents", 1000), tax_rate())
    answer = {"version": context.function_version, "release": os.environ.get("RELEASE", ""), "total_cents": total}
    if isinstance(event, dict) and "body" in event:
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(answer)}
    return answer
