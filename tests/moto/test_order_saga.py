"""order_saga: saga steps, compensations, and the state machine's routing on AWS vs the emulator."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from importlib import resources
from typing import Any

import pytest

from reference_app.handlers import order_saga

DEFINITION = json.loads(
    resources.files("reference_app").joinpath("handlers", "order_saga.asl.json").read_text(encoding="utf-8")
)


@pytest.fixture
def saga_table(make_table: Callable[..., Any]) -> Any:
    return make_table("saga", env="SAGA_TABLE")


@pytest.fixture
def order_input(event: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    return event("order_saga_input")["order"]


@pytest.fixture
def step(saga_table: Any, lambda_context: Any) -> Callable[..., dict[str, Any]]:
    """``step("reserve", order)``: invoke the handler the way the state machine does."""
    return lambda action, order: order_saga.lambda_handler({"action": action, "order": order}, lambda_context)


def state_of(table: Any, order_id: str = "o-3001") -> dict[str, Any] | None:
    return table.get_item(Key={"order_id": order_id}).get("Item")


# --- steps and compensations -----------------------------------------------------------------------
def test_happy_path_reserve_charge_ship(saga_table, step, order_input):
    assert step("reserve", order_input) == {"reservation_id": "rsv-o-3001"}
    assert step("charge", order_input) == {"payment_id": "pay-o-3001"}
    assert step("ship", order_input) == {"tracking_id": "trk-o-3001"}
    item = state_of(saga_table)
    assert (item["reservation_status"], item["payment_status"], item["shipment_status"]) == (
        "RESERVED",
        "CHARGED",
        "SHIPPED",
    )


def test_steps_are_idempotent_under_retry(saga_table, step, order_input):
    for _ in range(2):
        step("reserve", order_input)
        step("charge", order_input)
    assert state_of(saga_table)["payment_status"] == "CHARGED"


@pytest.mark.parametrize(
    ("action", "change", "error"),
    [
        ("reserve", {"items": [{"sku": "BOOK-42", "quantity": 11}]}, order_saga.OutOfStock),
        ("charge", {"amount_cents": 50_001}, order_saga.PaymentDeclined),
        ("ship", {"country": "AQ"}, order_saga.ShippingUnavailable),
    ],
)
def test_business_failures_raise_named_errors(saga_table, step, order_input, action, change, error):
    order = {**order_input, **change}
    if action != "reserve":
        step("reserve", order)
    if action == "ship":
        step("charge", order)
    with pytest.raises(error):
        step(action, order)


def test_charge_limit_comes_from_environment(saga_table, step, order_input, monkeypatch):
    monkeypatch.setenv("CHARGE_LIMIT_CENTS", "100")
    step("reserve", order_input)
    with pytest.raises(order_saga.PaymentDeclined):
        step("charge", order_input)


def test_release_undoes_reserve_once(saga_table, step, order_input):
    step("reserve", order_input)
    assert step("release", order_input) == {"released": True}
    assert step("release", order_input) == {"released": False}
    assert state_of(saga_table)["reservation_status"] == "RELEASED"


def test_refund_undoes_charge_once(saga_table, step, order_input):
    step("reserve", order_input)
    step("charge", order_input)
    assert step("refund", order_input) == {"refunded": True}
    assert step("refund", order_input) == {"refunded": False}
    assert state_of(saga_table)["payment_status"] == "REFUNDED"


@pytest.mark.parametrize("action", ["release", "refund"])
def test_compensating_what_never_happened_is_a_no_op(saga_table, step, order_input, action):
    expected = {"released": False} if action == "release" else {"refunded": False}
    assert step(action, order_input) == expected
    assert state_of(saga_table) is None  # nothing invented


@pytest.mark.parametrize(
    ("history", "action"),
    [
        ([], "charge"),
        (["reserve"], "ship"),
        (["reserve", "release"], "reserve"),
        (["reserve", "charge", "refund"], "charge"),
    ],
)
def test_out_of_order_steps_conflict(saga_table, step, order_input, history, action):
    for done in history:
        step(done, order_input)
    with pytest.raises(order_saga.SagaStateConflict):
        step(action, order_input)


@pytest.mark.parametrize(
    "change",
    [
        {"order_id": "../x"},
        {"amount_cents": 0},
        {"amount_cents": "10"},
        {"amount_cents": True},
        {"currency": "eur"},
        {"country": "Germany"},
        {"items": []},
        {"items": [{"sku": "A", "quantity": 0}]},
        {"items": [{"sku": "", "quantity": 1}]},
        {"items": ["A"]},
        {"customer_id": None},
    ],
    ids=repr,
)
def test_invalid_order_is_rejected(saga_table, step, order_input, change):
    with pytest.raises(order_saga.InvalidOrder):
        step("reserve", {**order_input, **change})
    assert state_of(saga_table) is None


@pytest.mark.parametrize(
    ("pinned", "event_action", "outcome"),
    [
        (None, "reserve", "reserve"),
        ("reserve", None, "reserve"),
        ("reserve", "reserve", "reserve"),
        ("reserve", "charge", order_saga.InvalidOrder),
        (None, "cancel", order_saga.InvalidOrder),
        (None, None, order_saga.InvalidOrder),
    ],
)
def test_action_from_event_or_environment(pinned, event_action, outcome):
    event = {} if event_action is None else {"action": event_action}
    if isinstance(outcome, str):
        assert order_saga.resolve_action(event, pinned) == outcome
    else:
        with pytest.raises(outcome):
            order_saga.resolve_action(event, pinned)


def test_pinned_function_runs_its_action(saga_table, lambda_context, order_input, monkeypatch):
    monkeypatch.setenv("SAGA_ACTION", "reserve")
    assert order_saga.lambda_handler({"order": order_input}, lambda_context) == {"reservation_id": "rsv-o-3001"}


# --- the state machine definition -------------------------------------------------------------------
def test_definition_placeholders_are_the_documented_ones():
    text = resources.files("reference_app").joinpath("handlers", "order_saga.asl.json").read_text(encoding="utf-8")
    assert sorted(set(re.findall(r"\$\{(\w+)\}", text))) == sorted(order_saga.ASL_PLACEHOLDERS)


def test_definition_is_well_formed():
    states = DEFINITION["States"]
    assert DEFINITION["StartAt"] in states
    for name, state in states.items():
        targets = [state.get("Next")] + [c["Next"] for c in state.get("Catch", [])]
        assert all(t in states for t in targets if t), name
        if state["Type"] == "Task":
            assert state["Retry"] and state["Catch"], name
            assert state["Parameters"]["action"] in order_saga.ACTIONS
            # States.ALL must be alone and last: the specific names get their chance first
            assert state["Catch"][-1]["ErrorEquals"] == ["States.ALL"], name
            for catcher in state["Catch"][:-1]:
                for error in catcher["ErrorEquals"]:
                    assert issubclass(getattr(order_saga, error), order_saga.SagaError), error
        else:
            assert state["Type"] in ("Succeed", "Fail")


def run_state_machine(
    execution_input: dict[str, Any], invoke: Callable[[dict[str, Any]], Any], error_name: Callable[[Exception], str]
) -> tuple[str, list[str]]:
    """A tiny interpreter for the subset of ASL the definition uses (Task/Succeed/Fail, Parameters
    with ``.$`` paths, ResultPath, Catch). Retries are not simulated: no transient errors here."""
    data, name, visited = copy.deepcopy(execution_input), DEFINITION["StartAt"], []
    while True:
        visited.append(name)
        state = DEFINITION["States"][name]
        if state["Type"] == "Succeed":
            return "SUCCEEDED", visited
        if state["Type"] == "Fail":
            return state["Error"], visited
        params = {
            key[:-2] if key.endswith(".$") else key: data[value[2:]] if key.endswith(".$") else value
            for key, value in state["Parameters"].items()
        }
        try:
            result, name = invoke(params), state["Next"]
        except order_saga.SagaError as exc:  # a failed Lambda invocation
            error = error_name(exc)
            catcher = next(c for c in state["Catch"] if error in c["ErrorEquals"] or c["ErrorEquals"] == ["States.ALL"])
            result, name = {"Error": error, "Cause": str(exc)}, catcher["Next"]
            data[catcher["ResultPath"][2:]] = result
            continue
        data[state["ResultPath"][2:]] = result


@pytest.mark.parametrize(
    ("change", "where", "status", "path"),
    [
        ({}, "aws", "SUCCEEDED", ["ReserveInventory", "ChargePayment", "ShipOrder", "OrderCompleted"]),
        ({}, "emulator", "SUCCEEDED", ["ReserveInventory", "ChargePayment", "ShipOrder", "OrderCompleted"]),
        (
            {"amount_cents": 99_999},
            "aws",
            "OrderFailed",
            ["ReserveInventory", "ChargePayment", "ReleaseInventory", "OrderFailed"],
        ),
        (
            {"amount_cents": 99_999},
            "emulator",
            "OrderFailed",
            ["ReserveInventory", "ChargePayment", "RefundPayment", "ReleaseInventory", "OrderFailed"],
        ),
        (
            {"country": "AQ"},
            "aws",
            "OrderFailed",
            ["ReserveInventory", "ChargePayment", "ShipOrder", "RefundPayment", "ReleaseInventory", "OrderFailed"],
        ),
        (
            {"country": "AQ"},
            "emulator",
            "OrderFailed",
            ["ReserveInventory", "ChargePayment", "ShipOrder", "RefundPayment", "ReleaseInventory", "OrderFailed"],
        ),
        (
            {"items": [{"sku": "BOOK-42", "quantity": 50}]},
            "aws",
            "OrderRejected",
            ["ReserveInventory", "OrderRejected"],
        ),
        (
            {"items": [{"sku": "BOOK-42", "quantity": 50}]},
            "emulator",
            "OrderFailed",
            ["ReserveInventory", "ReleaseInventory", "OrderFailed"],
        ),
    ],
)
def test_failures_are_compensated_on_aws_and_on_the_emulator(
    saga_table, lambda_context, order_input, change, where, status, path
):
    # GIVEN an order that fails at some step, and the error naming of AWS or of the emulator
    # (AWS: errorType is the exception class name; ministack: every Lambda error is Runtime.HandlerError)
    error_name = (lambda exc: type(exc).__name__) if where == "aws" else (lambda exc: "Runtime.HandlerError")
    order = {**order_input, **change}
    # WHEN the state machine runs
    result, visited = run_state_machine(
        {"order": order}, lambda params: order_saga.lambda_handler(params, lambda_context), error_name
    )
    # THEN it takes the documented path, and no reservation or payment is left behind on failure
    assert (result, visited) == (status, path)
    item = state_of(saga_table)
    if status == "SUCCEEDED":
        assert item["shipment_status"] == "SHIPPED"
    elif item is not None:
        assert item["reservation_status"] == "RELEASED"
        assert item.get("payment_status") in (None, "REFUNDED")
