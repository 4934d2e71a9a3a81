"""reference_app.lab.resources: table/bucket definitions and idempotent helpers (under moto)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from reference_app.lab import resources


@pytest.mark.parametrize("logical_name", sorted(resources.TABLES))
def test_every_table_can_be_ensured_twice(dynamodb, logical_name):
    name = resources.ensure_table(dynamodb, logical_name)
    assert resources.ensure_table(dynamodb, logical_name) == name == f"lab-{logical_name}"
    description = dynamodb.describe_table(TableName=name)["Table"]
    assert description["TableStatus"] == "ACTIVE"
    assert description["KeySchema"] == resources.TABLES[logical_name]["KeySchema"]


def test_users_table_streams_old_and_new_images(dynamodb):
    name = resources.ensure_table(dynamodb, "users", table_name="custom-users")
    stream = dynamodb.describe_table(TableName=name)["Table"]["StreamSpecification"]
    assert name == "custom-users"
    assert stream == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_idempotency_table_follows_powertools_layout_with_ttl(dynamodb):
    name = resources.ensure_table(dynamodb, "idempotency")
    resources.ensure_table(dynamodb, "idempotency")  # TTL already on: must not fail
    assert resources.TABLES["idempotency"]["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expiration")


def test_definitions_are_not_shared_mutable_state():
    spec = resources.table_spec("users")
    spec["KeySchema"].clear()
    assert resources.TABLES["users"]["KeySchema"]


def test_unknown_table_is_a_clear_error(dynamodb):
    with pytest.raises(LookupError, match="no table definition 'nope'"):
        resources.ensure_table(dynamodb, "nope")


def test_ensure_bucket_is_idempotent(s3):
    assert resources.ensure_bucket(s3, "lab-bucket") == resources.ensure_bucket(s3, "lab-bucket") == "lab-bucket"
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["lab-bucket"]


def test_ensure_bucket_outside_us_east_1(aws):
    import boto3

    s3_eu = boto3.client("s3", region_name="eu-west-1")
    resources.ensure_bucket(s3_eu, "lab-eu-bucket")
    assert s3_eu.get_bucket_location(Bucket="lab-eu-bucket")["LocationConstraint"] == "eu-west-1"


def test_ensure_bucket_surfaces_other_errors(s3):
    with pytest.raises(ClientError):
        resources.ensure_bucket(s3, "ab")  # too short: InvalidBucketName


@pytest.mark.parametrize(
    "logical_name",
    sorted({name for env in resources.HANDLER_ENVIRONMENT.values() for kind, name in env.values() if kind == "table"}),
)
def test_handler_environment_names_defined_tables(logical_name):
    assert logical_name in resources.TABLES
