"""Lesson 02's and 05's helpers, the parts that need no emulator."""

from __future__ import annotations

import base64
import io
import json
import zipfile

from reference_app.lab.lesson_helpers import error_handling, handler_anatomy
from reference_app.lab.logs import LoggedInvocation


def test_the_context_table_has_one_row_per_attribute():
    table = handler_anatomy.context_table(
        {
            "function_name": {"type": "str", "value": "f"},
            "get_remaining_time_in_millis": {"type": "method", "value": 42},
        }
    )
    assert list(table.index) == ["function_name", "get_remaining_time_in_millis"]
    assert table.loc["get_remaining_time_in_millis", "value"] == "42"


def test_the_variables_table_never_shows_credentials():
    table = handler_anatomy.variables_table(
        {"GREETING": "Hej", "lambda": {"TZ": ":UTC"}, "credentials_present": {"AWS_SECRET_ACCESS_KEY": True}}
    )
    assert table.loc["AWS_SECRET_ACCESS_KEY", "value"] == "present, not shown"
    assert list(table.index) == ["GREETING", "TZ", "AWS_SECRET_ACCESS_KEY"]


def test_a_layer_zip_is_deterministic_and_keeps_python_at_its_root():
    first = handler_anatomy.layer_zip(handler_anatomy.GREETINGS_LAYER)
    assert first == handler_anatomy.layer_zip(handler_anatomy.GREETINGS_LAYER)
    assert zipfile.ZipFile(io.BytesIO(first)).namelist() == ["python/greetings.py"]


def test_written_modules_live_under_the_kits_home_and_declare_their_requirements(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(tmp_path))
    declared, forgot = handler_anatomy.validator_module(True), handler_anatomy.validator_module(False)
    assert declared.parent == tmp_path / "lessons" / "02"
    assert 'REQUIREMENTS = ("fastjsonschema",)' in declared.read_text() and "REQUIREMENTS = ()" in forgot.read_text()
    compile(handler_anatomy.write_module("seed", handler_anatomy.SEED_LOGGING).read_text(), "seed", "exec")


def test_the_seed_handler_is_the_seeds_code_verbatim(tmp_path, monkeypatch):
    source = error_handling.seed_handler_source()
    assert "'error': str(e)" in source and "table.put_item(Item={" in source
    assert "'created_at': context.aws_request_id" in source
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(tmp_path))
    compile(error_handling.seed_handler_module().read_text(), "seed_users", "exec")


def test_settlement_records_have_one_poison_record():
    records = error_handling.settlement_records(4, poison_at=2)
    data = [base64.b64decode(r["kinesis"]["data"]) for r in records]
    assert [json.loads(d)["payment_id"] for n, d in enumerate(data) if n != 2] == ["p-0", "p-1", "p-3"]
    assert data[2] == b"\x00not json"
    assert [r["kinesis"]["sequenceNumber"][-1] for r in records] == ["0", "1", "2", "3"]


def test_the_attempts_table_measures_each_gap_from_the_invoke():
    runs = [LoggedInvocation("r-1", 1_000 + t, lines=["START", "[ERROR] CardDeclined: no"]) for t in (100, 1100, 3100)]
    table = error_handling.attempts_table(runs, since_ms=1_000)
    assert list(table["started (s after the invoke)"]) == [0.1, 1.1, 3.1]
    assert list(table["gap (s)"][1:]) == [1.0, 2.0] and table.loc[1, "error"].startswith("[ERROR] CardDeclined")


def test_the_retry_timeline_plots_aws_above_the_emulator():
    runs = [LoggedInvocation("r-1", t) for t in (0, 1000, 3000)]
    aws, emulator = error_handling.plot_retry_timeline(runs, since_ms=0).to_dict()["vconcat"]
    assert [aws["title"]["text"], emulator["title"]["text"]] == ["AWS (documented)", "this emulator"]
    assert [a["at"] for a in aws["data"]["values"]] == [0.0, 60.0, 180.0]
    assert [layer["mark"]["type"] for layer in aws["layer"]] == ["tick", "text"]
    assert [a["label"] for a in emulator["data"]["values"]] == [
        "attempt 1\n0.0 s",
        "attempt 2\n1.0 s",
        "attempt 3\n3.0 s",
    ]


def test_a_record_table_flattens_one_level():
    table = error_handling.record_table(
        {"version": "1.0", "requestContext": {"condition": "RetriesExhausted"}, "requestPayload": {"card": "1"}}
    )
    assert table.loc["requestContext.condition", "value"] == '"RetriesExhausted"'
    assert table.loc["requestPayload", "value"] == '{"card": "1"}'


def test_deploy_all_runs_the_first_alone_then_the_rest_together():
    import threading
    import time

    from reference_app.lab.lesson_helpers import parallel

    started: dict[str, float] = {}
    first_done = threading.Event()

    def deploy(name: str, seconds: float):
        def run():
            started[name] = time.monotonic()
            if name != "first":
                assert first_done.is_set(), "a later deploy started before the first finished"
            time.sleep(seconds)
            if name == "first":
                first_done.set()
            return name.upper()

        return run

    begin = time.monotonic()
    done = parallel.deploy_all({"first": deploy("first", 0.05), **{f"d{n}": deploy(f"d{n}", 0.2) for n in range(4)}})
    assert done == {"first": "FIRST", "d0": "D0", "d1": "D1", "d2": "D2", "d3": "D3"}
    assert time.monotonic() - begin < 0.05 + 0.2 * 4  # the four ran together
    assert parallel.deploy_all({}) == {}
