"""Lesson 07's measurements: cold and warm starts from REPORT lines, init scope, a memory sweep,
reserved and provisioned concurrency, and payload limits at their boundaries.

Every figure comes from the emulator's own CloudWatch logs (the ``REPORT`` line of each
invocation) or from its answers; what the emulator cannot show (CPU that scales with memory,
pre-initialised environments) is computed from AWS's documented rules and labelled as such.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from botocore.exceptions import ClientError

from .. import cost
from ..charts import altair, readable, whole_numbers
from ..clients import client
from ..deploy import Deployment, deploy_function, force_cold_start, invoke, wait_ready
from ..emulator_patch import limits
from ..errors import aws_code
from ..logs import wait_for_invocations

PROBE = "reference_app.handlers.perf_probe"
ONE_VCPU_MB = 1769  # https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
WORK = 10_000  # rounds of SHA-256 over 1 KB: some 10 ms on one laptop core


def deploy_probe(name: str, setup_at: str = "module", setup_ms: float = 100, memory_size: int = 256) -> Deployment:
    """The perf_probe handler as ``name``, its setup run at ``module`` scope or in the ``handler``."""
    env = {"SETUP_AT": setup_at, "SETUP_MS": str(setup_ms)}
    return deploy_function(name, PROBE, environment=env, memory_size=memory_size, timeout=10)


def reports(name: str, since_ms: int, count: int):
    """The REPORT lines of ``name``'s invocations since ``since_ms``, one row each (pandas)."""
    import pandas as pd

    rows = [
        {
            "request_id": i.request_id,
            "cold": i.cold,
            "init_ms": i.report.get("Init Duration", 0.0),
            "duration_ms": i.report["Duration"],
            "billed_ms": int(i.report["Billed Duration"]),
            "memory_mb": int(i.report["Memory Size"]),
            "max_memory_used_mb": int(i.report["Max Memory Used"]),
        }
        for i in wait_for_invocations(name, count, since_ms, timeout_s=15)
    ]
    return pd.DataFrame(rows)


def cold_and_warm(name: str, rounds: int = 2, burst: int = 3, warm: int = 4, work: int = WORK):
    """``rounds`` times: retire the environments, send ``burst`` requests at once (each needs an
    environment of its own, so each is a cold start), then ``warm`` one after another."""
    since = int(time.time() * 1000)
    for _ in range(rounds):
        force_cold_start(name)
        with ThreadPoolExecutor(burst) as pool:
            list(pool.map(lambda _: invoke(name, {"work": work}), range(burst)))
        for _ in range(warm):
            invoke(name, {"work": work})
    return reports(name, since, rounds * (burst + warm))


def summary(df):
    """Per kind of start: how many, how often, and the median and 90th percentile of each phase."""
    groups = df.assign(start=df["cold"].map({True: "cold", False: "warm"})).groupby("start")
    table = groups.agg(
        invocations=("request_id", "count"),
        init_median_ms=("init_ms", "median"),
        duration_median_ms=("duration_ms", "median"),
        duration_p90_ms=("duration_ms", lambda s: s.quantile(0.9)),
        billed_median_ms=("billed_ms", "median"),
        max_memory_used_mb=("max_memory_used_mb", "max"),
    )
    table["share"] = (table["invocations"] / table["invocations"].sum()).round(2)
    return table.round(2)


def plot_cold_warm(df):
    """Billed duration of every invocation, cold and warm, and what the cold ones spent in INIT (Altair).

    The histogram is counted here (20 bins at most, of a round width, shared by cold and warm), so its
    axis lists whole numbers of invocations."""
    import math
    from collections import Counter

    alt = altair()
    billed = df["billed_ms"].astype(float)
    span = float(billed.max() - billed.min()) or 1.0
    width = next(s * 10.0**e for e in range(-2, 9) for s in (1, 2, 5) if span / (s * 10.0**e) <= 20)
    first = math.floor(billed.min() / width) * width
    counted = Counter(
        ("cold" if cold else "warm", math.floor((ms - first) / width))
        for cold, ms in zip(df["cold"], billed, strict=True)
    )
    bins = [
        {"start": start, "from": first + n * width, "to": first + (n + 1) * width, "invocations": count}
        for (start, n), count in sorted(counted.items())
    ]
    starts = alt.Scale(domain=["cold", "warm"], range=["#d62728", "#1f77b4"])
    left = (
        alt.Chart(alt.Data(values=bins), title="Billed duration per invocation", width=380, height=240)
        .mark_bar(opacity=0.7, stroke="white")
        .encode(
            x=alt.X("from:Q", bin="binned", title="Billed Duration (ms)"),
            x2="to:Q",
            # invocations are counted, never fractions
            y=alt.Y(
                "invocations:Q", stack=None, title="invocations", axis=alt.Axis(**whole_numbers(max(counted.values())))
            ),
            color=alt.Color("start:N", scale=starts, title=None, legend=alt.Legend(orient="top")),
            tooltip=[
                "start:N",
                alt.Tooltip("from:Q", title="from (ms)"),
                alt.Tooltip("to:Q", title="to (ms)"),
                "invocations:Q",
            ],
        )
    )
    cold = df[df["cold"]]
    phases = [
        {"cold invocation": n, "phase": phase, "ms": float(ms), "order": order}
        for n, r in enumerate(cold.itertuples(), 1)
        for order, (phase, ms) in enumerate((("Init Duration", r.init_ms), ("Duration", r.duration_ms)))
    ]
    right = (
        alt.Chart(alt.Data(values=phases), title="A cold start: INIT, then the handler", width=300, height=240)
        .mark_bar()
        .encode(
            x=alt.X("cold invocation:O", title="cold invocation", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("ms:Q", stack="zero", title="ms"),
            color=alt.Color(
                "phase:N",
                title=None,
                legend=alt.Legend(orient="top"),
                scale=alt.Scale(domain=["Init Duration", "Duration"], range=["#d62728", "#ff7f0e"]),
            ),
            order=alt.Order("order:Q"),
            tooltip=["cold invocation:O", "phase:N", "ms:Q"],
        )
    )
    return readable(alt.hconcat(left, right).resolve_scale(color="independent"))


def init_scope(setup_ms: float = 50, warm: int = 3):
    """The same setup at module scope and in the handler: one cold start, then ``warm`` invocations, each."""
    import pandas as pd

    frames = []
    for where in ("module", "handler"):
        name = f"lab-07-setup-{where}"
        deploy_probe(name, setup_at=where, setup_ms=setup_ms)
        since = int(time.time() * 1000)
        force_cold_start(name)
        for _ in range(warm + 1):
            invoke(name, {})
        frames.append(reports(name, since, warm + 1).assign(setup_at=where))
    df = pd.concat(frames)
    return df.groupby(["setup_at", "cold"])[["init_ms", "duration_ms", "billed_ms"]].median().round(1)


def cpu_share(memory_mb: int) -> float:
    """The vCPU a function gets on AWS: proportional to memory, one full vCPU at 1,769 MB."""
    return memory_mb / ONE_VCPU_MB


def memory_sweep(name: str, sizes=(128, 1769, 3008), work: int = 2 * WORK, repeats: int = 3):
    """The same CPU work at each memory size: measured here, and what AWS's CPU share makes of it.

    The emulator gives every size the machine's cores, so the measured column barely moves. On AWS
    a single-threaded function below 1,769 MB gets ``memory / 1769`` of a vCPU, so the estimate
    divides the work's time with a full core (the median of every measurement here) by that share;
    above 1,769 MB one thread gains nothing."""
    import pandas as pd

    measured = {}
    for memory in sizes:
        deploy_probe(name, memory_size=memory, setup_ms=0)
        invoke(name, {})  # the cold start, not measured
        since = int(time.time() * 1000)
        for _ in range(repeats):
            invoke(name, {"work": work})
        measured[memory] = reports(name, since, repeats)["duration_ms"].median()
    full_core = pd.Series(measured).median()
    rows = []
    for memory in sizes:
        estimate = full_core / min(cpu_share(memory), 1.0)
        rows.append(
            {
                "memory (MB)": memory,
                "vCPU on AWS": round(cpu_share(memory), 2),
                "measured here (ms)": round(measured[memory], 1),
                "AWS estimate (ms)": round(estimate, 1),
                "x86 $ per 1M (AWS estimate)": round(
                    cost.monthly_bill(1_000_000, estimate, memory, free_tier=False).total, 2
                ),
            }
        )
    return pd.DataFrame(rows).set_index("memory (MB)")


def plot_cost(durations_by_memory: dict[int, float], requests: int = 10_000_000):
    """Monthly cost against memory (for the sweep's durations) and against duration (at fixed memory),
    x86_64 and arm64, as an Altair chart."""
    alt = altair()
    sizes = sorted(durations_by_memory)
    architectures: tuple[cost.Architecture, ...] = ("x86_64", "arm64")
    by_memory = [
        {
            "memory_mb": m,
            "dollars": cost.monthly_bill(requests, durations_by_memory[m], m, arch).total,
            "architecture": arch,
        }
        for arch in architectures
        for m in sizes
    ]
    by_duration = [
        {
            "duration_ms": d,
            "dollars": cost.monthly_bill(requests, d, 1024, arch).total,
            "architecture": f"{arch}, 1,024 MB",
        }
        for arch in architectures
        for d in range(10, 1001, 10)
    ]
    dollars = alt.Y("dollars:Q", title="$ per month", axis=alt.Axis(format="$,.2~f"))
    money = alt.Tooltip("dollars:Q", title="$ per month", format="$,.2f")
    left = (
        alt.Chart(alt.Data(values=by_memory), title=f"{requests:,} requests: cost vs memory", width=360, height=240)
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "memory_mb:Q", scale=alt.Scale(type="log"), title="memory (MB)", axis=alt.Axis(values=sizes, format="d")
            ),
            y=dollars,
            color=alt.Color("architecture:N", title=None, legend=alt.Legend(orient="top")),
            strokeDash=alt.StrokeDash("architecture:N", legend=None),
            tooltip=["architecture:N", alt.Tooltip("memory_mb:Q", title="memory (MB)"), money],
        )
    )
    right = (
        alt.Chart(alt.Data(values=by_duration), title="cost vs duration", width=360, height=240)
        .mark_line()
        .encode(
            x=alt.X("duration_ms:Q", title="average billed duration (ms)"),
            y=dollars,
            color=alt.Color("architecture:N", title=None, legend=alt.Legend(orient="top")),
            strokeDash=alt.StrokeDash("architecture:N", legend=None),
            tooltip=["architecture:N", alt.Tooltip("duration_ms:Q", title="duration (ms)"), money],
        )
    )
    return readable(alt.hconcat(left, right).resolve_scale(color="independent", strokeDash="independent"))


# --- concurrency ------------------------------------------------------------------------------------------------
@dataclass
class Throttled:
    first_status: int
    error_code: str
    http_status: int
    reason: str
    message: str


def throttle(name: str, hold_ms: int = 800) -> Throttled:
    """Reserve a concurrency of 1 for ``name``, hold its one environment busy, and call it again."""
    lam = client("lambda")
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    wait_ready(name)
    invoke(name, {})  # an environment ready, so the held call starts at once
    holder: dict = {}
    busy = threading.Thread(target=lambda: holder.update(result=invoke(name, {"sleep_ms": hold_ms})))
    busy.start()
    time.sleep(hold_ms / 3000)
    try:
        lam.invoke(FunctionName=name, Payload=b"{}")
        error: dict = {"Error": {"Code": "none"}, "ResponseMetadata": {"HTTPStatusCode": 200}}
    except ClientError as err:
        error = err.response
    busy.join()
    return Throttled(
        holder["result"].status_code,
        aws_code_of(error),
        error["ResponseMetadata"]["HTTPStatusCode"],
        error.get("Reason", ""),
        error["Error"].get("Message", ""),
    )


def aws_code_of(response: dict) -> str:
    return response.get("Error", {}).get("Code", "")


def provisioned(name: str, environments: int = 2) -> dict:
    """Publish a version, ask for provisioned concurrency on it, and invoke it once."""
    lam = client("lambda")
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=environments
    )
    config = lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier=version)
    first = invoke(name, {}, Qualifier=version)
    block = first.logs()
    return {
        "version": version,
        "status": config["Status"],
        "allocated": config["AllocatedProvisionedConcurrentExecutions"],
        "first invoke cold": first.payload["cold_start"],
        "Init Duration on its REPORT line": block.report.get("Init Duration") if block else None,
    }


# --- payload limits ----------------------------------------------------------------------------------------------
def _event_of(size: int) -> bytes:
    """A JSON event of exactly ``size`` bytes."""
    body = json.dumps({"p": "x" * (size - 9)}).encode()
    assert len(body) == size
    return body


def _attempt(case: str, size: int, **kwargs) -> dict:
    try:
        resp = client("lambda").invoke(**kwargs)
        payload = resp["Payload"].read()
        error = json.loads(payload).get("errorType", "") if resp.get("FunctionError") else ""
        outcome = f"{resp['StatusCode']} {resp.get('FunctionError', '')}".strip()
    except ClientError as err:
        outcome, error = str(err.response["ResponseMetadata"]["HTTPStatusCode"]), aws_code(err)
    return {"case": case, "bytes": size, "status": outcome, "error": error}


def payload_boundaries(name: str):
    """One byte under and one byte over each limit: synchronous and asynchronous requests, and a response."""
    import pandas as pd

    rows = []
    for kind, limit in (("RequestResponse", limits.SYNC_REQUEST_LIMIT), ("Event", limits.ASYNC_REQUEST_LIMIT)):
        for size in (limit - 1, limit + 1):
            rows.append(
                _attempt(f"{kind} request", size, FunctionName=name, InvocationType=kind, Payload=_event_of(size))
            )
    invoke(name, {"respond_bytes": 1})  # warm: the answer below has "cold_start": false, as the two that follow
    base = len(json.dumps(invoke(name, {"respond_bytes": 1}).payload, ensure_ascii=False))
    for size in (limits.RESPONSE_LIMIT - 1, limits.RESPONSE_LIMIT + 1):
        rows.append(
            _attempt(
                "response", size, FunctionName=name, Payload=json.dumps({"respond_bytes": size - base + 1}).encode()
            )
        )
    return pd.DataFrame(rows)
