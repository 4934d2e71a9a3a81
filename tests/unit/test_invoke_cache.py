"""Issue 17.8: what lab.invoke remembers is forgotten when a kit client changes functions."""

import pytest

from reference_app.lab import clients
from reference_app.lab.config import Backend

BACKEND = Backend("embedded", "http://127.0.0.1:1")  # nothing is sent: events are emitted by hand


@pytest.mark.parametrize(
    ("service", "operation"),
    [
        ("lambda", "UpdateFunctionConfiguration"),
        ("lambda", "CreateFunction"),
        ("lambda", "DeleteFunction"),
        ("lambda", "PublishVersion"),
        ("cloudformation", "CreateStack"),
        ("cloudformation", "UpdateStack"),
    ],
)
def test_a_change_through_a_kit_client_forgets_remembered_timeouts(service, operation):
    clients._TIMEOUTS[("http://127.0.0.1:1", "test", "f", None)] = (3.0, 0.0)
    made = clients.client(service, BACKEND)
    made.meta.events.emit(f"after-call.{service}.{operation}", http_response=None, parsed={}, model=None, context={})
    assert clients._TIMEOUTS == {}


def test_a_read_leaves_them_alone():
    clients._TIMEOUTS[("http://127.0.0.1:1", "test", "f", None)] = (3.0, 0.0)
    made = clients.client("lambda", BACKEND)
    made.meta.events.emit(
        "after-call.lambda.GetFunctionConfiguration", http_response=None, parsed={}, model=None, context={}
    )
    assert clients._TIMEOUTS != {}
    clients.forget_function_configs()


def test_the_shared_client_is_reused_and_pinned_to_its_endpoint():
    first = clients.shared_client("lambda", BACKEND, 33.0)
    assert clients.shared_client("lambda", BACKEND, 33.0) is first
    assert clients.shared_client("lambda", BACKEND, 34.0) is not first
    assert first.meta.config.read_timeout == 33.0 and first.meta.config.proxies == {}
    assert first.meta.endpoint_url == "http://127.0.0.1:1"
