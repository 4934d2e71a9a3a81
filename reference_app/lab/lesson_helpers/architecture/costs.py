"""The invocations just run, priced: one volume's charges and a bill from REPORT lines."""

from __future__ import annotations

import math

from ... import cost as pricing
from ...errors import LabError

# --- cost -----------------------------------------------------------------------------------------

# Prices, free tier and tiers are the kit's cost calculator's (reference_app.lab.cost, lesson 07's, which
# cites AWS's pricing page); this lesson keeps its own shapes: one volume's charges, a bill from REPORT lines.
ARCHITECTURES = tuple(pricing.DURATION_TIERS)


def billed_ms(report: dict[str, float]) -> int:
    """Billed time of one invocation: its duration plus, on a cold start, its INIT phase (billed
    for on-demand functions since 1 August 2025), each rounded up to the next 1 ms."""
    return math.ceil(report.get("Duration", 0.0)) + math.ceil(report.get("Init Duration", 0.0))


def cost(
    requests: int, gb_seconds: float, architecture: pricing.Architecture, free_tier: bool = False
) -> dict[str, float]:
    """Requests and duration charges (USD) for a volume, optionally after the monthly free tier."""
    if architecture not in ARCHITECTURES:
        raise LabError(f"architecture is 'x86_64' or 'arm64', not {architecture!r}.")
    billable_requests = max(requests - pricing.FREE_REQUESTS, 0) if free_tier else requests
    billable_gbs = max(gb_seconds - pricing.FREE_GB_SECONDS, 0) if free_tier else gb_seconds
    request_cost = billable_requests / 1_000_000 * pricing.REQUEST_PRICE_PER_MILLION
    duration_cost = pricing.duration_cost(billable_gbs, architecture)
    return {"requests": request_cost, "duration": duration_cost, "total": request_cost + duration_cost}


def bill(reports: list[dict[str, float]], memory_mb: int):
    """What the invocations behind ``reports`` (parsed REPORT lines) cost on each architecture
    (a pandas DataFrame indexed by architecture)."""
    import pandas as pd

    ms = sum(billed_ms(r) for r in reports)
    gb_seconds = memory_mb / 1024 * ms / 1000
    rows = []
    for architecture in ARCHITECTURES:
        charges = cost(len(reports), gb_seconds, architecture)
        rows.append(
            {
                "architecture": architecture,
                "requests": len(reports),
                "billed ms": ms,
                "GB-seconds": gb_seconds,
                "request charge ($)": charges["requests"],
                "duration charge ($)": charges["duration"],
                "total ($)": charges["total"],
            }
        )
    return pd.DataFrame(rows).set_index("architecture")


def monthly_cost(requests: int, average_billed_ms: float, memory_mb: int):
    """The same profile at ``requests`` a month, before and after the free tier (pandas DataFrame)."""
    import pandas as pd

    gb_seconds = requests * memory_mb / 1024 * average_billed_ms / 1000
    rows = []
    for architecture in ARCHITECTURES:
        gross, net = cost(requests, gb_seconds, architecture), cost(requests, gb_seconds, architecture, True)
        rows.append(
            {
                "architecture": architecture,
                "requests / month": requests,
                "GB-seconds": round(gb_seconds),
                "total ($)": round(gross["total"], 2),
                "after the free tier ($)": round(net["total"], 2),
            }
        )
    return pd.DataFrame(rows).set_index("architecture")
