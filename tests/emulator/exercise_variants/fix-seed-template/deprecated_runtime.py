# WRONG VARIANT (python3.9, deprecated since 2025-12-15): the grader must fail it.
"""Exercise fix-seed-template (03_infrastructure_as_code): fix a CloudFormation template.

``TEMPLATE`` below is the users API as one stack: a table, a function (its code is the
kit's ``users_api`` zip, uploaded to S3 by the check), its role, and a REST API that
sends every request under ``/{proxy+}`` to the function. It was written from the seed's
``lambda-function.yaml`` and carries four of its mistakes:

* two that ``cfn-lint`` reports (run ``lab.iac.lint(TEMPLATE)`` and read the rule ids);
* two that no linter reports, which only fail on AWS: read the template as a reviewer
  would. What must exist before API Gateway's deployment can snapshot the API? What
  allows API Gateway to invoke the function at all?

Fix them in the YAML. The checks lint it, review it, then deploy it as a stack on the
emulator, call the API over HTTP and delete the stack:
``lab.check("fix-seed-template")``.
"""

from __future__ import annotations

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: "lambda-lab exercise: the users API as one stack"

Parameters:
  CodeBucket:
    Type: String
  CodeKey:
    Type: String

Resources:
  UsersTable:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: Delete
    UpdateReplacePolicy: Delete
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: user_id
          AttributeType: S
      KeySchema:
        - AttributeName: user_id
          KeyType: HASH

  UsersFunctionRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - !Sub "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
      Policies:
        - PolicyName: users-table
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action:
                  - dynamodb:GetItem
                  - dynamodb:PutItem
                  - dynamodb:DeleteItem
                  - dynamodb:Scan
                Resource: !GetAtt UsersTable.Arn

  UsersFunction:
    Type: AWS::Lambda::Function
    Properties:
      Handler: users_api.lambda_handler
      # BEGIN SOLUTION
      Runtime: python3.9
      # BROKEN
      # Runtime: python3.9
      # END SOLUTION
      Role: !GetAtt UsersFunctionRole.Arn
      Code:
        S3Bucket: !Ref CodeBucket
        S3Key: !Ref CodeKey
      Timeout: 10
      MemorySize: 256
      # BEGIN SOLUTION
      ReservedConcurrentExecutions: 10
      # BROKEN
      # ReservedConcurrencyLimit: 10
      # END SOLUTION
      Environment:
        Variables:
          USERS_TABLE: !Ref UsersTable

  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: !Sub "${AWS::StackName}-api"
      EndpointConfiguration:
        Types:
          - REGIONAL

  ProxyResource:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Api
      ParentId: !GetAtt Api.RootResourceId
      PathPart: "{proxy+}"

  ProxyMethod:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref ProxyResource
      HttpMethod: ANY
      AuthorizationType: NONE
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${UsersFunction.Arn}/invocations"

  ApiDeployment:
    Type: AWS::ApiGateway::Deployment
    # BEGIN SOLUTION
    DependsOn: ProxyMethod
    # BROKEN
    # END SOLUTION
    Properties:
      RestApiId: !Ref Api

  ApiStage:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      DeploymentId: !Ref ApiDeployment
      StageName: dev

  # BEGIN SOLUTION
  ApiInvokePermission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref UsersFunction
      Action: lambda:InvokeFunction
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*"

  # BROKEN
  # END SOLUTION
Outputs:
  ApiId:
    Value: !Ref Api
  Stage:
    Value: !Ref ApiStage
  FunctionName:
    Value: !Ref UsersFunction
  TableName:
    Value: !Ref UsersTable
"""


def template() -> str:
    """The template's text (what the checks lint and deploy)."""
    return TEMPLATE
