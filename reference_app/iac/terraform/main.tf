# The users API of lambda-lab as Terraform: the seed's lambda.tf corrected
# (lessons/03_infrastructure_as_code.py says what changed and why).
#
# - aws_api_gateway_deployment no longer takes stage_name nor gives invoke_url: both
#   were deprecated in provider 5.x and removed in 6.0; an aws_api_gateway_stage does it.
# - python3.13, not the deprecated python3.9.
# - The zip is built by the kit (reference_app.lab.packaging, import-checked) and passed
#   in as package_path, instead of an archive_file that zips a heredoc of code: only the
#   aws provider is needed (the seed also used random and archive without declaring them).
# - One function for one trigger: the S3, DynamoDB Streams and SNS parts of the seed
#   belong to other functions (lesson 04), and the seed wired them without the
#   depends_on and stream permissions AWS needs.
# - Least privilege on one table, and the log group exists before the function.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Nothing here uses what 6.0 removed, so the last 5.x and every 6.x apply it unchanged.
      version = ">= 5.100, < 7.0"
    }
  }
}

provider "aws" {
  region = var.aws_region
}

variable "aws_region" {
  description = "AWS region"
  type        = string
  default     = "us-east-1"
}

variable "environment" {
  description = "Stage name, and a suffix of every name"
  type        = string
  default     = "dev"
  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "function_name" {
  description = "Prefix of the function's name"
  type        = string
  default     = "lab-03-tf-users"
}

variable "package_path" {
  description = "The function's zip (lab.build_zip writes one)"
  type        = string
}

variable "handler" {
  description = "module.function inside the zip"
  type        = string
  default     = "users_api.lambda_handler"
}

locals {
  name = "${var.function_name}-${var.environment}"
}

resource "aws_dynamodb_table" "users" {
  name         = "${local.name}-users"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "user_id"

  attribute {
    name = "user_id"
    type = "S"
  }

  tags = {
    Environment = var.environment
  }
}

resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/${local.name}"
  retention_in_days = 14
}

resource "aws_iam_role" "function" {
  name = "${local.name}-execution"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Action    = "sts:AssumeRole"
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.function.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_iam_role_policy" "users_table" {
  name = "users-table"
  role = aws_iam_role.function.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Scan"]
      Resource = aws_dynamodb_table.users.arn
    }]
  })
}

resource "aws_lambda_function" "users" {
  function_name    = local.name
  runtime          = "python3.13"
  handler          = var.handler
  role             = aws_iam_role.function.arn
  filename         = var.package_path
  source_code_hash = filebase64sha256(var.package_path)
  timeout          = 10
  memory_size      = 256

  environment {
    variables = {
      USERS_TABLE = aws_dynamodb_table.users.name
      LOG_LEVEL   = "INFO"
    }
  }

  tags = {
    Environment = var.environment
  }

  depends_on = [aws_cloudwatch_log_group.function, aws_iam_role_policy_attachment.logs]
}

resource "aws_api_gateway_rest_api" "users" {
  name        = "${local.name}-api"
  description = "Users API"

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_resource" "users" {
  rest_api_id = aws_api_gateway_rest_api.users.id
  parent_id   = aws_api_gateway_rest_api.users.root_resource_id
  path_part   = "users"
}

resource "aws_api_gateway_resource" "user" {
  rest_api_id = aws_api_gateway_rest_api.users.id
  parent_id   = aws_api_gateway_resource.users.id
  path_part   = "{id}"
}

resource "aws_api_gateway_method" "users" {
  rest_api_id   = aws_api_gateway_rest_api.users.id
  resource_id   = aws_api_gateway_resource.users.id
  http_method   = "ANY"
  authorization = "NONE"
}

resource "aws_api_gateway_method" "user" {
  rest_api_id   = aws_api_gateway_rest_api.users.id
  resource_id   = aws_api_gateway_resource.user.id
  http_method   = "ANY"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "users" {
  rest_api_id             = aws_api_gateway_rest_api.users.id
  resource_id             = aws_api_gateway_resource.users.id
  http_method             = aws_api_gateway_method.users.http_method
  integration_http_method = "POST"
  type                    = "AWS_PROXY"
  uri                     = aws_lambda_function.users.invoke_arn
}

resource "aws_api_gateway_integration" "user" {
  rest_api_id             = aws_api_gateway_rest_api.users.id
  resource_id             = aws_api_gateway_resource.user.id
  http_method             = aws_api_gateway_method.user.http_method
  integration_http_method = "POST"
  type                    = "AWS_PROXY"
  uri                     = aws_lambda_function.users.invoke_arn
}

resource "aws_lambda_permission" "api_gateway" {
  statement_id  = "AllowExecutionFromAPIGateway"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.users.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.users.execution_arn}/*/*/users*"
}

# A deployment is a snapshot: triggers makes a change to any method or integration
# create a new one (depends_on alone orders the first deployment, never redeploys).
resource "aws_api_gateway_deployment" "users" {
  rest_api_id = aws_api_gateway_rest_api.users.id

  triggers = {
    redeployment = sha1(jsonencode([
      aws_api_gateway_method.users.id,
      aws_api_gateway_method.user.id,
      aws_api_gateway_integration.users.id,
      aws_api_gateway_integration.user.id,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_stage" "users" {
  rest_api_id   = aws_api_gateway_rest_api.users.id
  deployment_id = aws_api_gateway_deployment.users.id
  stage_name    = var.environment
}

output "api_url" {
  description = "The users collection on AWS"
  value       = "${aws_api_gateway_stage.users.invoke_url}/users"
}

output "api_id" {
  description = "REST API id"
  value       = aws_api_gateway_rest_api.users.id
}

output "stage" {
  description = "Stage name"
  value       = aws_api_gateway_stage.users.stage_name
}

output "function_name" {
  description = "Function name"
  value       = aws_lambda_function.users.function_name
}

output "table_name" {
  description = "Users table"
  value       = aws_dynamodb_table.users.name
}
