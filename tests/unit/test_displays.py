"""The kit's result objects read well in a notebook and as text (issue 8.7)."""

from html import escape

import pytest

from reference_app.lab import packaging
from reference_app.lab.config import resolve_backend
from reference_app.lab.deploy import Deployment, Invocation
from reference_app.lab.doctor import Check, Checks, host_runtime_check
from reference_app.lab.emulator import Status

BACKEND = resolve_backend("embedded", 4711)
TRACE = [
    '  File "/var/task/orders.py", line 12, in lambda_handler\n    total = price(event)\n',
    '  File "/var/task/orders.py", line 5, in price\n    raise ValueError("no price for sku-9")\n',
]


def _displays(obj) -> tuple[str, str, str]:
    return repr(obj), str(obj), obj._repr_html_()


def test_status_shows_its_fields_not_a_dataclass_repr():
    st = Status(BACKEND, healthy=True, emulator="ministack", version="1.5.33", pid=4242, functions=["lab-hello"])
    for shown in _displays(st):
        assert "Backend(" not in shown and "Status(" not in shown
        assert "http://127.0.0.1:4711" in shown and "ministack 1.5.33" in shown
        assert "lambda-lab (pid 4242)" in shown and "lab-hello" in shown
    assert repr(st).splitlines()[0] == "Emulator healthy at http://127.0.0.1:4711"


def test_an_unhealthy_status_shows_the_problem_in_red():
    st = Status(BACKEND, healthy=False, problem="No emulator at http://127.0.0.1:4711 — run `lambda-lab up`.")
    assert "No emulator at http://127.0.0.1:4711" in repr(st)
    assert "#cf222e" in st._repr_html_() and escape("run `lambda-lab up`") in st._repr_html_()


def test_a_deployment_is_labelled():
    package = packaging.build_zip("reference_app.handlers.hello")
    conf = {
        "FunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:lab-hello",
        "State": "Active",
        "Runtime": "python3.13",
        "Handler": "hello.lambda_handler",
        "Timeout": 30,
        "MemorySize": 256,
    }
    dep = Deployment("lab-hello", "created", conf, package)
    for shown in _displays(dep):
        assert "zip_bytes" not in shown and "Package(" not in shown
        assert "lab-hello: created" in shown and "Active" in shown and "python3.13" in shown
        assert f"{package.size:,} bytes" in shown and "hello.lambda_handler" in shown


def test_a_failed_invocation_shows_its_error_and_trace_line_by_line():
    inv = Invocation(
        status_code=200,
        payload={"errorMessage": "no price for sku-9", "errorType": "ValueError", "stackTrace": TRACE},
        function_error="Unhandled",
        request_id="req-1",
        log_tail="START RequestId: req-1\nboom\nEND RequestId: req-1\n",
        elapsed_ms=12.34,
        function="lab-orders",
    )
    text = repr(inv)
    assert text.splitlines()[0] == "lab-orders: failed (Unhandled), status 200, 12.3 ms"
    assert "ValueError: no price for sku-9" in text
    lines = [line.strip() for line in text.splitlines()]
    assert 'raise ValueError("no price for sku-9")' in lines  # its own line, not "\\n"-escaped
    assert "\\n" not in text and "START RequestId: req-1" in lines
    html = inv._repr_html_()
    assert "#cf222e" in html and "<pre" in html and "line 5, in price\n" in html


def test_a_successful_invocation_pretty_prints_its_payload():
    inv = Invocation(200, {"message": "Hello, Ada!", "cold_start": True}, None, "r", "", 3.0, "lab-hello")
    assert '  "message": "Hello, Ada!",' in repr(inv) and repr(inv).startswith("lab-hello: ok, status 200")


def test_checks_show_every_detail_whole():
    runtime = host_runtime_check(BACKEND, runtime="python3.99")
    long_detail = "x" * 300
    checks = Checks([Check("python", "ok", "3.11"), runtime, Check("long", "fail", long_detail)])
    html = checks._repr_html_()
    assert escape(runtime.detail) in html and long_detail in html  # pandas cut cells at 50 characters
    assert runtime.detail in repr(checks) and long_detail in repr(checks)
    assert not checks.ok and "Something needs fixing" in html


def test_show_checks_in_the_setup_notebook_shows_the_runtime_warning_whole():
    from reference_app.lab.notebook_shell import show_checks

    shown = show_checks()._repr_html_()
    runtime = next(c for c in show_checks() if c.name == "runtime")
    assert escape(runtime.detail) in shown


@pytest.mark.parametrize("obj", ["status", "checks"])
def test_text_forms_have_no_markup(obj):
    st = Status(BACKEND, healthy=True, emulator="ministack", pid=1)
    shown = repr(st if obj == "status" else Checks([Check("a", "ok", "b")]))
    assert "<" not in shown
