"""Checks for fix-seed-template (03_infrastructure_as_code): a template cfn-lint and a reviewer accept,
that deploys as a stack on the emulator and answers over HTTP."""

from __future__ import annotations

import re

from ...http import http_call
from ...iac import api_url, delete_stack, deploy_stack, leftovers, upload_code
from ..framework import CheckFailed, Context, Exercise, shown
from ._templates import SOURCE_ARN, lint_clean, parsed, references, rendered, resources_of

EXERCISE = Exercise("fix-seed-template", resources={"CODE_BUCKET": ("bucket", "artifacts")})
STACK = "lab-ex-fix-seed-template"


@EXERCISE.unit("cfn-lint reports no error and no warning")
def lints_clean(ctx: Context) -> None:
    module = ctx.load()
    parsed(module.TEMPLATE)
    lint_clean(module.TEMPLATE)


@EXERCISE.unit("the API's deployment waits for every method it must snapshot (DependsOn)")
def deployment_waits(ctx: Context) -> None:
    template = parsed(ctx.load().TEMPLATE)
    methods = set(resources_of(template, "AWS::ApiGateway::Method"))
    deployments = resources_of(template, "AWS::ApiGateway::Deployment")
    if not deployments:
        raise CheckFailed("the template has no AWS::ApiGateway::Deployment; the API would never be published.")
    for name, deployment in deployments.items():
        depends = deployment.get("DependsOn", [])
        depends = {depends} if isinstance(depends, str) else set(depends)
        missing = sorted(methods - depends)
        if missing:
            raise CheckFailed(
                f"{name} does not depend on {', '.join(missing)}: CloudFormation may create the deployment first, "
                "and on AWS a deployment of an API with no methods fails. Add DependsOn."
            )


@EXERCISE.unit("API Gateway is allowed to invoke the function (an AWS::Lambda::Permission scoped to this API)")
def permission(ctx: Context) -> None:
    template = parsed(ctx.load().TEMPLATE)
    functions = set(resources_of(template, "AWS::Lambda::Function"))
    apis = set(resources_of(template, "AWS::ApiGateway::RestApi"))
    for name, grant in resources_of(template, "AWS::Lambda::Permission").items():
        props = grant.get("Properties") or {}
        if props.get("Principal") != "apigateway.amazonaws.com":
            continue
        if not references(props.get("FunctionName")) & functions:
            raise CheckFailed(f"{name} does not name the function (FunctionName: !Ref UsersFunction).")
        if props.get("Action") != "lambda:InvokeFunction":
            raise CheckFailed(f"{name} must allow the action lambda:InvokeFunction.")
        if not references(props.get("SourceArn")) & apis:
            raise CheckFailed(
                f"{name} has no SourceArn built from the API (arn:...:execute-api:...:${{Api}}/*): without one, "
                "any API Gateway API in any account could invoke the function."
            )
        _source_arn_is_this_apis(name, props.get("SourceArn"), template, apis)
        return
    raise CheckFailed(
        "nothing allows apigateway.amazonaws.com to invoke the function: on AWS every request would answer 500 "
        "(the emulator does not enforce it, AWS does). Add an AWS::Lambda::Permission."
    )


def _source_arn_is_this_apis(name: str, value, template: dict, apis: set[str]) -> None:
    """The SourceArn, rendered as CloudFormation would (sample account and region, the API's id), must
    match AddPermission's SourceArn pattern and be an execute-api ARN of this API: a Ref to the API is
    its id (not an ARN), a GetAtt of the function is the function's ARN, and either is accepted by no
    request API Gateway makes."""
    api_id = "a1b2c3d4e5"
    arn = rendered(value, template, {api: api_id for api in apis})
    if arn is None:
        return  # an intrinsic this check cannot render: cfn-lint and the live check judge it
    if not re.fullmatch(SOURCE_ARN, arn):
        raise CheckFailed(
            f"{name}'s SourceArn becomes {arn!r} once deployed, which is not an ARN (AddPermission "
            "wants arn:<partition>:execute-api:<region>:<account>:<api id>/<stage>/<method>/<path>)."
        )
    parts = arn.split(":", 5)
    if parts[2] != "execute-api" or not parts[5].startswith(f"{api_id}/"):
        raise CheckFailed(
            f"{name}'s SourceArn becomes {arn!r}: it must name this API's requests, "
            f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{Api}}/*, "
            "not another kind of resource."
        )
    if parts[4] != "123456789012" or parts[3] != "us-east-1":
        raise CheckFailed(
            f"{name}'s SourceArn becomes {arn!r}: use ${{AWS::Region}} and ${{AWS::AccountId}}, "
            "so it names this account's API wherever the stack is deployed."
        )


@EXERCISE.live("deployed as a stack on the emulator: POST 201 and GET 200 over HTTP, then deleted, nothing left")
def live(ctx: Context) -> None:
    code = upload_code("reference_app.handlers.users_api", bucket=ctx.env["CODE_BUCKET"])
    stack = deploy_stack(STACK, ctx.load().TEMPLATE, {"CodeBucket": code.bucket, "CodeKey": code.key})
    try:
        if not {"ApiId", "Stage"} <= set(stack.outputs):
            raise CheckFailed("keep the ApiId and Stage outputs: the check finds the API through them.")
        url = api_url(stack.outputs)
        user = {"user_id": f"u-{ctx.run_id}-{ctx.rng.token(4)}", "name": ctx.rng.name(), "email": ctx.rng.email()}
        created = http_call(url, "POST", user)
        if created.status != 201:
            raise CheckFailed(
                f"POST {url} with {shown(user)} answered {created.status} ({shown(created.body)}), expected 201."
            )
        read = http_call(f"{url}/{user['user_id']}")
        if read.status != 200 or read.json().get("name") != user["name"]:
            raise CheckFailed(
                f"GET {url}/{user['user_id']} answered {read.status} ({shown(read.body)}), expected "
                f"200 with the user {shown(user)}."
            )
        bad = http_call(url, "POST", '{"user_id": ')
        if not 400 <= bad.status < 500:
            raise CheckFailed(
                f"POST {url} with broken JSON answered {bad.status} ({shown(bad.body)}); invalid input "
                "should be answered 4xx."
            )
    finally:
        had = delete_stack(STACK)
    left = leftovers(had)
    still = left[left["exists"] == True]  # noqa: E712 (None means "part of another resource")
    if len(still):
        raise CheckFailed(f"after deleting the stack these still exist: {', '.join(still['logical id'])}.")
