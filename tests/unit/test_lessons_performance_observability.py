"""Lesson 07's and 08's helpers that need no emulator: CPU share, REPORT summaries, payload sizes, EMF parsing."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from reference_app.lab.lesson_helpers import observability as obs
from reference_app.lab.lesson_helpers import performance as perf


def test_one_vcpu_at_1769_mb_and_in_proportion_below():
    assert perf.cpu_share(1769) == 1.0
    assert perf.cpu_share(128) == pytest.approx(0.0724, abs=1e-4)
    assert perf.cpu_share(3538) == 2.0


@pytest.mark.parametrize("size", [10, 1_048_575, 6_291_457])
def test_an_event_of_exactly_the_size_asked(size):
    body = perf._event_of(size)
    assert len(body) == size and json.loads(body)["p"].startswith("x")


def test_a_summary_counts_cold_and_warm_and_their_share():
    columns = ["request_id", "cold", "init_ms", "duration_ms", "billed_ms", "max_memory_used_mb"]
    runs = pd.DataFrame(
        [
            ("a", True, 200.0, 20.0, 220, 30),
            ("b", False, 0.0, 10.0, 10, 30),
            ("c", False, 0.0, 12.0, 12, 31),
            ("d", False, 0.0, 14.0, 14, 31),
        ],
        columns=columns,
    )
    table = perf.summary(runs)
    assert table.loc["cold", "invocations"] == 1 and table.loc["warm", "invocations"] == 3
    assert table.loc["cold", "share"] == 0.25 and table.loc["warm", "billed_median_ms"] == 12
    assert table.loc["cold", "init_median_ms"] == 200


def test_emf_becomes_one_datum_per_metric_and_dimension_set():
    doc = {
        "_aws": {
            "Timestamp": 1_795_880_000_000,
            "CloudWatchMetrics": [
                {
                    "Namespace": "LambdaLab",
                    "Dimensions": [["service"], ["service", "function_name"]],
                    "Metrics": [{"Name": "OrdersPlaced", "Unit": "Count"}, {"Name": "OrderValue"}],
                }
            ],
        },
        "service": "checkout",
        "function_name": "fn",
        "OrdersPlaced": [1.0],
        "OrderValue": 1299,
    }
    data = obs.metric_data(doc)
    assert [(ns, d["MetricName"], [x["Name"] for x in d["Dimensions"]]) for ns, d in data] == [
        ("LambdaLab", "OrdersPlaced", ["service"]),
        ("LambdaLab", "OrderValue", ["service"]),
        ("LambdaLab", "OrdersPlaced", ["service", "function_name"]),
        ("LambdaLab", "OrderValue", ["service", "function_name"]),
    ]
    assert data[1][1]["Values"] == [1299.0] and data[1][1]["Unit"] == "None"
    assert data[0][1]["Timestamp"] == dt.datetime.fromtimestamp(1_795_880_000, tz=dt.UTC)


def test_json_lines_keeps_objects_only():
    assert obs.json_lines(['{"a": 1}', "[INFO]\ttext", "[1, 2]", "{broken"]) == [{"a": 1}]


def test_an_order_event_is_api_gateways_shape_with_the_order_as_body():
    event = obs.order_event({"order_id": "o-1", "amount_cents": 5})
    assert event["httpMethod"] == "POST" and event["path"] == "/orders"
    assert json.loads(event["body"]) == {"order_id": "o-1", "amount_cents": 5}
    assert "requestId" in event["requestContext"]
