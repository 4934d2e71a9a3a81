"""Day two: a DynamoDB Streams position past its restored stream is brought back (issue 17, section 3)."""

import threading
import types

from ministack.core.responses import AccountRegionScopedDict

from reference_app.lab.emulator_patch import restore

ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026-01-01T00:00:00.000"


def test_a_position_past_the_end_moves_to_the_end(monkeypatch):
    from ministack.services import dynamodb

    esms, positions = AccountRegionScopedDict(), AccountRegionScopedDict()
    esms._data[("000000000000", "us-east-1", "m")] = {"UUID": "m", "EventSourceArn": ARN}
    positions._data[("000000000000", "us-east-1", "m")] = 12
    svc = types.SimpleNamespace(
        _esms=esms,
        _dynamodb_stream_positions=positions,
        _dynamodb_stream_positions_lock=threading.Lock(),
        _dynamodb_stream_table_from_arn_spec=lambda spec: ("t", "label"),
    )
    monkeypatch.setattr(dynamodb, "stream_end_position", lambda table, account_id=None, region=None: 1)
    assert restore.clamp_stream_positions(svc) == 1
    assert positions._data[("000000000000", "us-east-1", "m")] == 1
    assert restore.clamp_stream_positions(svc) == 0  # at the end: left alone
