"""Lambda's quotas as the emulator applies them (issue 17, section 4): the pure checks, at their boundaries."""

import json

import pytest

from reference_app.lab.emulator_patch import quotas


@pytest.mark.parametrize(
    ("data", "refused"),
    [
        ({"MemorySize": 10240, "Timeout": 900}, None),
        ({"MemorySize": 10241}, "ValidationException"),
        ({"Timeout": 901}, "ValidationException"),
        ({"EphemeralStorage": {"Size": 10240}}, None),
        ({"Handler": "x" * 128, "Description": "d" * 256}, None),
        ({"Handler": "a b"}, "ValidationException"),
        ({"Layers": ["l"] * 5}, None),
        ({"Layers": ["l"] * 6}, "InvalidParameterValueException"),
        ({"Environment": {"Variables": {"TZ": "UTC", "PATH": "/x"}}}, None),
        ({"Environment": {"Variables": {"_HANDLER": "x"}}}, "InvalidParameterValueException"),
    ],
)
def test_configuration(data, refused):
    answer = quotas.configuration(data, creating=False)
    assert (answer.code if answer else None) == refused


def test_several_problems_are_named_together_as_aws_does():
    answer = quotas.configuration({"MemorySize": 20000, "Timeout": 1000}, creating=False)
    assert answer.message.startswith("2 validation errors detected: Value '20000' at 'memorySize'")
    assert "; Value '1000' at 'timeout'" in answer.message


def test_names():
    assert quotas.configuration({"FunctionName": "a" * 64}, creating=True) is None
    assert quotas.configuration({"FunctionName": "arn:aws:lambda:us-east-1:000000000000:function:f"}, True) is None
    assert quotas.configuration({"FunctionName": "a" * 65}, creating=True).code == "InvalidParameterValueException"
    assert quotas.configuration({"FunctionName": "é"}, creating=True).code == "ValidationException"


def test_environment_is_measured_as_json_up_to_4_kb():
    at_limit = {"A": "x" * (4096 - len('{"A":""}'))}
    assert len(json.dumps(at_limit, separators=(",", ":"))) == 4096
    assert quotas.environment(at_limit) is None
    assert "exceeded the 4KB limit" in quotas.environment({"A": at_limit["A"] + "x"}).message
    assert quotas.environment({"AWS_REGION": "a", "AWS_ACCESS_KEY_ID": "b"}).message.endswith(
        "Reserved keys used in this request: AWS_REGION, AWS_ACCESS_KEY_ID"
    )


def test_reserved_concurrency_and_policy_and_unzipped_size():
    assert quotas.reserved_concurrency(900, 0) is None
    assert quotas.reserved_concurrency(1, 900).message.endswith("below its minimum value of [100].")
    assert quotas.policy_size({"Statement": []}) is None
    assert "is bigger than the limit (20480)." in quotas.policy_size({"Statement": ["x" * 20480]}).message
    assert quotas.unzipped(262_144_000, with_layers=True) is None
    assert quotas.unzipped(262_144_001, with_layers=True).message.endswith("The actual size is 262144001 bytes.")
    assert quotas.unzipped(262_144_001, with_layers=False).message == (
        "Unzipped size must be smaller than 262144000 bytes"
    )


def test_a_direct_upload_over_50_mb():
    limit = quotas.DIRECT_UPLOAD_MAX_BYTES
    assert quotas.refuse_upload("POST", "/2015-03-31/functions", b"x" * limit) is None
    status, headers, body = quotas.refuse_upload("POST", "/2015-03-31/functions", b"x" * (limit + 1))
    assert status == 413 and headers["X-Amzn-ErrorType"] == "RequestEntityTooLargeException"
    assert json.loads(body)["message"].endswith("for the CreateFunction operation")
    assert (
        "PublishLayerVersion"
        in quotas.refuse_upload("POST", "/2018-10-31/layers/l/versions", b"x" * (limit + 1))[2].decode()
    )
    assert quotas.refuse_upload("POST", "/2015-03-31/functions/f/invocations", b"x" * (limit + 1)) is None
