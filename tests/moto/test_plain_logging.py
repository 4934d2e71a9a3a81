"""plain_logging: three records on a named child of the root logger (formatting is the runtime's job)."""

from __future__ import annotations

import logging

from reference_app.handlers import plain_logging


def test_it_logs_debug_info_and_warning_through_the_root_logger(caplog, lambda_context):
    with caplog.at_level(logging.DEBUG, logger="orders"):  # another test may have set that logger's level
        assert plain_logging.lambda_handler({"order_id": "o-9"}, lambda_context) == {"order_id": "o-9"}
    assert [r.levelname for r in caplog.records] == ["DEBUG", "INFO", "WARNING"]
    assert caplog.records[1].order_id == "o-9" and caplog.records[0].name == "orders"
