"""Exercise init-once (07_performance_and_cost): prepare an expensive table once per execution environment.

This function prices an order with a table of tax rates. ``load_rates()`` (given) stands in for
whatever is slow to prepare: a large file to parse, a model to load, configuration to fetch. It
takes about 200 ms. The handler asks ``rates()`` for the table on every invocation.

Write ``rates()`` so that the table is loaded at most once per execution environment: the first
invocation (or the INIT phase) pays for it, and every warm invocation reuses it. A warm
invocation must then answer in a few milliseconds. Check your work with
``lab.check("init-once")``: it calls your handler several times, then deploys it and reads the
REPORT lines of a cold and of several warm invocations.
"""

from __future__ import annotations

import time

REQUIREMENTS = ()
LOAD_SECONDS = 0.2
LOADS = 0  # how many times load_rates ran in this execution environment
_RATES: dict[str, float] | None = None


def load_rates() -> dict[str, float]:
    """The tax rates in percent, by country: slow to prepare (given, do not change)."""
    global LOADS
    LOADS += 1
    time.sleep(LOAD_SECONDS)
    return {"DE": 19.0, "FR": 20.0, "GB": 20.0, "JP": 10.0, "US-NY": 8.875}


def rates() -> dict[str, float]:
    """The rate table, loaded at most once per execution environment."""
    raise NotImplementedError("Keep the table in the module-level _RATES: load it with load_rates() only when _RATES is still None (declare it global), and return it. functools.cache on rates() does the same.")


def lambda_handler(event: dict, context) -> dict:
    country = event.get("country", "DE")
    net_cents = int(event.get("net_cents", 0))
    rate = rates()[country]
    return {
        "country": country,
        "net_cents": net_cents,
        "gross_cents": round(net_cents * (100 + rate) / 100),
        "loads": LOADS,
    }
