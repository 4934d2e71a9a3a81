"""What AWS Lambda refuses, the emulator refuses, with AWS's error (issue 17, section 4).

Every call goes through plain boto3 (not the kit's client or deploy code), as a learner's own
script or tool would; each limit is refused and its boundary value accepted. The emulator runs
on a port of its own, so no other test's reserved concurrency counts here.
"""

import io
import os
import zipfile

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from reference_app.lab import emulator
from reference_app.lab.config import resolve_backend

ROLE = "arn:aws:iam::000000000000:role/lab-limits"


def _zip(size: int = 0) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("h.py", "def handler(event, context):\n    return event\n")
        if size:
            archive.writestr("blob.bin", os.urandom(size))
    return buf.getvalue()


@pytest.fixture(scope="module")
def lam():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = resolve_backend("embedded", port)
    emulator.up(backend)
    try:
        with pytest.MonkeyPatch.context() as patch:  # the session's real-looking profile is not this script's
            patch.delenv("AWS_PROFILE", raising=False)
            patch.setenv("AWS_CONFIG_FILE", os.devnull)
            client = _client(backend)
        yield client
    finally:
        emulator.down(backend)


def _client(backend):
    return boto3.client(
        "lambda",
        endpoint_url=backend.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        # the server's answer is under test, not botocore's own checks of the minimums
        config=Config(parameter_validation=False, retries={"max_attempts": 1}),
    )


def _create(lam, name: str, **settings) -> None:
    args = {
        "FunctionName": name,
        "Runtime": "python3.12",
        "Role": ROLE,
        "Handler": "h.handler",
        "Code": {"ZipFile": _zip()},
        **settings,
    }
    lam.create_function(**args)


def _refused(call, code: str, *fragments: str) -> None:
    with pytest.raises(ClientError) as raised:
        call()
    error = raised.value.response["Error"]
    assert error["Code"] == code, error
    for fragment in fragments:
        assert fragment in error["Message"], error["Message"]


CONFIG_LIMITS = [
    # (setting, refused value, boundary accepted, error code, words of AWS's message)
    (
        "MemorySize",
        10241,
        10240,
        "ValidationException",
        "Value '10241' at 'memorySize' failed to satisfy constraint: "
        "Member must have value less than or equal to 10240",
    ),
    ("MemorySize", 127, 128, "ValidationException", "Member must have value greater than or equal to 128"),
    (
        "Timeout",
        901,
        900,
        "ValidationException",
        "Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900",
    ),
    ("Timeout", 0, 1, "ValidationException", "Member must have value greater than or equal to 1"),
    (
        "Handler",
        "h." + "x" * 127,
        "h." + "x" * 126,
        "ValidationException",
        "at 'handler' failed to satisfy constraint: Member must have length less than or equal to 128",
    ),
    (
        "Description",
        "d" * 257,
        "d" * 256,
        "ValidationException",
        "at 'description' failed to satisfy constraint: Member must have length less than or equal to 256",
    ),
    (
        "EphemeralStorage",
        {"Size": 10241},
        {"Size": 10240},
        "ValidationException",
        "at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value less than or equal to 10240",
    ),
    (
        "EphemeralStorage",
        {"Size": 511},
        {"Size": 512},
        "ValidationException",
        "Member must have value greater than or equal to 512",
    ),
    (
        "Environment",
        {"Variables": {"A": "x" * 4089}},
        {"Variables": {"A": "x" * 4088}},
        "InvalidParameterValueException",
        'exceeded the 4KB limit. String measured: {"A":"xxx',
    ),
    (
        "Environment",
        {"Variables": {"AWS_REGION": "eu-west-1"}},
        {"Variables": {"TZ": "Europe/Paris"}},
        "InvalidParameterValueException",
        "contains reserved keys that are currently not supported for modification. "
        "Reserved keys used in this request: AWS_REGION",
    ),
]


@pytest.mark.parametrize(
    ("setting", "refused", "accepted", "code", "words"),
    CONFIG_LIMITS,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CONFIG_LIMITS)],
)
def test_create_and_update_refuse_what_aws_refuses_and_accept_the_boundary(
    lam, setting, refused, accepted, code, words
):
    name = f"limits-{setting.lower()}"
    # WHEN a function is created past the limit THEN it is refused with AWS's error, and not created
    _refused(lambda: _create(lam, name, **{setting: refused}), code, words)
    with pytest.raises(ClientError):
        lam.get_function(FunctionName=name)
    # AND the boundary value is accepted
    _create(lam, name, **{setting: accepted})
    try:
        # AND UpdateFunctionConfiguration refuses the same value, leaving the function as it was
        _refused(lambda: lam.update_function_configuration(FunctionName=name, **{setting: refused}), code, words)
        lam.update_function_configuration(FunctionName=name, **{setting: accepted})
    finally:
        lam.delete_function(FunctionName=name)


def test_function_names_follow_aws_pattern_and_length(lam):
    _refused(
        lambda: _create(lam, "with space"),
        "ValidationException",
        "Value 'with space' at 'functionName' failed to satisfy constraint: Member must satisfy regular "
        "expression pattern",
    )
    _refused(
        lambda: _create(lam, "n" * 65),
        "InvalidParameterValueException",
        f"Value '{'n' * 65}' at 'functionName' failed to satisfy constraint: "
        "Member must have length less than or equal to 64",
    )
    _create(lam, "n" * 64)
    _create(lam, "Under_score-and-dash-9")
    assert {"n" * 64, "Under_score-and-dash-9"} <= {f["FunctionName"] for f in lam.list_functions()["Functions"]}


def test_at_most_five_layers(lam):
    layer = lam.publish_layer_version(LayerName="limits-layer", Content={"ZipFile": _zip()})["LayerVersionArn"]
    _refused(
        lambda: _create(lam, "limits-layers", Layers=[layer] * 6),
        "InvalidParameterValueException",
        "more than 5 layers",
    )
    _create(lam, "limits-layers", Layers=[layer] * 5)
    _refused(
        lambda: lam.update_function_configuration(FunctionName="limits-layers", Layers=[layer] * 6),
        "InvalidParameterValueException",
        "more than 5 layers",
    )


def test_reserved_concurrency_leaves_100_unreserved(lam):
    _create(lam, "limits-reserved-a")
    _create(lam, "limits-reserved-b")
    lam.put_function_concurrency(FunctionName="limits-reserved-a", ReservedConcurrentExecutions=900)
    _refused(
        lambda: lam.put_function_concurrency(FunctionName="limits-reserved-b", ReservedConcurrentExecutions=1),
        "InvalidParameterValueException",
        "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
        "below its minimum value of [100].",
    )
    lam.put_function_concurrency(FunctionName="limits-reserved-a", ReservedConcurrentExecutions=899)
    lam.put_function_concurrency(FunctionName="limits-reserved-b", ReservedConcurrentExecutions=1)
    lam.delete_function_concurrency(FunctionName="limits-reserved-a")


def test_a_resource_policy_stays_under_20_kb(lam):
    _create(lam, "limits-policy")
    source = "arn:aws:s3:::" + "b" * 1800

    def grant(n: int) -> None:
        lam.add_permission(
            FunctionName="limits-policy",
            StatementId=f"s{n}",
            Action="lambda:InvokeFunction",
            Principal="s3.amazonaws.com",
            SourceArn=source,
        )

    added, error = 0, None
    for n in range(30):
        try:
            grant(n)
        except ClientError as refused:
            error = refused.response["Error"]
            break
        added += 1
    assert error is not None
    assert error["Code"] == "PolicyLengthExceededException"
    assert (
        error["Message"].startswith("The final policy size (")
        and "is bigger than the limit (20480)." in error["Message"]
    )
    # the statements before the limit were accepted; the refused one was not kept
    assert 5 < added < 30
    import json

    policy = json.loads(lam.get_policy(FunctionName="limits-policy")["Policy"])
    assert len(policy["Statement"]) == added


def test_a_zip_over_50_mb_sent_directly_is_refused(lam):
    big = _zip(52 * 2**20)  # stored, not compressed: over 50 MB zipped
    _refused(
        lambda: _create(lam, "limits-big-zip", Code={"ZipFile": big}),
        "RequestEntityTooLargeException",
        "Request must be smaller than 69905067 bytes for the CreateFunction operation",
    )
    _create(lam, "limits-big-zip")
    _refused(
        lambda: lam.update_function_code(FunctionName="limits-big-zip", ZipFile=big),
        "RequestEntityTooLargeException",
        "Request must be smaller than 69905067 bytes for the UpdateFunctionCode operation",
    )


def test_code_combined_with_layers_stays_under_250_mb_unzipped(lam):
    # GIVEN two layers of 130 MB each, unzipped (zeros: a few hundred KB zipped)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("python/zeros.bin", bytes(130 * 2**20))
    arns = [
        lam.publish_layer_version(LayerName=f"limits-zeros-{n}", Content={"ZipFile": buf.getvalue()})["LayerVersionArn"]
        for n in range(2)
    ]
    # WHEN a function uses both THEN it is refused in AWS's words; with one it is accepted
    _refused(
        lambda: _create(lam, "limits-heavy", Layers=arns),
        "InvalidParameterValueException",
        "Function code combined with layers exceeds the maximum allowed size of 262144000 bytes. The actual size is ",
    )
    _create(lam, "limits-heavy", Layers=arns[:1])


def test_the_kits_deploy_says_what_lambda_refused_in_one_sentence(backend):
    from typer.testing import CliRunner

    from reference_app.lab.cli import app

    result = CliRunner().invoke(app, ["deploy", "hello", "--name", "with space"])
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and "Traceback" not in said, said
    assert (
        "Lambda refused it (ValidationException): 1 validation error detected: Value 'with space' at "
        "'functionName'" in said
    ), said


def test_layer_versions_and_permissions_follow_aws_constraints(lam):
    _refused(
        lambda: lam.publish_layer_version(LayerName="limits-desc", Description="d" * 257, Content={"ZipFile": _zip()}),
        "ValidationException",
        "at 'description' failed to satisfy constraint: Member must have length less than or equal to 256",
    )
    lam.publish_layer_version(LayerName="limits-desc", Description="d" * 256, Content={"ZipFile": _zip()})
    _create(lam, "limits-permission")
    _refused(
        lambda: lam.add_permission(
            FunctionName="limits-permission",
            StatementId="has space",
            Action="lambda:InvokeFunction",
            Principal="s3.amazonaws.com",
        ),
        "ValidationException",
        "Value 'has space' at 'statementId' failed to satisfy constraint",
    )
    _refused(
        lambda: lam.add_permission(
            FunctionName="limits-permission",
            StatementId="s" * 101,
            Action="lambda:InvokeFunction",
            Principal="s3.amazonaws.com",
        ),
        "ValidationException",
        "Member must have length less than or equal to 100",
    )
    lam.add_permission(
        FunctionName="limits-permission",
        StatementId="s" * 100,
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
    )
