"""01_architecture's helpers that need no emulator: the cost model, concurrency arithmetic, tables, diagrams."""

from __future__ import annotations

import pytest

from reference_app.lab.deploy import Invocation
from reference_app.lab.errors import LabError
from reference_app.lab.lesson_helpers import architecture as arch
from reference_app.lab.lesson_helpers.common import Mermaid, mermaid_id, parse_line


def test_the_cost_model_reproduces_awss_1ms_billing_example():
    # GIVEN the example of https://aws.amazon.com/blogs/aws/new-for-aws-lambda-1ms-billing-granularity-adds-cost-savings/
    # (60 million invocations of 28 ms at 1 GB, US East, no free tier)
    charges = arch.cost(60_000_000, 60_000_000 * 0.028 * 1.0, "x86_64")
    # THEN $12 of requests and $28 of duration
    assert round(charges["requests"], 2) == 12.00
    assert round(charges["duration"], 2) == 28.00


def test_arm64_duration_is_a_fifth_cheaper_and_requests_cost_the_same():
    x86, arm = arch.cost(1000, 1000.0, "x86_64"), arch.cost(1000, 1000.0, "arm64")
    assert arm["requests"] == x86["requests"]
    assert arm["duration"] / x86["duration"] == pytest.approx(0.8, abs=1e-5)


def test_the_free_tier_is_taken_off_first():
    assert arch.cost(1_000_000, 400_000, "x86_64", free_tier=True)["total"] == 0
    assert arch.cost(2_000_000, 0, "x86_64", free_tier=True)["requests"] == pytest.approx(0.20)


def test_an_unknown_architecture_is_refused():
    with pytest.raises(LabError, match="x86_64"):
        arch.cost(1, 1, "sparc")


def test_billed_time_rounds_up_per_millisecond_and_includes_init():
    assert arch.billed_ms({"Duration": 27.55}) == 28
    assert arch.billed_ms({"Duration": 27.55, "Init Duration": 180.2}) == 28 + 181


def test_a_bill_from_report_lines():
    reports = [{"Duration": 100.0, "Init Duration": 50.0}, {"Duration": 100.0}]
    bill = arch.bill(reports, memory_mb=1024)
    assert bill.loc["x86_64", "billed ms"] == 250 and bill.loc["x86_64", "GB-seconds"] == pytest.approx(0.25)
    assert bill.loc["arm64", "total ($)"] < bill.loc["x86_64", "total ($)"]
    monthly = arch.monthly_cost(10_000_000, 125, 1024)
    assert monthly.loc["x86_64", "GB-seconds"] == 1_250_000
    assert monthly.loc["x86_64", "after the free tier ($)"] < monthly.loc["x86_64", "total ($)"]


def test_peak_overlap_counts_spans_open_at_once():
    assert arch.peak_overlap([(0, 10), (5, 15), (12, 20)]) == 2
    assert arch.peak_overlap([(0, 10), (10, 20)]) == 1  # an end frees its slot before a start takes one
    assert arch.peak_overlap([]) == 0


def ramp_rows():
    def row(wave, env, cold, start, end):
        return {
            "wave": wave,
            "parallel": 0,
            "function": "f",
            "environment": env,
            "cold_start": cold,
            "started_ms": start,
            "ended_ms": end,
            "request_id": f"{env}-{start}",
        }

    return [row(1, "a", True, 0, 100), row(2, "a", False, 200, 300), row(2, "b", True, 250, 350)]


def test_a_ramp_summarises_waves_and_never_overlaps_an_environment_with_itself():
    ramp = arch.Ramp(ramp_rows())
    assert (ramp.environments, ramp.peak, ramp.started_ms) == (2, 2, 0)
    assert ramp.self_overlaps() == []
    waves = ramp.by_wave
    assert waves.loc[1, "cold starts"] == 1 and waves.loc[2, "environments so far"] == 2
    assert waves.loc[2, "peak concurrency"] == 2
    times, running, created = arch.concurrency_series(ramp.rows)
    assert max(running) == 2 and created[-1] == 2 and times == sorted(times)
    clash = arch.Ramp([*ramp_rows(), {**ramp_rows()[1], "started_ms": 220, "ended_ms": 320}])
    assert clash.self_overlaps() == ["a"]


def test_the_ramp_plot_has_two_panels_with_every_invocation_on_its_environments_row():
    left, right = arch.Ramp(ramp_rows()).plot().to_dict()["hconcat"]
    bars = left["data"]["values"]
    assert [(b["environment"], b["start"]) for b in bars] == [("env a", "cold"), ("env a", "warm"), ("env b", "cold")]
    assert left["encoding"]["y"]["sort"] == ["env a", "env b"] and left["height"] == {"step": 24}
    assert {s["series"] for s in right["data"]["values"]} == {"invocations running", "environments created"}
    assert right["mark"]["interpolate"] == "step-after" and right["encoding"]["y"]["axis"]["values"] == [0, 1, 2]


def flow() -> arch.Flow:
    architecture = arch.Architecture(
        "lab-01-",
        "http://x/",
        "lab-01-uploads",
        "arn:topic",
        "http://q",
        {role: f"lab-01-{role}" for role in arch.HANDLERS},
    )
    traffic = arch.Traffic(
        "r1",
        0,
        [("POST", 201), ("POST", 201), ("DELETE", 204)],
        ["a-r1", "b-r1"],
        ["b-r1"],
        ["uploads/r1-photo.png", "uploads/r1 sales.csv"],
    )
    return arch.Flow(
        architecture,
        traffic,
        audit=[
            {"user": "a-r1", "event_name": "INSERT"},
            {"user": "b-r1", "event_name": "INSERT"},
            {"user": "b-r1", "event_name": "REMOVE"},
        ],
        messages=[{"text": "a-r1 created"}, {"text": "b-r1 created"}, {"text": "b-r1 removed"}],
        results=[
            {"object_key": "uploads/r1-photo.png", "status": "processed"},
            {"object_key": "uploads/r1 sales.csv", "status": "processed"},
        ],
        thumbnails=["thumbnails/uploads/r1-photo.png"],
        invocations={"api": 3, "stream": 1, "notify": 3, "files": 2},
    )


def test_a_flow_is_complete_when_every_effect_is_seen():
    done = flow()
    assert done.complete and len(done.rows()) == 4
    assert not arch.Flow(done.arch, done.traffic).complete
    assert done.table.loc["3 stream records", "invocations"] == 1


def test_the_flow_diagram_carries_the_measured_counts():
    diagram = flow().mermaid()
    assert isinstance(diagram, Mermaid)
    assert "flowchart TB" in diagram and "polled in 1 batches" in diagram and "async: 2 invocations" in diagram
    bundle = diagram._repr_mimebundle_()
    assert bundle["text/markdown"].startswith("```mermaid\n") and bundle["text/vnd.mermaid"] == diagram.source


def test_the_wiring_table_names_each_model_and_permission():
    wiring = flow().arch.wiring()
    assert list(wiring["invocation model"]) == [
        "synchronous (push)",
        "event source mapping (poll)",
        "asynchronous (push)",
        "asynchronous (push)",
    ]
    assert wiring["who may invoke / read"].str.contains("execution role").sum() == 1


def test_who_retries_puts_the_three_models_side_by_side():
    sync = Invocation(200, {"errorMessage": "x"}, "Unhandled", "id", "", 1.0)
    table = arch.who_retries(sync, 202, [1, 2, 3], [object()])
    assert list(table.index) == ["synchronous", "asynchronous", "event source mapping"]
    assert table.loc["asynchronous", "attempts seen"] == 3
    assert "Unhandled" in table.loc["synchronous", "what the caller got"]


def test_json_log_lines_and_mermaid_ids():
    assert parse_line('{"a": 1}') == {"a": 1}
    assert parse_line("START RequestId: x") is None and parse_line("[1, 2]") is None and parse_line("{oops") is None
    assert mermaid_id("lab-01-users") == "lab_01_users"
