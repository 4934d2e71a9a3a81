"""reference_app.handlers.anatomy, called directly with the shared event fixtures."""

from __future__ import annotations

import json
import logging

import pytest

from reference_app.handlers import anatomy
from reference_app.lab.events import FakeLambdaContext, load_event


def test_the_context_report_names_every_attribute_with_its_type():
    report = anatomy.context_report({}, FakeLambdaContext(function_name="f", remaining_time_in_millis=2999))
    assert report["function_name"] == {"type": "str", "value": "f"}
    assert report["get_remaining_time_in_millis"] == {"type": "method", "value": 2999}
    assert {
        "aws_request_id",
        "invoked_function_arn",
        "log_group_name",
        "log_stream_name",
        "memory_limit_in_mb",
        "function_version",
    } <= set(report)


def test_the_counter_grows_within_one_environment():
    first, second = anatomy.count({}, FakeLambdaContext()), anatomy.count({}, FakeLambdaContext())
    assert second["invocations"] == first["invocations"] + 1 and first["environment"] == second["environment"]


def test_the_environment_report_never_echoes_credentials(monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "do-not-print")
    monkeypatch.setenv("GREETING", "Hej")
    report = anatomy.environment({}, FakeLambdaContext())
    assert report["GREETING"] == "Hej" and report["credentials_present"]["AWS_SECRET_ACCESS_KEY"] is True
    assert "do-not-print" not in json.dumps(report)


@pytest.mark.parametrize(
    ("event", "version", "cookies_in"),
    [
        ("apigw_rest_get_user", "1.0", "multiValueHeaders"),
        ("apigw_http_v2_get_user", "2.0", "cookies"),
        ("function_url_get", "2.0", "cookies"),
    ],
)
def test_the_response_shape_follows_the_payload_format(event, version, cookies_in):
    response = anatomy.http_response(load_event(event), FakeLambdaContext())
    assert response["statusCode"] == 200 and isinstance(response["body"], str)
    assert json.loads(response["body"])["payload_format"] == version
    cookies = response[cookies_in] if cookies_in == "cookies" else response[cookies_in]["Set-Cookie"]
    assert len(cookies) == 2


def test_a_bare_result_has_no_status_code():
    assert "statusCode" not in anatomy.bare_result(load_event("function_url_get"), FakeLambdaContext())


def test_log_lines_logs_an_exception_with_its_trace(caplog):
    with caplog.at_level(logging.DEBUG):
        assert anatomy.log_lines({}, FakeLambdaContext()) == {"logged": True}
    assert [r.levelname for r in caplog.records] == ["DEBUG", "INFO", "WARNING", "ERROR"]
    assert caplog.records[1].order_id == "o-1" and caplog.records[3].exc_info is not None


def test_scratch_space_reuses_its_file(tmp_path, monkeypatch):
    monkeypatch.setattr(anatomy.tempfile, "gettempdir", lambda: str(tmp_path))
    first = anatomy.scratch_space({"name": "t"}, FakeLambdaContext())
    assert (first["reused"], anatomy.scratch_space({"name": "t"}, FakeLambdaContext())["reused"]) == (False, True)
