"""CloudFormation stacks on the embedded emulator: create, re-run, update with new code, fail, delete."""

import pytest

from reference_app.lab import LabError, http_call, iac, terraform
from reference_app.lab.lesson_helpers import seed_iac as seed

STACK = "lab-test-iac-users"


@pytest.fixture
def code(backend):
    return iac.upload_code("reference_app.handlers.users_api")


def test_a_stack_is_created_reused_updated_and_deleted_without_leftovers(code):
    iac.delete_stack(STACK)
    first = iac.deploy_stack(STACK, "users-api.yaml", {**code.parameters(), "FunctionName": "lab-test-iac"})
    assert first.action == "created" and first.status == "CREATE_COMPLETE"
    again = iac.deploy_stack(STACK, "users-api.yaml", {**code.parameters(), "FunctionName": "lab-test-iac"})
    assert again.action == "unchanged"
    url = iac.api_url(first.outputs)
    assert http_call(url, "POST", {"user_id": "t1", "name": "T", "email": "t@example.com"}).status == 201
    new = iac.upload_code("reference_app.handlers.users_api_powertools")
    assert new.key != code.key
    updated = iac.deploy_stack(STACK, "users-api.yaml", {**new.parameters(), "FunctionName": "lab-test-iac"})
    assert updated.action == "updated" and updated.outputs["ApiId"] == first.outputs["ApiId"]
    assert http_call(f"{url}/t1").status == 200
    had = iac.delete_stack(STACK)
    assert {r.type for r in had} >= {"AWS::Lambda::Function", "AWS::DynamoDB::Table", "AWS::IAM::Role"}
    left = iac.leftovers(had)
    assert not left["exists"].eq(True).any() and left["exists"].eq(False).sum() == 5
    assert iac.delete_stack(STACK) == []  # deleting again is a no-op


def test_uploading_the_same_code_twice_gives_the_same_key(code):
    assert iac.upload_code("reference_app.handlers.users_api") == code


NEVER_SIGNALLED = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Wait:
    Type: String
Conditions:
  Waits: !Equals [!Ref Wait, "yes"]
Resources:
  Handle:
    Type: AWS::CloudFormation::WaitConditionHandle
  Never:
    Type: AWS::CloudFormation::WaitCondition
    Condition: Waits
    Properties:
      Handle: !Ref Handle
      Timeout: "1"
"""


def test_a_failed_stack_is_one_sentence_and_the_next_deploy_recreates_it(backend):
    name = "lab-test-iac-fails"
    iac.delete_stack(name)
    with pytest.raises(LabError, match=r"^Stack lab-test-iac-fails ended ROLLBACK_COMPLETE: Never: "):
        iac.deploy_stack(name, NEVER_SIGNALLED, {"Wait": "yes"})
    assert iac.deploy_stack(name, NEVER_SIGNALLED, {"Wait": "no"}).action == "recreated"
    iac.delete_stack(name)


def test_a_template_cloudformation_refuses_is_one_sentence(backend):
    with pytest.raises(LabError, match="^CloudFormation refused stack lab-test-iac-refused: "):
        iac.deploy_stack("lab-test-iac-refused", {"Resources": {"X": {"Type": "AWS::No::Such"}}})


def test_stack_outputs_of_a_missing_stack_is_a_sentence(backend):
    with pytest.raises(LabError, match="There is no stack"):
        iac.stack_outputs("lab-test-no-such-stack")


def test_the_sam_template_deploys_through_the_emulators_transform(code):
    name = "lab-test-iac-sam"
    stack = iac.deploy_stack(name, "users-api-sam.yaml", code.parameters())
    url = iac.api_url(stack.outputs)
    assert http_call(url, "POST", {"user_id": "s1", "name": "S", "email": "s@example.com"}).status == 201
    assert http_call(f"{url}/s1", "DELETE").status == 204
    assert not iac.leftovers(iac.delete_stack(name))["exists"].eq(True).any()


def test_the_seed_stack_creates_here_and_feeds_one_function_three_event_types(backend):
    stack = seed.deploy_seed("lab-test-seed")
    try:
        demo = seed.three_event_types(stack)
        assert demo.post_status == demo.second_post_status == 200
        assert demo.invocation_count >= 4 and demo.s3_answer["statusCode"] == 400
    finally:
        seed.delete_seed("lab-test-seed")


def test_the_corrected_terraform_applies_answers_and_destroys(backend, monkeypatch):
    monkeypatch.delenv(terraform.SWITCH_ENV, raising=False)
    available = terraform.availability()
    if not available:
        pytest.skip(str(available))
    outputs = terraform.apply_users_api("lab-test-tf")
    try:
        url = iac.api_url({"ApiId": outputs["api_id"], "Stage": outputs["stage"]})
        assert http_call(url, "POST", {"user_id": "tf1", "name": "T", "email": "t@example.com"}).status == 201
    finally:
        terraform.destroy_users_api("lab-test-tf")
