"""The lesson helpers (reference_app.lab.lesson_helpers) against the embedded emulator.

The notebooks exercise them end to end; these tests pin the behaviour each helper promises,
on functions and resources named ``lab-t-lessons-…`` so they never meet a notebook's.
"""

from __future__ import annotations

import json
import uuid

import pytest

from reference_app.lab import deploy
from reference_app.lab.clients import client
from reference_app.lab.lesson_helpers import architecture, triggers
from reference_app.lab.lesson_helpers.common import logged, now_ms
from reference_app.lab.reference_deploys import deploy_handler


@pytest.fixture(scope="module")
def probe(backend):
    dep = deploy_handler("invocation_probe", "lab-t-lessons-probe", timeout=10, backend=backend)
    yield dep
    deploy.delete_function(dep.name, backend)


@pytest.fixture(scope="module")
def logger_fn(backend):
    dep = deploy_handler("event_logger", "lab-t-lessons-logger", backend=backend)
    yield dep
    deploy.delete_function(dep.name, backend)


def test_received_reads_back_the_event_as_it_arrived(logger_fn):
    since, marker = now_ms(), uuid.uuid4().hex
    deploy.invoke(logger_fn.name, {"marker": marker, "nested": {"n": 1}})
    [event] = triggers.received(logger_fn.name, since, where=triggers.mentions(marker))
    assert event == {"marker": marker, "nested": {"n": 1}}
    assert [line["message"] for line in logged(logger_fn.name, since)] == ["event received"]


def test_asynchronous_attempts_are_counted_from_the_log(probe):
    since, marker = now_ms(), uuid.uuid4().hex
    assert architecture.invoke_async(probe.name, {"marker": marker, "fail": True}) == 202
    tries = architecture.attempts(probe.name, marker, since, expected=3, timeout_s=30)
    assert list(tries.index) == [1, 2, 3]
    assert tries["seconds after the first"].is_monotonic_increasing


def test_a_small_ramp_starts_from_one_cold_environment(probe):
    ramp = architecture.ramp(probe.name, waves=(1, 3), sleep_ms=200)
    assert len(ramp.rows) == 4 and ramp.self_overlaps() == []
    assert ramp.by_wave.loc[1, "cold starts"] == 1 and ramp.environments >= ramp.peak >= 1
    assert len(ramp.reports(probe.name)) == 4


def test_fan_out_delivers_one_publish_to_every_queue(backend):
    run = uuid.uuid4().hex[:6]
    topic, queues = triggers.fan_out(
        f"lab-t-lessons-{run}", {f"lab-t-lessons-{run}-a": False, f"lab-t-lessons-{run}-b": True}
    )
    assert triggers.fan_out(f"lab-t-lessons-{run}", {f"lab-t-lessons-{run}-a": False})[0] == topic  # idempotent
    client("sns", backend).publish(TopicArn=topic, Message="hello")
    enveloped, raw = (triggers.drain(url, wait_s=5) for url in queues.values())
    assert raw == ["hello"] and [triggers.sns_message(b) for b in enveloped] == ["hello"]
    policy = json.loads(
        client("sqs", backend).get_queue_attributes(
            QueueUrl=queues[f"lab-t-lessons-{run}-a"], AttributeNames=["Policy"]
        )["Attributes"]["Policy"]
    )
    assert policy["Statement"][0]["Condition"] == {"ArnEquals": {"aws:SourceArn": topic}}
    assert set(triggers.subscriptions(topic)["Protocol"]) == {"sqs"}


def test_a_queue_with_a_dlq_and_the_policy_table(backend, logger_fn):
    run = uuid.uuid4().hex[:6]
    url, dlq = triggers.queue_with_dlq(f"lab-t-lessons-{run}", visibility_s=5, max_receive_count=2)
    settings = triggers.queue_settings(url)
    assert settings["VisibilityTimeout"] == "5"
    assert json.loads(settings["RedrivePolicy"])["maxReceiveCount"] in ("2", 2)
    assert triggers.drain(dlq) == []
    from reference_app.lab.triggers import s3_notification

    s3_notification(f"lab-t-lessons-{run}", logger_fn.arn, prefix="in/", backend=backend)
    grant = triggers.policy(logger_fn.name, principal="s3.amazonaws.com")
    assert f"arn:aws:s3:::lab-t-lessons-{run}" in set(grant["SourceArn"]) and grant["SourceAccount"].notna().all()
