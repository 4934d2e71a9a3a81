"""Lesson 02's and 05's helpers against the emulator: idempotent set-up, and the stream bisection replay."""

from __future__ import annotations

import json

from reference_app.lab import deploy
from reference_app.lab.clients import client
from reference_app.lab.lesson_helpers import error_handling, handler_anatomy


def test_publishing_the_same_layer_twice_reuses_its_version(backend):
    first = handler_anatomy.publish_layer("it-02-layer", {"python/it_layer.py": "X = 1\n"})
    assert handler_anatomy.publish_layer("it-02-layer", {"python/it_layer.py": "X = 1\n"}) == first
    changed = handler_anatomy.publish_layer("it-02-layer", {"python/it_layer.py": "X = 2\n"})
    assert changed != first and int(changed.rsplit(":", 1)[1]) == int(first.rsplit(":", 1)[1]) + 1


def test_response_shapes_through_three_front_doors(backend):
    full = handler_anatomy.deploy_part("http_response", name="it-02-http-response")
    bare = handler_anatomy.deploy_part("bare_result", name="it-02-bare-result")
    shapes = handler_anatomy.response_shapes(full, bare)
    assert len(shapes) == 5 and (shapes["status"] == 200).all()
    assert list(shapes.loc[full.name, "cookies"]) == [2, 2, 2]


def test_a_queue_is_emptied_and_reconfigured_on_every_call(backend):
    url, arn = error_handling.queue("it-05-queue", VisibilityTimeout="5")
    client("sqs", backend).send_message(QueueUrl=url, MessageBody="left over")
    again, same = error_handling.queue("it-05-queue", VisibilityTimeout="7")
    attributes = client("sqs", backend).get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (again, same) == (url, arn) and attributes["VisibilityTimeout"] == "7"
    assert error_handling.messages_left(url) == 0


def test_bisection_isolates_the_poison_record_and_parks_its_position(backend):
    settle = deploy.deploy_function(
        "it-05-settle", "reference_app.handlers.payments", function="settle_batch", backend=backend
    )
    url, _ = error_handling.queue("it-05-settlements-failed")
    run = error_handling.bisect_batch(
        settle.name, error_handling.settlement_records(4, poison_at=1), retries=0, destination_url=url
    )
    assert [(c["size"], c["outcome"]) for c in run.calls] == [
        (4, "NotASettlement"),
        (2, "NotASettlement"),
        (1, "ok"),
        (1, "NotASettlement"),
        (2, "ok"),
    ]
    parked = error_handling.wait_for_messages(url)
    assert len(parked) == 1 and parked[0]["Body"] == json.loads(json.dumps(run.parked[0]))
    info = parked[0]["Body"]["KinesisBatchInfo"]
    assert info["batchSize"] == 1 and info["startSequenceNumber"] == info["endSequenceNumber"]
    assert parked[0]["Body"]["requestContext"]["condition"] == "RetryAttemptsExhausted"
