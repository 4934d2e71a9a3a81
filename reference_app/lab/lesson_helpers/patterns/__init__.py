"""Helpers for 09_patterns: fan-out, a saga, event sourcing, CQRS and three small pipelines.

* :mod:`.pipelines`: every function, table, queue, stream and mapping of the lesson, in one call;
* :mod:`.fanout`: publish orders, read what each consumer did, find a message in a DLQ;
* :mod:`.saga`: run the order saga, its history as a table and a timeline; the exercise's machine;
* :mod:`.events`: the event store (write side), the read model, replays and read-after-write lag;
* :mod:`.industry`: thumbnails, clickstream counts, a CSV import and its report;
* :mod:`.infra`: queues with a dead-letter queue, SNS subscriptions of queues, waiting on evidence.
"""

from .events import (
    CommandRejected,
    ConcurrencyConflict,
    EventStore,
    draft_events,
    paused,
    read_after_write,
    rebuild,
    redeliver,
    view,
    wait_for_view,
    without_projection_fields,
)
from .fanout import consumers as consumers
from .fanout import order as order
from .fanout import parked as parked
from .fanout import publish as publish
from .fanout import publish_again as publish_again
from .fanout import tapped as tapped
from .infra import PREFIX as PREFIX
from .infra import Queue as Queue
from .infra import attempt as attempt
from .infra import item as item
from .infra import queue_with_dlq as queue_with_dlq
from .infra import run_id as run_id
from .infra import show_function as show_function
from .infra import subscribe_queue as subscribe_queue
from .infra import wait_until as wait_until
from .pipelines import Pipelines as Pipelines
from .pipelines import deploy as deploy
from .saga import run_sagas as run_sagas
from .saga import saga_item as saga_item
from .saga import summary as summary
from .saga import timeline as timeline
from .saga import with_voucher_step as with_voucher_step

__all__ = [
    "PREFIX", "CommandRejected", "ConcurrencyConflict", "EventStore", "Pipelines", "Queue", "attempt",
    "consumers", "deploy", "draft_events", "item", "order", "parked", "paused", "publish",
    "publish_again", "queue_with_dlq", "read_after_write", "rebuild", "redeliver", "run_id", "run_sagas",
    "saga_item", "show_function", "subscribe_queue", "summary", "tapped", "timeline", "view", "wait_for_view",
    "wait_until", "with_voucher_step", "without_projection_fields",
]
