"""Scaling from zero: waves of concurrent invocations, which environment served each."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ...charts import altair, readable, whole_numbers
from ...clients import client
from ...config import Backend
from ...deploy import force_cold_start
from ...errors import LabError
from ...logs import invocations
from ...poll import attempts as polling
from ..common import new_run_id
from .invocation import PROBE

# --- scaling from zero ------------------------------------------------------------------------------


@dataclass
class Ramp:
    """Waves of concurrent invocations and the execution environment that served each one."""

    rows: list[dict]

    @property
    def started_ms(self) -> int:
        return min(r["started_ms"] for r in self.rows)

    @property
    def table(self):
        import pandas as pd

        return pd.DataFrame(self.rows)

    def reports(self, function: str = "", timeout_s: float = 15.0) -> list[dict[str, float]]:
        """The REPORT line of every invocation of the ramp, found in the log by request id."""
        function = function or self.rows[0]["function"]
        wanted = {r["request_id"] for r in self.rows}
        found: dict[str, dict[str, float]] = {}
        for _ in polling(timeout_s, first=0.2, cap=0.5):
            found = {
                i.request_id: i.report
                for i in invocations(function, self.started_ms - 10_000)
                if i.complete and i.request_id in wanted
            }
            if len(found) == len(wanted):
                break
        return list(found.values())

    @property
    def environments(self) -> int:
        return len({r["environment"] for r in self.rows})

    @property
    def peak(self) -> int:
        """The most invocations that were running at the same moment."""
        return peak_overlap([(r["started_ms"], r["ended_ms"]) for r in self.rows])

    def self_overlaps(self) -> list[str]:
        """Environments that ran two invocations at once (Lambda never does that)."""
        clashes = []
        for env in {r["environment"] for r in self.rows}:
            spans = [(r["started_ms"], r["ended_ms"]) for r in self.rows if r["environment"] == env]
            if peak_overlap(spans) > 1:
                clashes.append(env)
        return clashes

    @property
    def by_wave(self):
        import pandas as pd

        seen: set[str] = set()
        rows = []
        for wave in sorted({r["wave"] for r in self.rows}):
            batch = [r for r in self.rows if r["wave"] == wave]
            envs = {r["environment"] for r in batch}
            seen |= envs
            rows.append(
                {
                    "wave": wave,
                    "parallel requests": len(batch),
                    "environments used": len(envs),
                    "cold starts": sum(1 for r in batch if r["cold_start"]),
                    "environments so far": len(seen),
                    "peak concurrency": peak_overlap([(r["started_ms"], r["ended_ms"]) for r in batch]),
                }
            )
        return pd.DataFrame(rows).set_index("wave")

    def plot(self):
        """An Altair chart. Left: each invocation as a bar on the row of the environment that served it
        (cold starts dark). Right: invocations running at each moment, and environments created so far."""
        alt = altair()
        start = min(r["started_ms"] for r in self.rows)
        order = list(dict.fromkeys(r["environment"] for r in sorted(self.rows, key=lambda r: r["started_ms"])))
        bars = [
            {
                "environment": f"env {r['environment']}",
                "from": (r["started_ms"] - start) / 1000,
                "to": (r["ended_ms"] - start) / 1000,
                "start": "cold" if r["cold_start"] else "warm",
                "wave": r["wave"],
            }
            for r in self.rows
        ]
        seconds = alt.X("from:Q", title="seconds since the first invocation")
        left = (
            alt.Chart(
                alt.Data(values=bars), title="who served what (dark = cold start)", width=380, height=alt.Step(24)
            )
            .mark_bar(stroke="white")
            .encode(
                x=seconds,
                x2="to:Q",
                y=alt.Y("environment:N", sort=[f"env {e}" for e in order], title=None),
                color=alt.Color(
                    "start:N",
                    title=None,
                    legend=alt.Legend(orient="bottom"),
                    scale=alt.Scale(domain=["cold", "warm"], range=["#1f4e79", "#7fb3d5"]),
                ),
                tooltip=["environment:N", "start:N", "wave:Q", "from:Q", "to:Q"],
            )
        )
        times, running, created = concurrency_series(self.rows)
        steps = [
            {"at": (t - start) / 1000, "count": n, "series": series}
            for series, counts in (("invocations running", running), ("environments created", created))
            for t, n in zip(times, counts, strict=True)
        ]
        right = (
            alt.Chart(alt.Data(values=steps), title="concurrency rising from zero", width=380, height=220)
            .mark_line(interpolate="step-after", strokeWidth=2)
            .encode(
                x=alt.X("at:Q", title="seconds since the first invocation"),
                y=alt.Y("count:Q", title="count", axis=alt.Axis(**whole_numbers(max(s["count"] for s in steps)))),
                color=alt.Color(
                    "series:N",
                    title=None,
                    legend=alt.Legend(orient="bottom"),
                    scale=alt.Scale(range=["#cf222e", "#0969da"]),
                ),
                strokeDash=alt.StrokeDash("series:N", legend=None),
            )
        )
        return readable(alt.hconcat(left, right).resolve_scale(color="independent"))


def peak_overlap(spans: list[tuple[int, int]]) -> int:
    """The largest number of ``(start, end)`` spans open at one moment (an end frees its slot
    before a start at the same millisecond takes one)."""
    points = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans], key=lambda p: (p[0], p[1]))
    running = peak = 0
    for _, step in points:
        running += step
        peak = max(peak, running)
    return peak


def concurrency_series(rows: list[dict]) -> tuple[list[int], list[int], list[int]]:
    """For a step plot: at each start or end, the invocations running and the environments seen so far."""
    events = sorted(
        [(r["started_ms"], 1, r["environment"]) for r in rows] + [(r["ended_ms"], -1, r["environment"]) for r in rows],
        key=lambda e: (e[0], e[1]),
    )
    times, running, created = [], [], []
    now, seen = 0, set()
    for at, step, env in events:
        now += step
        seen.add(env)
        times.append(at)
        running.append(now)
        created.append(len(seen))
    return times, running, created


def ramp(
    function: str = PROBE, waves: tuple[int, ...] = (1, 2, 4, 8), sleep_ms: int = 500, backend: Backend | None = None
) -> Ramp:
    """Retire the function's environments (a configuration change), then send each wave of
    ``n`` invocations in parallel, each working ``sleep_ms``; record who served what."""
    force_cold_start(function, backend)
    lam = client("lambda", backend)  # one client, shared by the threads (boto3 clients are thread-safe)
    run = new_run_id()

    def call(args: tuple[int, int]) -> dict:
        wave, n = args
        event = {"marker": f"ramp-{run}-{wave}-{n}", "sleep_ms": sleep_ms}
        answer = lam.invoke(FunctionName=function, Payload=json.dumps(event).encode())
        payload = json.loads(answer["Payload"].read())
        if answer.get("FunctionError"):
            raise LabError(f"{function} failed during the ramp: {payload}")
        return {
            "wave": wave,
            "parallel": n,
            "function": function,
            **{k: payload[k] for k in ("environment", "cold_start", "started_ms", "ended_ms", "request_id")},
        }

    rows: list[dict] = []
    with ThreadPoolExecutor(max_workers=max(waves)) as pool:
        for wave, size in enumerate(waves, start=1):
            rows += list(pool.map(call, [(wave, size)] * size))
    return Ramp(rows)


def account_concurrency(backend: Backend | None = None) -> dict[str, int]:
    """The account's concurrency quota as ``GetAccountSettings`` reports it."""
    limit = client("lambda", backend).get_account_settings()["AccountLimit"]
    return {k: int(limit[k]) for k in ("ConcurrentExecutions", "UnreservedConcurrentExecutions")}
