"""What the emulator runs, or a small model shows: recursive loop detection, response streaming,
VPC reachability, connection storms, Managed Instances, tumbling windows."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ...clients import client
from ..common import new_run_id as new_run_id  # re-exported for the lesson

# --- recursive loop detection, on the emulator -------------------------------------------------------------
DEPTH_HEADER = "X-Ministack-Invoke-Depth"  # the emulator's hop counter, carried from call to call


def invoke_at_depth(name: str, hops: int, event: dict | None = None) -> dict:
    """Invoke ``name`` as if the request chain had already made ``hops`` invocations.

    On AWS, Lambda counts the invocations of one request chain in metadata it carries itself; the
    emulator carries its own counter (``X-Ministack-Invoke-Depth``) from an invocation to the calls
    the function makes, and stops the invocation that would be the 17th, as AWS does. Setting the
    counter here stands in for running sixteen real hops first."""
    lam = client("lambda")

    def add_depth(request, **_kwargs):
        request.headers[DEPTH_HEADER] = str(hops)

    lam.meta.events.register("before-sign.lambda.Invoke", add_depth, unique_id="lab-12-depth")
    try:
        response = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}).encode())
        return {"invocation in the chain": hops + 1, "status": response["StatusCode"], "error": ""}
    except lam.exceptions.ClientError as exc:
        error = exc.response["Error"]
        return {
            "invocation in the chain": hops + 1,
            "status": exc.response["ResponseMetadata"]["HTTPStatusCode"],
            "error": f"{error['Code']}: {error['Message'][:80]}",
        }
    finally:
        lam.meta.events.unregister("before-sign.lambda.Invoke", unique_id="lab-12-depth")


# --- response streaming, on the emulator ---------------------------------------------------------------------
def stream_events(name: str, event: dict | None = None) -> list[dict]:
    """``InvokeWithResponseStream``: the event-stream messages as boto3 decodes them."""
    response = client("lambda").invoke_with_response_stream(FunctionName=name, Payload=json.dumps(event or {}))
    found = []
    for message in response["EventStream"]:
        for kind, body in message.items():
            found.append(
                {
                    "event": kind,
                    **(
                        {"bytes": len(body["Payload"])}
                        if "Payload" in body
                        else {k: v for k, v in body.items() if k != "LogResult"}
                    ),
                }
            )
    return found


# --- VPC networking: what a function in a private subnet can reach -------------------------------------------
GATEWAY_ENDPOINT_SERVICES = frozenset({"s3", "dynamodb"})  # the only services with gateway endpoints


def reachable(target: str, *, in_vpc: bool, nat: bool = False, endpoints: frozenset[str] = frozenset()) -> str:
    """How a function reaches ``target`` ("internet", an AWS service name, or "rds" in the VPC), or "no"."""
    if not in_vpc:
        return "no" if target == "rds" else "yes, over Lambda's own network"
    if target == "rds":
        return "yes, through its Hyperplane ENI in the VPC"
    if target in endpoints:
        kind = "gateway" if target in GATEWAY_ENDPOINT_SERVICES else "interface"
        return f"yes, through the {kind} VPC endpoint"
    if nat:
        return "yes, through the NAT gateway (billed per GB)"
    return "no: a private subnet has no route out, and a Lambda ENI never gets a public IP"


def reachability(targets=("internet", "s3", "dynamodb", "secretsmanager", "rds")) -> Any:
    import pandas as pd

    setups: dict[str, dict[str, Any]] = {
        "not in a VPC": {"in_vpc": False},
        "VPC, private subnets only": {"in_vpc": True},
        "VPC + NAT gateway": {"in_vpc": True, "nat": True},
        "VPC + endpoints (S3, DynamoDB, Secrets Manager)": {
            "in_vpc": True,
            "endpoints": frozenset({"s3", "dynamodb", "secretsmanager"}),
        },
    }
    return pd.DataFrame({label: {t: reachable(t, **kw) for t in targets} for label, kw in setups.items()})


def connection_storm(concurrency: int, max_connections: int, proxy_pool: int | None = None) -> dict:
    """Database connections ``concurrency`` environments open, with and without RDS Proxy's pool."""
    opened = concurrency if proxy_pool is None else min(concurrency, proxy_pool)
    refused = max(0, opened - max_connections)
    return {
        "environments": concurrency,
        "database connections": opened,
        "refused by the database": refused,
        "waiting for a pooled connection": 0 if proxy_pool is None else max(0, concurrency - proxy_pool),
    }


# --- Lambda Managed Instances: environments for a given concurrency -----------------------------------------
def environments_needed(concurrent_requests: int, per_environment: int = 1) -> int:
    """Execution environments that ``concurrent_requests`` need: one each by default, fewer when an
    environment serves ``per_environment`` requests at once (Managed Instances)."""
    return -(-concurrent_requests // per_environment)


# --- tumbling windows: state carried from one invocation of a window to the next ----------------------------
def count_clicks(event: dict) -> dict:
    """A tumbling-window handler: add this batch to the window's state; at the window's end, the total."""
    state = dict(event.get("state") or {})
    for record in event.get("Records", []):
        page = record["page"]
        state[page] = state.get(page, 0) + 1
    if event.get("isFinalInvokeForWindow"):
        return {"state": {}, "batchItemFailures": [], "window_total": state}
    return {"state": state, "batchItemFailures": []}


def replay_window(batches: list[list[str]], handler: Callable[[dict], dict] = count_clicks) -> list[dict]:
    """Invoke ``handler`` as Lambda does inside one tumbling window: each batch gets the state the
    previous invocation returned; the last call has ``isFinalInvokeForWindow`` and no records."""
    state: dict = {}
    window = {"start": "2026-12-05T10:00:00Z", "end": "2026-12-05T10:01:00Z"}
    calls = []
    for n, pages in enumerate([*batches, []]):
        final = n == len(batches)
        answer = handler(
            {
                "Records": [{"page": p} for p in pages],
                "window": window,
                "state": state,
                "isFinalInvokeForWindow": final,
                "shardId": "shardId-000000000000",
            }
        )
        calls.append({"invocation": n + 1, "records": len(pages), "final": final, "returned": answer})
        state = answer.get("state", {})
    return calls
