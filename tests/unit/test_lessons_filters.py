"""Event filter patterns, evaluated locally as Lambda evaluates them on a mapping."""

from __future__ import annotations

import base64
import json

import pytest

from reference_app.lab.errors import LabError
from reference_app.lab.events import load_event
from reference_app.lab.lesson_helpers.filters import matches, matches_any

INSERT = load_event("dynamodb_stream_insert")["Records"][0]
MODIFY = load_event("dynamodb_stream_modify")["Records"][0]


def test_a_pattern_mirrors_the_record_and_every_key_must_match():
    assert matches({"eventName": ["INSERT"]}, INSERT)
    assert not matches({"eventName": ["INSERT"]}, MODIFY)
    assert matches({"eventName": ["INSERT"], "dynamodb": {"NewImage": {"user_id": {"S": ["u-1001"]}}}}, INSERT)
    assert not matches({"eventName": ["INSERT"], "dynamodb": {"NewImage": {"user_id": {"S": ["u-2"]}}}}, INSERT)


def test_a_pattern_may_be_given_as_json_text():
    assert matches(json.dumps({"eventName": ["INSERT", "MODIFY"]}), MODIFY)


def test_booleans_are_not_numbers_or_text():
    record = {"dynamodb": {"NewImage": {"ok": {"BOOL": True}}}}
    assert matches({"dynamodb": {"NewImage": {"ok": {"BOOL": [True]}}}}, record)
    assert not matches({"dynamodb": {"NewImage": {"ok": {"BOOL": ["true"]}}}}, record)
    assert not matches({"n": [1]}, {"n": True})


@pytest.mark.parametrize(
    ("rule", "value", "expected"),
    [
        ({"prefix": "ord"}, "order", True),
        ({"prefix": "ord"}, "cart", False),
        ({"suffix": ".csv"}, "a.csv", True),
        ({"anything-but": ["test"]}, "prod", True),
        ({"anything-but": "test"}, "test", False),
        ({"equals-ignore-case": "PAID"}, "paid", True),
        ({"numeric": [">", 10, "<=", 20]}, 15, True),
        ({"numeric": [">", 10]}, 5, False),
        ({"numeric": [">", 10]}, "15", False),
        ({"exists": True}, "anything", True),
    ],
)
def test_content_rules(rule, value, expected):
    assert matches({"k": [rule]}, {"k": value}) is expected


def test_exists_false_matches_a_missing_key_only():
    assert matches({"k": [{"exists": False}]}, {})
    assert not matches({"k": [{"exists": False}]}, {"k": 1})
    assert not matches({"k": ["a"]}, {})


def test_a_list_value_matches_when_any_element_does():
    assert matches({"tags": ["red"]}, {"tags": ["blue", "red"]})


def test_sqs_bodies_and_kinesis_data_are_matched_as_json():
    assert matches({"body": {"priority": ["high"]}}, {"body": json.dumps({"priority": "high"})})
    assert not matches({"body": {"priority": ["high"]}}, {"body": "not json"})
    data = base64.b64encode(b'{"celsius": 30}').decode()
    assert matches({"kinesis": {"data": {"celsius": [{"numeric": [">", 25]}]}}}, {"kinesis": {"data": data}})


def test_several_filters_are_ored():
    assert matches_any([{"eventName": ["REMOVE"]}, {"eventName": ["MODIFY"]}], MODIFY)


def test_malformed_patterns_say_what_is_wrong():
    with pytest.raises(LabError, match="object or a list"):
        matches({"eventName": "INSERT"}, INSERT)
    with pytest.raises(LabError, match="JSON object"):
        matches(["INSERT"], INSERT)
    with pytest.raises(LabError, match="Unknown filter rule"):
        matches({"k": [{"wildcard": "*"}]}, {"k": "x"})
