"""Plain logging: the standard library's root logger, as the seed writes it, in Lambda's TEXT and JSON formats.

Trigger: direct ``Invoke``, with ``{"order_id": "o-1"}``.

Environment: none of its own. What it shows is set on the function, not in code: ``LoggingConfig``
(``LogFormat`` ``Text`` or ``JSON``, ``ApplicationLogLevel``, ``SystemLogLevel``).

Notebooks: 08_observability.

Lambda's Python runtime puts a handler on the root logger. With ``LogFormat=Text`` a record reads
``[INFO]<tab>timestamp<tab>request id<tab>message``; with ``LogFormat=JSON`` it is a JSON object with
``timestamp``, ``level``, ``message``, ``logger`` and ``requestId``, plus whatever the record's
``extra`` adds, and ``ApplicationLogLevel`` drops records below it (this handler logs one DEBUG,
one INFO and one WARNING line). No library, no formatter: configuration only.
"""

from __future__ import annotations

import logging

REQUIREMENTS = ()

logger = logging.getLogger("orders")


def lambda_handler(event: dict, context) -> dict:
    order_id = event.get("order_id", "unknown") if isinstance(event, dict) else "unknown"
    logger.debug("raw event %s", event)
    logger.info("order received", extra={"order_id": order_id})
    logger.warning("stock low for order %s", order_id)
    return {"order_id": order_id}
