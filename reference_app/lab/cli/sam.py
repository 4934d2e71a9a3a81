"""Terminal commands for people who know the AWS SAM CLI, on the same code the notebooks use.

=====================================  ========================================
lambda-lab                             like
=====================================  ========================================
``events [NAME]``                      ``sam local generate-event``
``invoke FUNCTION --event/--file/-``   ``sam local invoke``
``logs FUNCTION [--follow] [--since]`` ``sam logs``
``deploy HANDLER``                     ``sam deploy`` (for the reference handlers)
=====================================  ========================================
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from botocore.exceptions import ClientError

from ..emulator_patch.limits import SYNC_REQUEST_LIMIT
from ..errors import LabError, UnknownName, aws_code
from ..events import list_events, load_event
from .base import app, friendly, lazy_module, out

# boto3 and the deploy code load when a command first uses them, not on every `lambda-lab` call
# (`lambda-lab --help` and `status` would pay ~0.2 s for them: benchmarks/import_time.py).
clients = lazy_module("reference_app.lab.clients")
deploy_code = lazy_module("reference_app.lab.deploy")
logs_mod = lazy_module("reference_app.lab.logs")
reference_deploys = lazy_module("reference_app.lab.reference_deploys")


def client(service: str):
    return clients.client(service)


def invoke_function(function: str, payload):
    return deploy_code.invoke(function, payload)


def log_group(function: str) -> str:
    return logs_mod.log_group(function)


def handler_names() -> list[str]:
    return reference_deploys.handler_names()


def deploy_handler(handler: str, name: str | None):
    return reference_deploys.deploy_handler(handler, name)


_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# CloudWatch Logs keeps log events for at most ten years (retention 3653 days).
MAX_SINCE_DAYS = 3653


def parse_since(text: str) -> int:
    """``5m`` / ``30s`` / ``2h`` / ``1d`` as seconds; a one-sentence error otherwise."""
    match = _DURATION.match(text.strip())
    if not match:
        shown = text if len(text) <= 20 else text[:17] + "..."
        raise LabError(f"--since takes a number and a unit (30s, 5m, 2h, 1d), not {shown!r}.")
    digits = match[1].lstrip("0") or "0"
    if len(digits) > 12 or int(digits) * _UNIT_S[match[2]] > MAX_SINCE_DAYS * 86400:
        raise LabError(f"--since goes back at most {MAX_SINCE_DAYS}d (CloudWatch keeps logs ten years at most).")
    return int(digits) * _UNIT_S[match[2]]


def function_name(name: str) -> str:
    """The function name as given, or a LabError when there is none."""
    if not name.strip():
        raise LabError("Give a function name, e.g. lab-hello (`lambda-lab status` lists what is deployed).")
    return name


def _no_function(name: str) -> LabError:
    return LabError(
        f"There is no function named {name!r}; `lambda-lab status` lists what is deployed, "
        "`lambda-lab deploy HANDLER` deploys a reference handler."
    )


def _require_function(name: str) -> None:
    try:
        client("lambda").get_function_configuration(FunctionName=name)
    except ClientError as err:
        if aws_code(err) == "ResourceNotFoundException":
            raise _no_function(name) from None
        raise


@app.command()
@friendly
def events(
    name: Annotated[str | None, typer.Argument(help="An event to print, e.g. s3_put; none lists them.")] = None,
) -> None:
    """List the bundled sample events (AWS's shapes), or print one as JSON."""
    if name is None:
        for event in list_events():
            out.print(event, highlight=False)
        return
    sys.stdout.write(json.dumps(load_event(name), indent=2) + "\n")


def _read_event(event: str | None, file: Path | None) -> object:
    if event is not None and file is not None:
        raise LabError("Give --event or --file, not both.")
    if event is not None:
        return load_event(event)
    if file is None:
        return {}
    where = "stdin" if str(file) == "-" else str(file)
    try:
        data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    except OSError as exc:
        raise LabError(f"Cannot read the event file {file} ({exc.strerror}).") from None
    except AttributeError:  # a stdin without bytes (a test runner's)
        data = sys.stdin.read().encode()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LabError(f"The event in {where} is not UTF-8 text (byte {exc.start}); give a JSON file.") from None
    try:
        payload = json.loads(text) if text.strip() else {}
    except RecursionError:
        raise LabError(f"The event in {where} is nested too deeply to read; flatten it.") from None
    except ValueError as exc:
        raise LabError(f"The event in {where} is not JSON ({exc}).") from None
    return _within_limit(payload, where)


def _within_limit(payload: object, where: str) -> object:
    try:
        size = len(json.dumps(payload).encode())
    except RecursionError:
        raise LabError(f"The event in {where} is nested too deeply to send; flatten it.") from None
    if size > SYNC_REQUEST_LIMIT:
        raise LabError(
            f"The event in {where} is {size:,} bytes, over Lambda's 6 MB limit for a synchronous invoke "
            f"({SYNC_REQUEST_LIMIT:,} bytes); send a smaller event, or put the data in S3 and send its key."
        )
    return payload


@app.command()
@friendly
def invoke(
    function: Annotated[str, typer.Argument(help="The function's name, e.g. lab-hello.")],
    event: Annotated[str | None, typer.Option("--event", "-e", help="A bundled event by name (see `events`).")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="A JSON event file; '-' reads stdin.")] = None,
) -> None:
    """Invoke a function synchronously: its payload, status, error and log tail."""
    function = function_name(function)
    payload = _read_event(event, file)
    try:
        result = invoke_function(function, payload)
    except ClientError as err:
        if aws_code(err) == "ResourceNotFoundException":
            raise _no_function(function) from None
        raise
    if result.log_tail:
        out.print("[dim]" + result.log_tail.rstrip().replace("[", "\\[") + "[/]", highlight=False)
    status = f"status {result.status_code}, {result.elapsed_ms:.0f} ms"
    if result.function_error:
        out.print(f"[red]✗ function error ({result.function_error}), {status}[/]")
    else:
        out.print(f"[green]✓ {status}[/]")
    sys.stdout.write(json.dumps(result.payload, indent=2) + "\n")
    if result.function_error:
        raise typer.Exit(1)


def _print_events(log_events: list[dict]) -> None:
    for e in log_events:
        stamp = time.strftime("%H:%M:%S", time.localtime(e["timestamp"] / 1000))
        sys.stdout.write(f"{stamp}  {e['message'].rstrip()}\n")
    sys.stdout.flush()


def _key(event: dict) -> str:
    """An event's identity: its eventId, or where and when it was written (some emulators give no id)."""
    return event.get("eventId") or f"{event.get('logStreamName')}|{event['timestamp']}|{event['message']}"


def _fetch(function: str, start_ms: int, seen: set[str]) -> list[dict]:
    logs = client("logs")
    found: list[dict] = []
    try:
        for page in logs.get_paginator("filter_log_events").paginate(
            logGroupName=log_group(function), startTime=start_ms
        ):
            found += [e for e in page["events"] if _key(e) not in seen]
    except ClientError as err:
        if aws_code(err) != "ResourceNotFoundException":
            raise
    found.sort(key=lambda e: (e["timestamp"], e.get("ingestionTime", 0)))
    seen.update(_key(e) for e in found)
    return found


@app.command()
@friendly
def logs(
    function: Annotated[str, typer.Argument(help="The function's name, e.g. lab-hello.")],
    since: Annotated[str, typer.Option("--since", "-s", help="How far back: 30s, 5m, 2h, 1d.")] = "10m",
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing new lines until Ctrl-C.")] = False,
) -> None:
    """Print a function's CloudWatch log lines (START, your output, END, REPORT)."""
    function = function_name(function)
    start_ms = int((time.time() - parse_since(since)) * 1000)
    _require_function(function)
    seen: set[str] = set()
    _print_events(_fetch(function, start_ms, seen))
    if not follow:
        return
    try:
        while True:
            time.sleep(1.0)
            new = _fetch(function, start_ms, seen)
            _print_events(new)
            if new:  # read from the newest line on (a minute back: late-arriving lines)
                start_ms = max(start_ms, new[-1]["timestamp"] - 60_000)
    except KeyboardInterrupt:
        return


@app.command()
@friendly
def deploy(
    handler: Annotated[str, typer.Argument(help="A reference handler, e.g. users_api (see its README).")],
    name: Annotated[str | None, typer.Option("--name", help="The function's name (default lab-<handler>).")] = None,
) -> None:
    """Deploy a reference handler with the tables, buckets, topics and queues it needs."""
    if handler not in handler_names():
        raise UnknownName("reference handler", handler, handler_names())
    with out.status(f"Deploying {handler} ..."):
        dep = deploy_handler(handler, name)
    out.print(f"[green]✓[/] {dep.name} {dep.action} ({dep.configuration['Runtime']}, {dep.package.size:,} bytes)")
    variables = dep.configuration.get("Environment", {}).get("Variables", {})
    for key, value in sorted(variables.items()):
        if key != "AWS_ENDPOINT_URL":
            out.print(f"  {key}={value}", highlight=False)
    out.print(f"Try: lambda-lab invoke {dep.name} --event <name>   (lambda-lab events lists them)")
