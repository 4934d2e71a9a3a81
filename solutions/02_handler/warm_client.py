"""Exercise warm-client (02_handler): keep an expensive client at module scope, and prove it is reused.

``RatesClient`` (given) stands for anything slow to create: an SDK client, a database
connection pool, a model read from disk. Making one takes about 200 ms. Lambda imports
this module once per execution environment, then calls ``lambda_handler`` for every
invocation that environment serves: a client kept at module scope is paid for once, on
the cold start, and reused by every warm invocation after it.

Write two things:

* ``rates()``: the execution environment's one ``RatesClient``, created on first use
  (lazily: importing the module creates nothing, so a unit test can import it without the
  service, and a cold start that does not need the client does not pay for it);
* ``lambda_handler``: convert ``event["amount"]`` from currency ``event["from"]`` to
  ``event["to"]`` with that client, and answer
  ``{"converted": ..., "client_id": <the client's id>, "clients_created": RatesClient.created}``.

Module scope is shared by every request the environment serves: keep clients there, never
a request's own data (the next request, perhaps another user's, would see it). Check your
work with ``lab.check("warm-client")``: it invokes the deployed function cold, then warm.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, ClassVar

REQUIREMENTS = ()


class RatesClient:
    """A slow-to-create client for exchange rates (per 1 EUR)."""

    created = 0  # how many this execution environment has made
    RATES: ClassVar[dict[str, float]] = {"EUR": 1.0, "USD": 1.08, "GBP": 0.86, "JPY": 162.0}

    def __init__(self) -> None:
        time.sleep(0.2)  # the TLS handshake, the connection pool, the credentials: slow
        RatesClient.created += 1
        self.id = uuid.uuid4().hex[:8]

    def convert(self, amount: float, source: str, target: str) -> float:
        return round(amount / self.RATES[source] * self.RATES[target], 2)


_client: RatesClient | None = None


def rates() -> RatesClient:
    """This execution environment's one RatesClient, created on first use."""
    # BEGIN SOLUTION hint="Keep the client in the module-level variable _client (declare it global) and create it only while it is still None; functools.cache on a getter does the same."
    global _client
    if _client is None:
        _client = RatesClient()
    return _client
    # END SOLUTION


def lambda_handler(event: dict, context: Any) -> dict:
    # BEGIN SOLUTION hint="client = rates(); answer {'converted': client.convert(float(event['amount']), event['from'], event['to']), 'client_id': client.id, 'clients_created': RatesClient.created}, computed for this request only."
    client = rates()
    converted = client.convert(float(event["amount"]), event["from"], event["to"])
    return {"converted": converted, "client_id": client.id, "clients_created": RatesClient.created}
    # END SOLUTION
