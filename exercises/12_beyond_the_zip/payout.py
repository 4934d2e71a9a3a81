"""Exercise durable-payout (12_beyond_the_zip): a seller payout as a Lambda durable function.

A marketplace pays its sellers in three moves: **transfer** the money to the seller's balance,
**wait** for the settlement window (the bank may still claw a payment back), then **notify**
the seller. As a durable function, that is ordinary Python: ``context.step`` runs a piece of
work and checkpoints its result; ``context.wait`` suspends the execution, and Lambda invokes
the function again when the wait is over. That second invocation *replays* your code from the
top: a completed step returns its checkpointed result instead of running again, and everything
outside a step runs again. So:

* every side effect goes inside a step (the transfer, the notification);
* the wait is ``context.wait(Duration.from_seconds(SETTLEMENT_SECONDS))``, never
  ``time.sleep``: a sleep keeps the invocation running (and billed) and does not survive a
  restart; a durable wait costs nothing while it waits;
* a step runs *at least once*: a step that times out or fails is retried, so ``transfer``
  itself must be idempotent. It writes, in one DynamoDB transaction, a marker
  ``{"pk": "transfer#<payout_id>"}`` on condition that it does not exist yet, and adds the
  amount to ``{"pk": "seller#<seller_id>"}``'s ``balance_cents``; a transfer that was made
  before is not made again.

The ledger table (``LEDGER_TABLE``, key ``pk``) is given; so are ``notify`` and
``lambda_handler``. Write ``transfer`` and ``run_payout``, naming the two steps ``"transfer"``
and ``"notify"`` (the check reads the execution's operations by those names). Check your work with
``lab.check("durable-payout")``: it runs your function with AWS's local testing SDK (the
emulator does not run durable executions) and deploys it as a durable function's zip.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import boto3
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration
from botocore.exceptions import ClientError

REQUIREMENTS = ("aws-durable-execution-sdk-python",)

SETTLEMENT_SECONDS = 1  # a real settlement window is days; the lesson's is one second


@functools.cache
def ledger_table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["LEDGER_TABLE"])


def transfer(table: Any, payout: dict) -> dict:
    """Add the payout to the seller's balance once per ``payout_id``; ``{"transferred": bool}``."""
    raise NotImplementedError("One table.meta.client.transact_write_items with two items: a Put of {'pk': 'transfer#<payout_id>'} with ConditionExpression 'attribute_not_exists(pk)', and an Update of {'pk': 'seller#<seller_id>'} with 'ADD balance_cents :amount'. A TransactionCanceledException whose CancellationReasons[0]['Code'] is 'ConditionalCheckFailed' means it was transferred before: return {'transferred': False}.")


def notify(table: Any, payout: dict) -> dict:
    """Tell the seller (here: one item per payout, written the same way however often)."""
    table.put_item(Item={"pk": f"notice#{payout['payout_id']}", "seller_id": payout["seller_id"],
                         "text": f"{payout['amount_cents']} cents are on their way"})
    return {"notified": True}


def run_payout(context: DurableContext, event: dict, table: Any) -> dict:
    """Transfer (a step), wait for the settlement window (a durable wait), notify (a step)."""
    payout = event["payout"]
    raise NotImplementedError("context.step(lambda _: transfer(table, payout), name='transfer'); context.wait(Duration.from_seconds(SETTLEMENT_SECONDS), name='settlement'); context.step(lambda _: notify(table, payout), name='notify'); return {'status': 'PAID', 'payout_id': ...}.")


@durable_execution
def lambda_handler(event: dict, context: DurableContext) -> dict:
    return run_payout(context, event, ledger_table())
