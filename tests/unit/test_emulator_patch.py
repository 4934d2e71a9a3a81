"""The kit's Lambda runtime for the embedded emulator, without an emulator.

The version gate and the switch; the worker bootstrap spoken to over its pipes, as
ministack speaks to it; the log block and the reclaiming of idle workers as data;
and the formats checked against ``awslambdaric``, AWS's own Python runtime client.
"""

from __future__ import annotations

import ast
import copy
import json
import logging
import os
import subprocess
import sys
import textwrap
import time
import tomllib
import traceback
import warnings
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from reference_app.lab import emulator_patch
from reference_app.lab.emulator_patch import bootstrap, log_block, workers
from reference_app.lab.logs import group_blocks, platform_record

ROOT = Path(__file__).resolve().parents[2]


# --- the gate and the switch ---------------------------------------------------------------------------------


@pytest.fixture
def fresh_warning(monkeypatch):
    monkeypatch.setattr(emulator_patch, "_warned", False)
    monkeypatch.delenv(emulator_patch.RAW_ENV, raising=False)


def test_the_tested_emulator_version_is_started_through_the_runtime(fresh_warning, monkeypatch):
    monkeypatch.setattr(emulator_patch, "installed_version", lambda: emulator_patch.SUPPORTED_EMULATOR)
    assert emulator_patch.emulator_command()[1:] == ["-m", "reference_app.lab.emulator_patch.run_ministack"]


def test_another_emulator_version_warns_once_and_runs_raw(fresh_warning, monkeypatch):
    monkeypatch.setattr(emulator_patch, "installed_version", lambda: "1.6.0")
    with pytest.warns(emulator_patch.EmulatorVersionWarning, match=r"ministack 1\.6\.0 .* tested with 1\.5\.33"):
        assert emulator_patch.emulator_command()[1:] == ["-m", "ministack"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert emulator_patch.emulator_command()[1:] == ["-m", "ministack"]


@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_the_switch_runs_the_raw_emulator_without_a_warning(fresh_warning, monkeypatch, value):
    monkeypatch.setenv(emulator_patch.RAW_ENV, value)
    monkeypatch.setattr(emulator_patch, "installed_version", lambda: emulator_patch.SUPPORTED_EMULATOR)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert emulator_patch.emulator_command()[1:] == ["-m", "ministack"]


def test_the_emulator_is_pinned_to_the_version_the_runtime_was_tested_against():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    ministack = next(Requirement(d) for d in dependencies if Requirement(d).name == "ministack")
    assert str(ministack.specifier) == f"=={emulator_patch.SUPPORTED_EMULATOR}"
    assert emulator_patch.installed_version() == emulator_patch.SUPPORTED_EMULATOR


def test_the_health_document_says_whether_the_runtime_is_active():
    assert emulator_patch.active({"services": {}, emulator_patch.HEALTH_KEY: {"emulator": "1.5.33"}})
    assert not emulator_patch.active({"services": {}}) and not emulator_patch.active(None)


# --- the bootstrap, spoken to as ministack does -------------------------------------------------------------


class Worker:
    """The bootstrap in a process of its own, on pipes, like ministack's warm worker."""

    def __init__(self, code_dir: Path, handler: str, env: dict | None = None, variables: dict | None = None):
        module, function = handler.rsplit(".", 1)
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(bootstrap.__file__))],
            cwd=code_dir,
            text=True,
            bufsize=1,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={
                "PATH": os.environ.get("PATH", ""),
                "AWS_LAMBDA_FUNCTION_NAME": "probe",
                "HOST_ONLY": "1",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
                **(env or {}),
            },
        )
        self.send(
            {
                "code_dir": str(code_dir),
                "module": module,
                "handler": function,
                "env": variables or {},
                "function_name": "probe",
            }
        )
        assert json.loads(self.proc.stdout.readline()) == {"status": "ready", "cold": True}

    def send(self, message: dict) -> None:
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()

    def invoke(self, event, request_id: str = "req-1") -> tuple[dict, list[str]]:
        """The answer, and the log events up to the end-of-output mark."""
        self.send({"event": event, "ctx": {"request_id": request_id, "timeout_ms": 3000}})
        answer = json.loads(self.proc.stdout.readline())
        output = []
        while (line := self.proc.stderr.readline().rstrip("\n")) != bootstrap.END_OF_OUTPUT:
            output.append(line)
        return answer, [message for _, message in log_block.parse_output("\n".join(output))]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


@pytest.fixture
def worker(tmp_path):
    (tmp_path / "fn.py").write_text(
        textwrap.dedent("""
        import logging, os, sys

        logging.getLogger().setLevel(logging.INFO)

        class PaymentDeclined(Exception):
            pass

        def handler(event, context):
            if event == "raise":
                raise PaymentDeclined("card declined")
            if event == "log":
                logging.getLogger("orders").info("two\\nlines")
                print("printed", end="")
                return None
            if event == "set":
                return {1}
            return {"request_id": context.aws_request_id, "memory": context.memory_limit_in_mb,
                    "environment": sorted(os.environ), "path": sys.path, "cwd": os.getcwd(),
                    "site": "site" in sys.modules}
    """)
    )
    started = Worker(tmp_path, "fn.handler", variables={"MINE": "yes"})
    yield started
    started.close()


def test_the_function_runs_isolated_with_lambdas_context_and_variables(worker, tmp_path):
    answer, _ = worker.invoke("context", "req-7")
    result = answer["result"]
    assert answer["status"] == "ok" and result["request_id"] == "req-7" and result["memory"] == "128"
    assert result["path"][0] == str(tmp_path) and not result["site"]
    assert not any("site-packages" in entry for entry in result["path"])
    assert "MINE" in result["environment"] and "AWS_LAMBDA_FUNCTION_NAME" in result["environment"]
    assert "HOST_ONLY" not in result["environment"]
    assert answer["lab"]["init_ms"] > 0 and answer["lab"]["peak_mb"] > 0


def test_an_error_is_answered_in_lambdas_shape_and_logged_as_the_runtime_does(worker):
    answer, output = worker.invoke("raise", "req-9")
    error = answer["lab"]["error"]
    assert error["errorType"] == "PaymentDeclined" and error["errorMessage"] == "card declined"
    assert error["requestId"] == "req-9" and "fn.py" in error["stackTrace"][0]
    assert len(error["stackTrace"]) == 1  # the bootstrap's own frames are not the function's
    assert answer["status"] == "ok"  # the environment stays warm, as on Lambda
    assert output[0].startswith("[ERROR] PaymentDeclined: card declined\nTraceback (most recent call last):\n")
    # the next invocation is served by the same environment
    assert "init_ms" not in worker.invoke("context")[0]["lab"]


def test_log_records_are_one_event_each_and_print_lines_too(worker):
    _, output = worker.invoke("log", "req-3")
    assert len(output) == 2
    level, stamp, request_id, message = output[0].split("\t")
    assert (level, request_id, message) == ("[INFO]", "req-3", "two\nlines\n")
    assert stamp.endswith("Z") and len(stamp) == len("2024-01-01T00:00:00.000Z")
    assert output[1] == "printed"  # a last line without its newline still arrives, at the end


def test_a_result_that_is_not_json_is_a_marshal_error(worker):
    error = worker.invoke("set")[0]["lab"]["error"]
    assert error == {
        "errorMessage": "Unable to marshal response: Object of type set is not JSON serializable",
        "errorType": "Runtime.MarshalError",
        "requestId": "req-1",
        "stackTrace": [],
    }


def test_a_module_that_cannot_be_imported_is_an_import_module_error(tmp_path):
    (tmp_path / "broken.py").write_text("import not_installed_anywhere\n")
    started = Worker(tmp_path, "broken.handler")
    answer, output = started.invoke({})
    assert answer["status"] == "error"  # ministack retires the environment; the next invoke tries init again
    assert answer["lab"]["error"] == {
        "errorMessage": "Unable to import module 'broken': No module named 'not_installed_anywhere'",
        "errorType": "Runtime.ImportModuleError",
        "requestId": "",
        "stackTrace": [],
    }
    assert any("LAMBDA_WARNING: Unhandled exception" in line for line in output)
    started.close()


def test_json_log_format_from_the_environment(tmp_path):
    (tmp_path / "js.py").write_text(
        "import logging\n\n\ndef handler(event, context):\n"
        "    logging.getLogger().warning('careful', extra={'order': 7})\n"
    )
    started = Worker(tmp_path, "js.handler", env={"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "WARN"})
    _, output = started.invoke({}, "req-5")
    record = json.loads(output[0])
    assert record["level"] == "WARNING" and record["message"] == "careful" and record["logger"] == "root"
    assert record["requestId"] == "req-5" and record["order"] == 7
    started.close()


# --- the log block, as data ------------------------------------------------------------------------------------


CONFIG = {"FunctionName": "f", "MemorySize": 256, "Timeout": 3}
LAB = {"started_ms": 1_000_000, "duration_ms": 12.345, "peak_mb": 41, "init_ms": 150.5}


def test_the_text_block_is_start_output_end_report():
    block = log_block.build_log_block(CONFIG, "r-1", "2024/01/01/[$LATEST]ab", [(1_000_001, "hi\n")], LAB)
    lines = [m for _, m in block.events]
    assert block.group == "/aws/lambda/f" and lines[:3] == [
        "START RequestId: r-1 Version: $LATEST\n",
        "hi\n",
        "END RequestId: r-1\n",
    ]
    assert lines[3] == (
        "REPORT RequestId: r-1\tDuration: 12.35 ms\tBilled Duration: 163 ms\tMemory Size: 256 MB\t"
        "Max Memory Used: 41 MB\tInit Duration: 150.50 ms\t\n"
    )
    assert group_blocks([{"timestamp": t, "message": m, "logStreamName": "s"} for t, m in block.events])[0].cold


def test_the_json_block_filters_application_levels_and_drops_platform_records_at_warn():
    config = {**CONFIG, "LoggingConfig": {"LogFormat": "JSON", "ApplicationLogLevel": "ERROR"}}
    output = [
        (1_000_001, '{"level": "INFO", "message": "a"}'),
        (1_000_002, '{"level": "ERROR", "message": "b"}'),
        (1_000_003, "plain print"),
    ]
    block = log_block.build_log_block(config, "r-2", "s", output, LAB)
    records = [json.loads(m) for _, m in block.events]
    assert [r.get("type") or r.get("message") for r in records] == ["platform.start", "b", "platform.report"]
    assert records[-1]["record"]["metrics"] == {
        "durationMs": 12.35,
        "billedDurationMs": 163,
        "memorySizeMB": 256,
        "maxMemoryUsedMB": 41,
        "initDurationMs": 150.5,
    }
    assert platform_record(block.events[-1][1].rstrip("\n"))[2]["Init Duration"] == 150.5
    quiet = {**config, "LoggingConfig": {**config["LoggingConfig"], "SystemLogLevel": "WARN"}}
    quiet_block = log_block.build_log_block(quiet, "r-3", "s", output, LAB)
    assert [json.loads(m)["message"] for _, m in quiet_block.events] == ["b"]


def test_a_timeout_is_reported_as_lambda_reports_it():
    block = log_block.build_log_block(CONFIG, "r-4", "s", [], {"peak_mb": 30}, status="timeout")
    lines = [m for _, m in block.events]
    assert lines[1].endswith(" r-4 Task timed out after 3.00 seconds\n")
    assert "Duration: 3000.00 ms" in lines[-1] and "Status: timeout" in lines[-1]


# --- reclaiming idle workers, as data -------------------------------------------------------------------------


class FakeWorker:
    def __init__(self, name: str, last_used: float, in_use: bool = False):
        self.name, self.last_used, self.in_use, self._proc = name, last_used, in_use, object()


class FakePool:
    def __init__(self, workers: dict[str, list[FakeWorker]]):
        import threading

        self._lock = threading.Lock()
        self._workers = workers
        self.killed: list[str] = []

    def kill_workers(self, workers) -> None:
        self.killed += [w.name for w in workers]


def test_idle_workers_are_reclaimed_by_lifetime_then_least_recently_used():
    now = 10_000.0
    pool = FakePool(
        {
            "a": [FakeWorker("a-last", now - 100), FakeWorker("a-burst", now - 40)],
            "b": [FakeWorker("b-busy", now - 9_000, in_use=True)],
            "c": [FakeWorker("c-old", now - 400)],
            "d": [FakeWorker("d", now - 10)],
            "e": [FakeWorker("e", now - 20)],
        }
    )
    settings = workers.Settings(idle_s=300, burst_idle_s=30, max_idle_workers=2)
    assert workers.reclaim(pool, settings, now) == 3
    # a burst's extra worker after 30 s, a function's last after 300 s, then the oldest beyond two idle
    assert sorted(pool.killed) == ["a-burst", "a-last", "c-old"]
    assert {k: [w.name for w in v] for k, v in pool._workers.items()} == {"b": ["b-busy"], "d": ["d"], "e": ["e"]}


# --- the same formats as awslambdaric, AWS's Python runtime interface client --------------------------------------


def _record(exc_info=None) -> logging.LogRecord:
    record = logging.LogRecord("orders", logging.WARNING, "/var/task/app.py", 7, "stock %s", ("low",), exc_info)
    record.aws_request_id = "req-1"
    record.tenant_id = None
    record.order_id = "o-1"
    return record


def test_formats_match_awslambdaric(monkeypatch):
    ric = pytest.importorskip("awslambdaric.bootstrap")
    utils = pytest.importorskip("awslambdaric.lambda_runtime_log_utils")
    literals = pytest.importorskip("awslambdaric.lambda_literals")
    monkeypatch.setattr(logging.Formatter, "converter", time.gmtime)  # as both runtimes set it; undone after
    try:
        raise ValueError("bad stock")
    except ValueError:
        exc_info = sys.exc_info()
    # the JSON format, with and without an exception
    for record in (_record(), _record(exc_info)):
        assert bootstrap.JsonFormatter().format(copy.copy(record)) == utils.JsonFormatter().format(copy.copy(record))
    # the text format of the root logger's handler
    handler_format = logging.Formatter(bootstrap._TEXT_FORMAT, bootstrap._TEXT_DATE_FORMAT)
    sink = Sink()
    ric._setup_logging(utils.LogFormat.TEXT, "", sink)
    try:
        theirs_handler = logging.getLogger().handlers[-1]
        record = _record()
        assert handler_format.format(copy.copy(record)) == theirs_handler.format(copy.copy(record))
    finally:
        logging.getLogger().removeHandler(logging.getLogger().handlers[-1])
    # the error object, and the error log line of an unhandled exception
    ours = bootstrap.error_from_exception(exc_info[1], "req-1")
    theirs = ric.make_error(
        "bad stock", "ValueError", traceback.format_list(ric.extract_traceback(exc_info[2])), "req-1"
    )
    assert ours == theirs
    ric.log_error(theirs, sink)
    expected, sink.lines = sink.lines, []
    bootstrap.log_error(sink, ours, "Text")
    assert sink.lines == expected
    assert literals.lambda_unhandled_exception_warning_message == bootstrap._UNHANDLED_WARNING


def test_a_json_record_logged_with_exc_info_but_no_exception_fails_as_in_aws_runtime():
    # GIVEN logger.error(..., exc_info=True) outside an except block: logging stores (None, None, None)
    record = logging.LogRecord("app", logging.ERROR, __file__, 1, "nothing raised", None, (None, None, None))
    # THEN the kit's JSON format fails on it as AWS's runtime interface client does (the line is lost on AWS too)
    with pytest.raises(AttributeError):
        bootstrap.JsonFormatter().format(record)
    awslambdaric = pytest.importorskip("awslambdaric.lambda_runtime_log_utils")
    with pytest.raises(AttributeError):
        awslambdaric.JsonFormatter().format(record)


def test_a_json_line_whose_type_is_not_text_is_the_functions_own_output():
    # a function may print {"time": ..., "type": [...]}: not a platform record (an unhashable type raised TypeError)
    assert platform_record(json.dumps({"time": "2026-12-05T12:00:00Z", "type": ["platform.start"]})) is None


class Sink:
    """Stands in for awslambdaric's log sink and for the bootstrap's; keeps the lines of the last error."""

    def __init__(self):
        self.lines: list[str] = []

    def log(self, msg, frame_type=None):
        pass

    def log_error(self, lines):
        self.lines = list(lines)

    def event(self, text):
        self.lines = text.split("\n")


def test_the_bootstrap_needs_nothing_but_the_standard_library():
    tree = ast.parse(Path(bootstrap.__file__).read_text())
    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    imported |= {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and not node.level
    }
    allowed = set(sys.stdlib_module_names) | {"snapshot_restore_py"}  # AWS's SnapStart hooks, when present
    assert imported <= allowed, imported - allowed
