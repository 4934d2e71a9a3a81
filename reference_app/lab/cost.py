"""What a Lambda function costs: requests and GB-seconds, by architecture, with the free tier and INIT billing.

Prices are AWS's on-demand prices for US East (N. Virginia), read on
https://aws.amazon.com/lambda/pricing/ (checked 2026-11-28; the tiers are explained in
https://aws.amazon.com/blogs/compute/introducing-tiered-pricing-for-aws-lambda/):

* requests: $0.20 per million, both architectures;
* duration, x86_64: $0.0000166667 per GB-second for the first 6 billion GB-seconds a month,
  $0.000015 for the next 9 billion, $0.0000133334 beyond 15 billion;
* duration, arm64: $0.0000133334 for the first 7.5 billion, $0.0000120001 for the next 11.25
  billion, $0.0000106667 beyond 18.75 billion;
* free tier, every month: 1,000,000 requests and 400,000 GB-seconds (shared by both architectures);
* duration is rounded up to the next 1 ms, and since 1 August 2025 it includes the INIT phase of
  on-demand functions packaged as zips on managed runtimes
  (https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/);
* an asynchronous event over 256 KB is charged one more request for each further 64 KB (up to 1 MB).

A GB-second is one second of a function configured with 1 GB (1,024 MB) of memory:
``GB-s = billed seconds x memory_mb / 1024``. Tiers apply to the month's GB-seconds of one
architecture in one Region, after the free tier.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Architecture = Literal["x86_64", "arm64"]

REQUEST_PRICE_PER_MILLION = 0.20
FREE_REQUESTS = 1_000_000
FREE_GB_SECONDS = 400_000
#: (GB-seconds in the tier, price per GB-second), in order; the last tier has no end.
DURATION_TIERS: dict[Architecture, tuple[tuple[float, float], ...]] = {
    "x86_64": ((6e9, 0.0000166667), (9e9, 0.000015), (math.inf, 0.0000133334)),
    "arm64": ((7.5e9, 0.0000133334), (11.25e9, 0.0000120001), (math.inf, 0.0000106667)),
}
ASYNC_INCLUDED_BYTES = 256 * 1024
ASYNC_CHUNK_BYTES = 64 * 1024
ASYNC_LIMIT_BYTES = 1024 * 1024


def billed_ms(duration_ms: float, init_ms: float = 0.0) -> int:
    """Billed Duration of one invocation: its duration plus its INIT phase, rounded up to 1 ms."""
    return math.ceil(round(duration_ms + init_ms, 6))


def gb_seconds(billed: float, memory_mb: int) -> float:
    """GB-seconds of ``billed`` milliseconds at ``memory_mb`` (1 GB = 1,024 MB)."""
    return billed / 1000 * memory_mb / 1024


def duration_cost(total_gb_seconds: float, architecture: Architecture = "x86_64") -> float:
    """The price of a month's billable GB-seconds of one architecture, tier by tier."""
    cost, left = 0.0, max(total_gb_seconds, 0.0)
    for size, price in DURATION_TIERS[architecture]:
        used = min(left, size)
        cost += used * price
        left -= used
        if left <= 0:
            break
    return cost


def async_requests(event_bytes: int) -> int:
    """Requests charged for one asynchronous event: 1, plus 1 for each 64 KB (or part) past 256 KB."""
    if event_bytes > ASYNC_LIMIT_BYTES:
        raise ValueError(f"an asynchronous event is at most {ASYNC_LIMIT_BYTES:,} bytes, not {event_bytes:,}")
    return 1 + math.ceil(max(event_bytes - ASYNC_INCLUDED_BYTES, 0) / ASYNC_CHUNK_BYTES)


@dataclass(frozen=True)
class Bill:
    """One month of one workload."""

    architecture: str
    memory_mb: int
    requests: int
    gb_seconds: float
    request_cost: float
    duration_cost: float

    @property
    def total(self) -> float:
        return self.request_cost + self.duration_cost

    def row(self) -> dict:
        return {
            "architecture": self.architecture,
            "memory (MB)": self.memory_mb,
            "requests": self.requests,
            "GB-s": round(self.gb_seconds, 1),
            "requests ($)": round(self.request_cost, 4),
            "duration ($)": round(self.duration_cost, 4),
            "total ($)": round(self.total, 4),
        }


def monthly_bill(
    requests: int,
    avg_duration_ms: float,
    memory_mb: int,
    architecture: Architecture = "x86_64",
    *,
    cold_start_rate: float = 0.0,
    init_ms: float = 0.0,
    free_tier: bool = True,
) -> Bill:
    """The month's bill for ``requests`` invocations averaging ``avg_duration_ms`` each.

    ``cold_start_rate`` of them also pay ``init_ms`` of INIT (billed since 1 August 2025). Each
    invocation's billed duration is rounded up to 1 ms before it is added up. ``free_tier`` takes
    the month's 1M requests and 400,000 GB-seconds off first.
    """
    if architecture not in DURATION_TIERS:
        raise ValueError(f"architecture is x86_64 or arm64, not {architecture!r}")
    warm = requests * (1 - cold_start_rate) * billed_ms(avg_duration_ms)
    cold = requests * cold_start_rate * billed_ms(avg_duration_ms, init_ms)
    total_gb_s = gb_seconds(warm + cold, memory_mb)
    billable_requests = max(requests - FREE_REQUESTS, 0) if free_tier else requests
    billable_gb_s = max(total_gb_s - FREE_GB_SECONDS, 0) if free_tier else total_gb_s
    return Bill(
        architecture,
        memory_mb,
        requests,
        total_gb_s,
        billable_requests / 1_000_000 * REQUEST_PRICE_PER_MILLION,
        duration_cost(billable_gb_s, architecture),
    )


def bill_from_reports(
    reports: list[dict],
    memory_mb: int,
    monthly_requests: int,
    architecture: Architecture = "x86_64",
    free_tier: bool = True,
) -> Bill:
    """A month at ``monthly_requests``, priced from measured REPORT lines (``Billed Duration`` each).

    The measured mix of cold and warm invocations is assumed to hold for the month.
    """
    if not reports:
        raise ValueError("no REPORT lines to price")
    billed = [r["Billed Duration"] for r in reports]
    total_gb_s = gb_seconds(sum(billed) / len(billed) * monthly_requests, memory_mb)
    billable_requests = max(monthly_requests - FREE_REQUESTS, 0) if free_tier else monthly_requests
    billable_gb_s = max(total_gb_s - FREE_GB_SECONDS, 0) if free_tier else total_gb_s
    return Bill(
        architecture,
        memory_mb,
        monthly_requests,
        total_gb_s,
        billable_requests / 1_000_000 * REQUEST_PRICE_PER_MILLION,
        duration_cost(billable_gb_s, architecture),
    )


def compare(bills: list[Bill]):
    """Bills side by side as a pandas table."""
    import pandas as pd

    return pd.DataFrame([b.row() for b in bills])


def sweep(requests: int, durations_ms: dict[int, float], architectures=("x86_64", "arm64"), **kwargs):
    """A table of bills for each memory size (``{memory_mb: avg_duration_ms}``) and architecture."""
    return compare(
        [monthly_bill(requests, durations_ms[m], m, a, **kwargs) for a in architectures for m in sorted(durations_ms)]
    )
