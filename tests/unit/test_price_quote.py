"""price_quote, the release lesson 11 ships: the quote, the version in the answer, and the bad releases."""

import json
from decimal import Decimal

import pytest

from reference_app.handlers import price_quote
from reference_app.lab.events import FakeLambdaContext


def test_the_answer_names_the_version_that_ran(monkeypatch):
    monkeypatch.setenv("TAX_RATE", "0.2")
    monkeypatch.setenv("RELEASE", "blue")
    answer = price_quote.lambda_handler({"amount_cents": 1000}, FakeLambdaContext(function_version="7"))
    assert answer == {"version": "7", "release": "blue", "total_cents": 1200}


def test_through_an_api_the_same_answer_is_a_proxy_response(monkeypatch):
    monkeypatch.setenv("TAX_RATE", "0.2")
    response = price_quote.lambda_handler({"body": json.dumps({"amount_cents": 1000})}, FakeLambdaContext())
    assert response["statusCode"] == 200 and json.loads(response["body"])["total_cents"] == 1200


@pytest.mark.parametrize(
    ("cents", "rate", "total"), [(1000, "0.2", 1200), (5, "0.1", 6), (0, "0.2", 0), (333, "0", 333)]
)
def test_quotes_round_half_up_in_cents(cents, rate, total):
    assert price_quote.quote(cents, Decimal(rate)) == total


def test_a_tax_rate_that_is_not_a_number_fails_every_quote(monkeypatch):
    monkeypatch.setenv("TAX_RATE", "20%")
    with pytest.raises(RuntimeError, match="TAX_RATE must be a decimal fraction"):
        price_quote.lambda_handler({"amount_cents": 100}, FakeLambdaContext())


def test_the_quote_limit_refuses_larger_amounts_only(monkeypatch):
    monkeypatch.setenv("QUOTE_LIMIT_CENTS", "5000")
    assert price_quote.quote(5000, Decimal("0")) == 5000
    with pytest.raises(price_quote.BadQuote, match="over the quote limit"):
        price_quote.quote(5001, Decimal("0"))


@pytest.mark.parametrize("amount", [-1, 1.5, "100", True, None])
def test_an_amount_that_is_not_whole_cents_is_refused(amount):
    with pytest.raises(price_quote.BadQuote):
        price_quote.quote(amount, Decimal("0.2"))
