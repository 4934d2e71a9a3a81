"""The embedded emulator runs Python functions as AWS's Python runtime does (issue 7).

One test per row of the issue's table. Each asserts the shape AWS documents and
uses nothing but the kit's ordinary deploy, invoke and CloudWatch Logs calls on a
plain handler (``fixtures/runtime_probe.py``), so the same test passes unchanged
against AWS. ``LAMBDA_LAB_RAW_EMULATOR=1 pytest tests/emulator/test_runtime_fidelity.py``
shows the raw emulator failing them.
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
import statistics
import time
import zipfile
from pathlib import Path

import pytest

from reference_app.lab import deploy, logs
from reference_app.lab.clients import client

PROBE = Path(__file__).parent / "fixtures" / "runtime_probe.py"
TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


@pytest.fixture(scope="module")
def probe(backend) -> str:
    return deploy.deploy_function("rt-probe", PROBE, backend=backend).name


def _events_since(backend, group: str, since_ms: int) -> list[str]:
    """Every message of a log group since a time, stream by stream (no 10,000-event cap)."""
    cwl = client("logs", backend)
    streams = cwl.describe_log_streams(logGroupName=group)["logStreams"]
    return [e["message"] for s in streams for e in logs.read_stream(cwl, group, s["logStreamName"], since_ms)]


# --- errors --------------------------------------------------------------------------------------------


def test_an_unhandled_error_reaches_the_caller_with_its_type_message_and_stack_trace(backend, probe):
    # WHEN the handler raises a business error
    inv = deploy.invoke(probe, {"action": "raise"}, backend)
    # THEN the caller gets Lambda's error object: the exception's own type, the request id, the trace
    assert inv.function_error == "Unhandled"
    assert set(inv.payload) == {"errorMessage", "errorType", "requestId", "stackTrace"}
    assert inv.payload["errorType"] == "PaymentDeclined"
    assert inv.payload["errorMessage"] == "card declined"
    assert inv.payload["requestId"] == inv.request_id
    assert inv.payload["stackTrace"] and all(isinstance(frame, str) for frame in inv.payload["stackTrace"])


def test_the_stack_trace_shows_the_functions_own_files_only(backend, probe):
    inv = deploy.invoke(probe, {"action": "raise"}, backend)
    frames = "".join(inv.payload["stackTrace"])
    files = re.findall(r'File "([^"]+)", line \d+, in (\w+)', frames)
    # THEN every frame is in the function's file, ending where it raised
    assert files and all(path.endswith("/runtime_probe.py") for path, _ in files)
    assert files[-1][1] == "lambda_handler" and 'raise PaymentDeclined("card declined")' in frames
    # AND the runtime logged the error as AWS's runtime does, with the same frames and nothing of the emulator
    block = inv.logs(backend)
    error_lines = [line for line in block.output if line.startswith("[ERROR] PaymentDeclined: card declined")]
    assert error_lines and "Traceback (most recent call last):" in error_lines[0]
    assert not any("_worker" in line or "bootstrap" in line for line in block.lines)


# --- logging -------------------------------------------------------------------------------------------


def test_root_logger_lines_reach_cloudwatch_in_the_runtimes_text_format(backend, probe):
    # GIVEN a handler that logs with logging.getLogger() after setLevel(INFO), as the AWS docs show
    inv = deploy.invoke(probe, {"action": "log"}, backend)
    block = inv.logs(backend)
    # THEN each record is one line: [LEVEL] <UTC timestamp> <request id> <message>
    assert any(re.fullmatch(rf"\[INFO\]\t{TIMESTAMP}\t{inv.request_id}\tx", line) for line in block.output)
    assert any(re.fullmatch(rf"\[WARNING\]\t{TIMESTAMP}\t{inv.request_id}\tcareful", line) for line in block.output)
    assert not any("not at INFO" in line for line in block.output)


def test_json_log_format_with_an_application_log_level(backend):
    # GIVEN LoggingConfig LogFormat=JSON and ApplicationLogLevel=WARN
    name = deploy.deploy_function(
        "rt-probe-json",
        PROBE,
        backend=backend,
        LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "WARN", "SystemLogLevel": "INFO"},
    ).name
    inv = deploy.invoke(name, {"action": "log"}, backend)
    block = inv.logs(backend)
    # THEN the root logger writes JSON records, and Lambda keeps only those at WARN or above
    records = [json.loads(line) for line in block.output]
    assert [r["message"] for r in records] == ["careful"]
    assert records[0]["level"] == "WARNING" and records[0]["logger"] == "root"
    assert records[0]["requestId"] == inv.request_id and re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", records[0]["timestamp"]
    )
    # AND Lambda's own records are JSON too
    first, last = json.loads(block.lines[0]), json.loads(block.lines[-1])
    assert first["type"] == "platform.start" and first["record"]["requestId"] == inv.request_id
    assert last["type"] == "platform.report" and last["record"]["status"] == "success"
    assert {"durationMs", "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB"} <= set(last["record"]["metrics"])


def test_system_log_level_warn_keeps_lambdas_own_records_out(backend):
    name = deploy.deploy_function(
        "rt-probe-quiet-platform",
        PROBE,
        backend=backend,
        LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "WARN"},
    ).name
    since = int(time.time() * 1000) - 1000
    inv = deploy.invoke(name, {"action": "log"}, backend)
    messages = []
    for _ in range(20):  # Lambda delivers logs asynchronously
        messages = _events_since(backend, f"/aws/lambda/{name}", since)
        if any(inv.request_id in m for m in messages):
            break
        time.sleep(0.5)
    types = [json.loads(m).get("type") for m in messages if m.startswith("{")]
    assert any(json.loads(m).get("message") == "x" for m in messages if m.startswith("{"))
    assert not any(str(t).startswith("platform.") for t in types)


# --- cold starts ------------------------------------------------------------------------------------------


def test_a_cold_start_reports_init_duration_and_the_memory_used(backend, probe):
    deploy.force_cold_start(probe, backend)
    cold = deploy.invoke(probe, {"action": "silent"}, backend)
    warm = deploy.invoke(probe, {"action": "silent"}, backend)
    cold_block, warm_block = cold.logs(backend), warm.logs(backend)
    # THEN the cold REPORT carries Init Duration, the warm one does not, and both a real Max Memory Used
    report = cold_block.lines[-1]
    assert re.fullmatch(
        rf"REPORT RequestId: {cold.request_id}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
        r"Memory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t?",
        report,
    ), report
    assert cold_block.cold and cold_block.report["Init Duration"] > 0
    assert not warm_block.cold
    for block in (cold_block, warm_block):
        assert 0 < block.report["Max Memory Used"] <= block.report["Memory Size"]


# --- request ids ------------------------------------------------------------------------------------------


def test_the_invoke_response_carries_the_request_id_the_function_sees_and_logs(backend, probe):
    inv = deploy.invoke(probe, {"action": "context"}, backend)
    # THEN the id in the response is context.aws_request_id, and the log block is found by it
    assert inv.payload["request_id"] == inv.request_id
    block = inv.logs(backend)
    assert block is not None and block.request_id == inv.request_id
    # AND the block is in the log group and stream the function's context names
    assert inv.payload["log_group_name"] == f"/aws/lambda/{probe}"
    assert block.stream == inv.payload["log_stream_name"]
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", block.stream)


# --- what a function can import ----------------------------------------------------------------------------


def test_a_function_imports_its_zip_and_the_runtimes_sdk_not_the_hosts_packages(backend, probe):
    host_only = ["pandas", "typer", "pytest", "reference_app", "ministack"]
    assert all(importlib.util.find_spec(name) for name in host_only)  # installed where the emulator runs
    inv = deploy.invoke(probe, {"action": "imports", "modules": ["boto3", "botocore", "json", *host_only]}, backend)
    assert inv.payload == {"boto3": True, "botocore": True, "json": True, **dict.fromkeys(host_only, False)}


def test_a_function_imports_its_layers(backend):
    layer_zip = io.BytesIO()
    with zipfile.ZipFile(layer_zip, "w") as zf:
        zf.writestr("python/rt_layer_helper.py", "VALUE = 42\n")
    lam = client("lambda", backend)
    layer = lam.publish_layer_version(
        LayerName="rt-layer", Content={"ZipFile": layer_zip.getvalue()}, CompatibleRuntimes=["python3.13"]
    )
    name = deploy.deploy_function("rt-probe-layer", PROBE, backend=backend, Layers=[layer["LayerVersionArn"]]).name
    inv = deploy.invoke(name, {"action": "imports", "modules": ["rt_layer_helper", "pandas"]}, backend)
    assert inv.payload == {"rt_layer_helper": True, "pandas": False}


def test_the_function_sees_lambdas_variables_not_the_emulators(backend, probe):
    environment = set(deploy.invoke(probe, {"action": "context"}, backend).payload["environment"])
    assert {
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_EXECUTION_ENV",
        "LAMBDA_TASK_ROOT",
        "_HANDLER",
        "AWS_REGION",
    } <= environment
    assert not environment & {
        "GATEWAY_PORT",
        "STATE_DIR",
        "S3_DATA_DIR",
        "LAMBDA_LAB_HOME",
        "LAMBDA_LAB_PORT",
        "PYTHONUNBUFFERED",
        "VIRTUAL_ENV",
    }


# --- a handler that logs nothing ---------------------------------------------------------------------------


def test_a_handler_that_logs_nothing_answers_as_fast_as_one_that_prints(backend, probe):
    times: dict[str, list[float]] = {"silent": [], "print": []}
    for _ in range(21):  # interleaved, so both see the same machine load
        for action, samples in times.items():
            samples.append(deploy.invoke(probe, {"action": action}, backend).elapsed_ms)
    silent, printing = (statistics.median(times[a][1:]) for a in ("silent", "print"))
    # On AWS both take the same time; the raw emulator waits 50 ms for a first line that never comes.
    assert silent <= printing + 20, (silent, printing)
