"""reference_app.handlers.payments: the failures it raises on purpose."""

from __future__ import annotations

import base64
import json

import pytest

from reference_app.handlers import payments
from reference_app.lab.events import FakeLambdaContext, load_event


def test_a_good_card_is_charged_and_the_attempt_is_logged(capsys):
    context = FakeLambdaContext()
    assert payments.lambda_handler({"card": "4242424242424242", "amount_cents": 1200}, context) == {
        "status": "charged",
        "card_last4": "4242",
        "amount_cents": 1200,
    }
    assert json.loads(capsys.readouterr().out)["request_id"] == context.aws_request_id


def test_a_declined_card_raises_a_domain_error():
    with pytest.raises(payments.CardDeclined, match="ending 0002"):
        payments.lambda_handler({"card": "4000000000000002", "amount_cents": 1}, FakeLambdaContext())


def _record(sequence: str, data: bytes) -> dict:
    record = load_event("kinesis_batch")["Records"][0]
    return {
        **record,
        "kinesis": {**record["kinesis"], "sequenceNumber": sequence, "data": base64.b64encode(data).decode()},
    }


def test_a_clean_batch_settles_and_one_poison_record_fails_it_all():
    good = [_record(str(n), json.dumps({"payment_id": f"p{n}"}).encode()) for n in range(3)]
    assert payments.settle_batch({"Records": good}, FakeLambdaContext()) == {"settled": ["p0", "p1", "p2"]}
    with pytest.raises(payments.NotASettlement, match="record 9 is not JSON"):
        payments.settle_batch({"Records": [*good, _record("9", b"garbage")]}, FakeLambdaContext())
