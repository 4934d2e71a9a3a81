"""The bundled sample events: real AWS shapes (checked against Powertools' parser models) and the loader."""

from __future__ import annotations

import pytest
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import (
    APIGatewayProxyEventModel,
    APIGatewayProxyEventV2Model,
    DynamoDBStreamModel,
    EventBridgeModel,
    KinesisDataStreamModel,
    LambdaFunctionUrlModel,
    S3Model,
    SnsModel,
    SqsModel,
)

from reference_app.lab.errors import LabError
from reference_app.lab.events import FakeLambdaContext, list_events, load_event

MODELS = {
    "apigw_rest_post_user": APIGatewayProxyEventModel,
    "apigw_rest_post_user_base64": APIGatewayProxyEventModel,
    "apigw_rest_get_user": APIGatewayProxyEventModel,
    "apigw_rest_list_users": APIGatewayProxyEventModel,
    "apigw_rest_delete_user": APIGatewayProxyEventModel,
    "apigw_http_v2_get_user": APIGatewayProxyEventV2Model,
    "apigw_http_v2_post_user": APIGatewayProxyEventV2Model,
    "apigw_http_v2_post_user_base64": APIGatewayProxyEventV2Model,
    "function_url_get": LambdaFunctionUrlModel,
    "s3_put": S3Model,
    "s3_delete": S3Model,
    "dynamodb_stream_insert": DynamoDBStreamModel,
    "dynamodb_stream_modify": DynamoDBStreamModel,
    "dynamodb_stream_remove": DynamoDBStreamModel,
    "dynamodb_stream_batch": DynamoDBStreamModel,
    "dynamodb_stream_batch_keys_only": DynamoDBStreamModel,
    "dynamodb_stream_batch_new_image": DynamoDBStreamModel,
    "dynamodb_stream_batch_old_image": DynamoDBStreamModel,
    "dynamodb_stream_aws_sample": DynamoDBStreamModel,
    "sqs_batch_one_bad": SqsModel,
    "sqs_order_conflict": SqsModel,
    "sns_notification": SnsModel,
    "sns_plain_text": SnsModel,
    "eventbridge_scheduled": EventBridgeModel,
    "kinesis_batch": KinesisDataStreamModel,
    "kinesis_aws_sample": KinesisDataStreamModel,
}
OWN_SHAPES = {"order_saga_input", "order_saga_reserve"}  # Step Functions input: our own format


def test_every_bundled_event_is_accounted_for():
    assert set(list_events()) == set(MODELS) | OWN_SHAPES


@pytest.mark.parametrize(("name", "model"), sorted(MODELS.items(), key=lambda pair: pair[0]))
def test_event_has_the_shape_aws_sends(name, model):
    parse(event=load_event(name), model=model)


def test_s3_put_key_is_url_encoded_like_s3_sends_it():
    key = load_event("s3_put")["Records"][0]["s3"]["object"]["key"]
    assert "+" in key and " " not in key


def test_dynamodb_stream_events_carry_old_and_new_images():
    names = [r["eventName"] for r in load_event("dynamodb_stream_batch")["Records"]]
    assert names == ["INSERT", "MODIFY", "REMOVE"]
    modify = load_event("dynamodb_stream_modify")["Records"][0]["dynamodb"]
    assert modify["OldImage"] != modify["NewImage"]


def test_each_load_returns_a_fresh_copy():
    first = load_event("s3_put")
    first["Records"][0]["s3"]["object"]["key"] = "changed"
    assert load_event("s3_put.json")["Records"][0]["s3"]["object"]["key"] != "changed"


@pytest.mark.parametrize("name", ["../pyproject", "no_such_event", ""])
def test_bad_names_are_rejected_in_one_sentence(name):
    with pytest.raises(LabError, match=r"^There is no bundled event .*[.?)]$"):
        load_event(name)


def test_a_typo_gets_a_suggestion():
    with pytest.raises(LookupError, match="did you mean 's3_put'"):
        load_event("s3_pt")


def test_fake_context_has_what_powertools_reads():
    context = FakeLambdaContext(function_name="f")
    assert context.invoked_function_arn == "arn:aws:lambda:us-east-1:123456789012:function:f"
    assert context.get_remaining_time_in_millis() == 30_000
    assert context.aws_request_id != FakeLambdaContext().aws_request_id
