"""The room's reset deletes kind by kind: each kind lists what the learner's account holds and
deletes each by its identifier; a kind the emulator refuses is reported, the others go on."""

import pytest
from botocore.exceptions import ClientError

from reference_app.lab import own_resources
from reference_app.lab.config import Backend

BACKEND = Backend("url", "http://10.0.0.5:4566")


class FakeApi:
    """A service client that answers one listing and records every delete."""

    def __init__(self, listings: dict[str, dict], deleted: list):
        self.listings, self.deleted = listings, deleted

    def can_paginate(self, operation):
        return False

    def __getattr__(self, operation):
        if operation in self.listings:
            return lambda **kwargs: self.listings[operation]
        if operation.startswith("delete_"):
            return lambda **kwargs: self.deleted.append((operation, kwargs))
        raise AttributeError(operation)


@pytest.mark.parametrize(
    ("kind", "service", "listing", "answer", "expected"),
    [
        (
            "functions",
            "lambda",
            "list_functions",
            {"Functions": [{"FunctionName": "lab-a"}, {"FunctionName": "lab-b"}]},
            [("delete_function", {"FunctionName": "lab-a"}), ("delete_function", {"FunctionName": "lab-b"})],
        ),
        (
            "tables",
            "dynamodb",
            "list_tables",
            {"TableNames": ["lab-users"]},
            [("delete_table", {"TableName": "lab-users"})],
        ),
        ("queues", "sqs", "list_queues", {"QueueUrls": ["http://q/1"]}, [("delete_queue", {"QueueUrl": "http://q/1"})]),
        (
            "streams",
            "kinesis",
            "list_streams",
            {"StreamNames": ["clicks"]},
            [("delete_stream", {"StreamName": "clicks", "EnforceConsumerDeletion": True})],
        ),
        (
            "secrets",
            "secretsmanager",
            "list_secrets",
            {"SecretList": [{"ARN": "arn:s"}]},
            [("delete_secret", {"SecretId": "arn:s", "ForceDeleteWithoutRecovery": True})],
        ),
        ("HTTP APIs", "apigatewayv2", "get_apis", {"Items": [{"ApiId": "a1"}]}, [("delete_api", {"ApiId": "a1"})]),
    ],
)
def test_a_kind_lists_then_deletes_each_by_its_identifier(monkeypatch, kind, service, listing, answer, expected):
    deleted, asked = [], []
    monkeypatch.setattr(
        own_resources, "client", lambda name, backend: asked.append(name) or FakeApi({listing: answer}, deleted)
    )
    assert own_resources.KINDS[kind](BACKEND) == len(expected)
    assert asked == [service] and deleted == expected


def test_a_kind_the_emulator_refuses_is_reported_and_the_rest_go_on(monkeypatch):
    def refuse(backend):
        raise ClientError({"Error": {"Code": "UnknownOperation", "Message": "no scheduler here"}}, "ListSchedules")

    monkeypatch.setattr(own_resources, "KINDS", {"schedules": refuse, "tables": lambda backend: 2})
    deleted = own_resources.delete_own(BACKEND)
    assert deleted.counts == {"tables": 2} and "schedules" in deleted.problems
    assert str(deleted) == "2 tables (could not clean: schedules)"
