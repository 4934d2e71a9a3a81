"""The cost calculator against examples worked by hand (prices: us-east-1, aws.amazon.com/lambda/pricing)."""

from __future__ import annotations

import pytest

from reference_app.lab import cost


def test_billed_duration_is_rounded_up_to_the_next_millisecond_init_included():
    assert cost.billed_ms(1.0) == 1
    assert cost.billed_ms(1.0001) == 2
    assert cost.billed_ms(100.4, init_ms=200.2) == 301  # ceil(300.6)


def test_a_gb_second_is_a_second_at_1024_mb():
    assert cost.gb_seconds(1000, 1024) == 1.0
    assert cost.gb_seconds(120, 512) == pytest.approx(0.06)


def test_three_million_requests_at_512_mb_and_120_ms_without_the_free_tier():
    # requests: 3 x $0.20 = $0.60; duration: 3,000,000 x 0.12 s x 0.5 GB = 180,000 GB-s x $0.0000166667
    bill = cost.monthly_bill(3_000_000, 120, 512, free_tier=False)
    assert bill.gb_seconds == pytest.approx(180_000)
    assert bill.request_cost == pytest.approx(0.60)
    assert bill.duration_cost == pytest.approx(3.000006)
    assert bill.total == pytest.approx(3.600006)


def test_the_same_load_with_the_free_tier_costs_only_its_extra_requests():
    bill = cost.monthly_bill(3_000_000, 120, 512)
    assert bill.request_cost == pytest.approx(0.40) and bill.duration_cost == 0


def test_aws_worked_example_512_mb_one_second_three_million_times():
    # (1,500,000 - 400,000) GB-s x $0.0000166667 + (3M - 1M) x $0.20 / 1M
    bill = cost.monthly_bill(3_000_000, 1000, 512)
    assert bill.duration_cost == pytest.approx(18.33337)
    assert bill.total == pytest.approx(18.73337)


def test_arm64_duration_is_twenty_percent_cheaper_in_the_first_tier():
    x86 = cost.monthly_bill(10_000_000, 200, 1024, "x86_64", free_tier=False)
    arm = cost.monthly_bill(10_000_000, 200, 1024, "arm64", free_tier=False)
    assert arm.request_cost == x86.request_cost
    assert arm.duration_cost / x86.duration_cost == pytest.approx(0.0000133334 / 0.0000166667)
    assert arm.duration_cost / x86.duration_cost == pytest.approx(0.8, abs=1e-5)


def test_duration_tiers_x86_past_six_billion_gb_seconds():
    assert cost.duration_cost(7e9, "x86_64") == pytest.approx(6e9 * 0.0000166667 + 1e9 * 0.000015)
    assert cost.duration_cost(7e9, "x86_64") == pytest.approx(115_000.2)


def test_duration_tiers_arm64_into_the_third_tier():
    assert cost.duration_cost(20e9, "arm64") == pytest.approx(100_000.5 + 135_001.125 + 13_333.375)


def test_init_billing_adds_the_cold_starts_init_phase():
    # 990,000 warm x 100 ms + 10,000 cold x (100 + 500) ms = 105,000 s at 1 GB
    bill = cost.monthly_bill(1_000_000, 100, 1024, cold_start_rate=0.01, init_ms=500, free_tier=False)
    assert bill.gb_seconds == pytest.approx(105_000)
    assert bill.duration_cost == pytest.approx(1.7500035)
    without = cost.monthly_bill(1_000_000, 100, 1024, free_tier=False)
    assert bill.total - without.total == pytest.approx(5_000 * 0.0000166667)


def test_a_bill_from_measured_report_lines():
    reports = [{"Billed Duration": 301}, {"Billed Duration": 101}, {"Billed Duration": 102}, {"Billed Duration": 100}]
    bill = cost.bill_from_reports(reports, 256, 2_000_000, free_tier=False)
    # mean 151 ms x 2,000,000 x 0.25 GB = 75,500 GB-s
    assert bill.gb_seconds == pytest.approx(75_500)
    assert bill.total == pytest.approx(0.40 + 75_500 * 0.0000166667)


@pytest.mark.parametrize(
    ("size", "requests"), [(1, 1), (256 * 1024, 1), (256 * 1024 + 1, 2), (320 * 1024, 2), (1024 * 1024, 13)]
)
def test_asynchronous_events_past_256_kb_pay_one_request_per_64_kb(size, requests):
    assert cost.async_requests(size) == requests


def test_an_asynchronous_event_over_1_mb_is_not_priced():
    with pytest.raises(ValueError, match="at most 1,048,576"):
        cost.async_requests(1024 * 1024 + 1)


def test_a_sweep_is_a_table_per_memory_and_architecture():
    table = cost.sweep(1_000_000, {128: 800, 1024: 100}, free_tier=False)
    assert list(table["architecture"]) == ["x86_64", "x86_64", "arm64", "arm64"]
    assert list(table["memory (MB)"]) == [128, 1024, 128, 1024]
    assert table["total ($)"].iloc[0] == pytest.approx(table["total ($)"].iloc[1], rel=0.01)  # same GB-s


def test_an_unknown_architecture_is_refused():
    with pytest.raises(ValueError, match="x86_64 or arm64"):
        cost.monthly_bill(1, 1, 128, "arm32")  # type: ignore[arg-type]
