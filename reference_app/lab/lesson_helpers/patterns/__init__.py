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
from .fanout import consumers, order, parked, publish, publish_again, tapped
from .infra import PREFIX, Queue, attempt, item, queue_with_dlq, run_id, show_function, subscribe_queue, wait_until
from .pipelines import Pipelines, deploy
from .saga import run_sagas, saga_item, summary, timeline, with_voucher_step

__all__ = [
    "PREFIX",
    "CommandRejected",
    "ConcurrencyConflict",
    "EventStore",
    "Pipelines",
    "Queue",
    "attempt",
    "consumers",
    "deploy",
    "draft_events",
    "item",
    "order",
    "parked",
    "paused",
    "publish",
    "publish_again",
    "queue_with_dlq",
    "read_after_write",
    "rebuild",
    "redeliver",
    "run_id",
    "run_sagas",
    "saga_item",
    "show_function",
    "subscribe_queue",
    "summary",
    "tapped",
    "timeline",
    "view",
    "wait_for_view",
    "wait_until",
    "with_voucher_step",
    "without_projection_fields",
]
