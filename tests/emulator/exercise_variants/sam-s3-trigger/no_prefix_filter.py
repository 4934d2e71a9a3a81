# WRONG VARIANT (no uploads/ prefix: the thumbnails it writes would invoke it again): the grader must fail it.
"""Exercise sam-s3-trigger (03_infrastructure_as_code): wire an S3 upload to a function with AWS SAM.

The seed wires its bucket to its function by hand (a NotificationConfiguration, an
AWS::Lambda::Permission) and gets the order wrong: S3 checks that it may invoke the
function when the notification is put, and nothing makes the permission exist first.
SAM writes that wiring for you from one ``Events`` entry of an
``AWS::Serverless::Function``: the notification, the permission and the order between them.

``template()`` below builds the stack: a bucket, a results table and the kit's
``s3_processor`` function (its zip is uploaded to S3 by the check). Fill in the two
pieces it asks for:

* ``upload_events()``: run the function for every object created under ``uploads/``
  in ``UploadsBucket`` (and nowhere else: the function writes ``thumbnails/`` back);
* ``policies()``: what the function may do, as SAM policy templates: read the uploads
  bucket, and read and write the results table.

The bucket's name is fixed from the stack's name (``BUCKET_NAME``): refer to the bucket
by that name in the policy, not with ``!Ref``, or the bucket (which needs the function
for its notification) and the function's role (which would need the bucket) wait for
each other: a circular dependency. Check with ``lab.check("sam-s3-trigger")``.
"""

from __future__ import annotations

RUNTIME = "python3.13"
#: The bucket's physical name, as an Fn::Sub string: known before the bucket exists.
BUCKET_NAME = "${AWS::StackName}-uploads-${AWS::AccountId}"


def upload_events() -> dict:
    """The function's ``Events``: one S3 event for objects created under ``uploads/`` in UploadsBucket."""
    # BEGIN SOLUTION hint="Return {'Upload': {'Type': 'S3', 'Properties': {...}}} with Bucket (a Ref to UploadsBucket), Events ('s3:ObjectCreated:*') and a Filter whose S3Key rule is the prefix 'uploads/'."
    return {
        "Upload": {
            "Type": "S3",
            "Properties": {
                "Bucket": {"Ref": "UploadsBucket"},
                "Events": "s3:ObjectCreated:*",
            },
        }
    }
    # END SOLUTION


def policies() -> list:
    """The function's ``Policies``: read the uploads bucket (by name), read and write the results table."""
    # BEGIN SOLUTION hint="Return a list of two SAM policy templates: S3ReadPolicy with BucketName {'Fn::Sub': BUCKET_NAME}, and DynamoDBCrudPolicy with TableName {'Ref': 'ResultsTable'}."
    return [
        {"S3ReadPolicy": {"BucketName": {"Fn::Sub": BUCKET_NAME}}},
        {"DynamoDBCrudPolicy": {"TableName": {"Ref": "ResultsTable"}}},
    ]
    # END SOLUTION


def template() -> dict:
    """The whole SAM template (what the checks lint, translate and deploy)."""
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": "lambda-lab exercise: uploads under uploads/ processed by s3_processor",
        "Parameters": {"CodeBucket": {"Type": "String"}, "CodeKey": {"Type": "String"}},
        "Resources": {
            "UploadsBucket": {
                "Type": "AWS::S3::Bucket",
                "DeletionPolicy": "Delete",
                "UpdateReplacePolicy": "Delete",
                "Properties": {"BucketName": {"Fn::Sub": BUCKET_NAME}},
            },
            "ResultsTable": {
                "Type": "AWS::DynamoDB::Table",
                "DeletionPolicy": "Delete",
                "UpdateReplacePolicy": "Delete",
                "Properties": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [
                        {"AttributeName": "bucket", "AttributeType": "S"},
                        {"AttributeName": "object_key", "AttributeType": "S"},
                    ],
                    "KeySchema": [
                        {"AttributeName": "bucket", "KeyType": "HASH"},
                        {"AttributeName": "object_key", "KeyType": "RANGE"},
                    ],
                },
            },
            "ProcessUploads": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Runtime": RUNTIME,
                    "Handler": "s3_processor.lambda_handler",
                    "CodeUri": {"Bucket": {"Ref": "CodeBucket"}, "Key": {"Ref": "CodeKey"}},
                    "Timeout": 30,
                    "MemorySize": 512,
                    "Environment": {"Variables": {"RESULTS_TABLE": {"Ref": "ResultsTable"}}},
                    "Events": upload_events(),
                    "Policies": policies(),
                },
            },
        },
        "Outputs": {
            "BucketName": {"Value": {"Ref": "UploadsBucket"}},
            "FunctionName": {"Value": {"Ref": "ProcessUploads"}},
            "TableName": {"Value": {"Ref": "ResultsTable"}},
        },
    }
