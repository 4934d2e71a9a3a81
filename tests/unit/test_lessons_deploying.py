"""Lesson 11's pure logic: CodeDeploy's schedules and the weighted alias's draw (no network)."""

import random

import pytest

from reference_app.lab.errors import LabError
from reference_app.lab.lesson_helpers import deploying


@pytest.mark.parametrize(
    ("config", "steps"),
    [
        ("Canary10Percent5Minutes", [(10, 5), (100, 0)]),
        ("CodeDeployDefault.LambdaCanary10Percent30Minutes", [(10, 30), (100, 0)]),
        ("Linear10PercentEvery1Minute", [(p, 1) for p in range(10, 100, 10)] + [(100, 0)]),
        ("Linear10PercentEvery3Minutes", [(p, 3) for p in range(10, 100, 10)] + [(100, 0)]),
        ("AllAtOnce", [(100, 0)]),
    ],
)
def test_a_codedeploy_configuration_becomes_its_steps(config, steps):
    assert deploying.schedule(config) == steps


@pytest.mark.parametrize("config", ["Canary0Percent5Minutes", "Linear100PercentEvery1Minute", "BlueGreen"])
def test_a_configuration_codedeploy_does_not_have_is_one_sentence(config):
    with pytest.raises(LabError, match=config):
        deploying.schedule(config)


def test_the_draw_follows_the_weights():
    # GIVEN an alias with 10 % on version 2 WHEN 20,000 invocations are drawn THEN about 10 % go to 2
    rng = random.Random(7)
    picks = [deploying.pick_version("1", {"2": 0.1}, rng.random()) for _ in range(20_000)]
    assert 0.09 < picks.count("2") / len(picks) < 0.11 and set(picks) == {"1", "2"}


def test_no_weights_means_the_primary_every_time():
    assert {deploying.pick_version("4", {}, d / 10) for d in range(10)} == {"4"}
    assert deploying.pick_version("1", {"2": 0.1}, 0.0999) == "2"
    assert deploying.pick_version("1", {"2": 0.1}, 0.1) == "1"


def test_the_sam_template_declares_a_canary_with_an_alarm_and_a_hook():
    # cfn-lint and SAM's transform run in the notebook; here, only what the lesson says the template holds
    text = deploying.SAM_TEMPLATE
    assert "AutoPublishAlias: live" in text and "Type: Canary10Percent5Minutes" in text
    assert "!Ref CanaryErrorsAlarm" in text and "PreTraffic: !Ref PreTrafficHook" in text
    assert "FunctionName: CodeDeployHook_" in text
