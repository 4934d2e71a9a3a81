"""order_saga_durable: module 09's saga as a durable function, run with AWS's local testing SDK under moto.

GIVEN the saga table, WHEN an order runs through the durable handler (the testing SDK invokes it, suspends
at the wait and replays), THEN the outcome, the compensations and the table are the state machine's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from reference_app.handlers import order_saga_durable
from reference_app.lab.lesson_helpers.beyond_zip import durable_sagas


@pytest.fixture
def saga_table(make_table: Callable[..., Any]) -> Any:
    return make_table("saga", env="SAGA_TABLE")


@pytest.fixture
def order(event: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    return event("order_saga_input")["order"]


def test_three_orders_end_as_the_state_machine_ends_them(saga_table, order):
    runs = durable_sagas(
        saga_table,
        {
            "ok": {**order, "order_id": "d-ok"},
            "declined": {**order, "order_id": "d-no", "amount_cents": 10_000_000},
            "zz": {**order, "order_id": "d-zz", "country": "ZZ"},
        },
    )
    assert {label: r.result["status"] for label, r in runs.items()} == {
        "ok": "COMPLETED",
        "declined": "FAILED",
        "zz": "FAILED",
    }
    assert runs["declined"].result["compensations"] == ["release"]  # nothing was charged
    assert runs["zz"].result["compensations"] == ["refund", "release"]  # reverse order
    assert runs["ok"].names() == ["reserve", "charge", "cooling-off", "ship"]
    item = saga_table.get_item(Key={"order_id": "d-zz"})["Item"]
    assert item["payment_status"] == "REFUNDED" and item["reservation_status"] == "RELEASED"


def test_an_out_of_stock_order_is_rejected_without_compensation(saga_table, order):
    runs = durable_sagas(
        saga_table,
        {"big": {**order, "order_id": "d-big", "items": [{"sku": "BOOK-42", "quantity": 99}]}},
        ship_after_s=0,
    )
    assert runs["big"].result == {"status": "REJECTED", "order_id": "d-big", "error": "OutOfStock"}


def test_an_unexpected_error_compensates_the_failing_step_too(saga_table, order, monkeypatch):
    def broken_charge(*_args: Any, **_kwargs: Any) -> dict:
        raise TimeoutError("the payment provider timed out after charging")

    monkeypatch.setattr(order_saga_durable, "charge", broken_charge)
    runs = durable_sagas(saga_table, {"t": {**order, "order_id": "d-t"}}, ship_after_s=0)
    assert runs["t"].result["compensations"] == ["refund", "release"]  # refund is a no-op if nothing was charged


def test_the_deployed_handler_reads_its_table_and_wait_from_the_environment(saga_table, order, monkeypatch):
    from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

    monkeypatch.setenv("SHIP_AFTER_SECONDS", "0")
    with DurableFunctionTestRunner(handler=order_saga_durable.lambda_handler) as runner:
        result = runner.run(input=json.dumps({"order": {**order, "order_id": "d-h"}}), timeout=30)
    assert json.loads(result.result)["status"] == "COMPLETED"
    assert saga_table.get_item(Key={"order_id": "d-h"})["Item"]["shipment_status"] == "SHIPPED"
