# WRONG VARIANT (re-raised as a RuntimeError: the record no longer says RefundRefused): the grader must fail it.
"""Exercise async-on-failure (05_error_handling): break and debug a function whose failures vanish.

The shop refunds orders asynchronously: the order service invokes this function with
``InvocationType=Event`` and ``{"refund_id": "r-1", "order_id": "o-1", "amount_cents": 500}``
and moves on. The payment gateway (``send_refund``, given) refuses a refund larger than
the order's charge with ``RefundRefused``. The function's asynchronous configuration is
what the team wanted: one retry, then an on-failure destination (an SQS queue the
support team reads) for every refund that could not be made.

The support queue stays empty, yet customers say their refunds never came. Your job:
``lab.try_exercise("async-on-failure")`` invokes the function as it is with a refund the
gateway refuses, then shows its log and what reached the destination. Read the log: how
many attempts ran, and what did Lambda think of each? Fix the function, then check with
``lab.check("async-on-failure")``.
"""

from __future__ import annotations

import json
from typing import Any

REQUIREMENTS = ()

ORDER_CHARGES = {"o-1": 500, "o-2": 12_000}  # what each order was charged, in cents


class RefundRefused(Exception):
    """The gateway will not refund more than the order was charged."""


def send_refund(refund: dict) -> dict:
    """The payment gateway: refund ``amount_cents`` of ``order_id``, or RefundRefused."""
    charged = ORDER_CHARGES.get(refund["order_id"], 0)
    if refund["amount_cents"] > charged:
        raise RefundRefused(f"refund {refund['refund_id']}: {refund['amount_cents']} cents is more than the "
                            f"{charged} cents order {refund['order_id']} was charged")
    return {"refund_id": refund["refund_id"], "status": "refunded", "amount_cents": refund["amount_cents"]}


def log(level: str, message: str, **fields: Any) -> None:
    print(json.dumps({"level": level, "message": message, **fields}))


def lambda_handler(event: dict, context: Any) -> dict:
    log("INFO", "refund requested", refund_id=event.get("refund_id"), request_id=context.aws_request_id)
    try:
        return send_refund(event)
    except RefundRefused:
        raise RuntimeError("refund failed") from None  # the support team loses the gateway's reason
