"""API Gateway REST (v1) and HTTP (v2) APIs that proxy every request to a function.

AWS gives every API its own host name (``{id}.execute-api.us-east-1.amazonaws.com``).
Locally those names only resolve with a wildcard DNS entry, which browsers on
macOS and offline laptops do not have, so the helpers return the emulator's
*path* form instead, which any HTTP client can call on 127.0.0.1:
``{endpoint}/_aws/execute-api/{apiId}/{stage}/`` (for an HTTP API's ``$default``
stage, ``{endpoint}/_aws/execute-api/{apiId}/``). ministack
(``ministack/app.py``, ``_parse_execute_api_url``) and current LocalStack both
serve it; ``/restapis/{id}/{stage}/_user_request_/`` is LocalStack's legacy
form and is not used.
"""

from __future__ import annotations

from collections.abc import Iterable

from botocore.exceptions import ClientError

from ..clients import client
from ..config import Backend, resolve_backend
from ..errors import aws_code
from .permissions import LAB_PREFIX, allow_invoke, arn_parts, resolve_function_arn


def lambda_integration_uri(function_arn: str) -> str:
    """The URI API Gateway invokes a function through (``AWS_PROXY`` integrations)."""
    region, _ = arn_parts(function_arn)
    return f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


def execute_api_url(api_id: str, stage: str, backend: Backend | None = None) -> str:
    """The loopback path-form invoke URL of an API stage, ending in ``/``."""
    backend = backend or resolve_backend()
    base = f"{backend.endpoint}/_aws/execute-api/{api_id}/"
    return base if stage == "$default" else f"{base}{stage}/"


def _execute_api_source(function_arn: str, api_id: str) -> str:
    region, account = arn_parts(function_arn)
    return f"arn:aws:execute-api:{region}:{account}:{api_id}/*"


def _find_by_name(pages: Iterable[dict], key: str, name: str, name_key: str, **match: str) -> dict | None:
    found = [
        item
        for page in pages
        for item in page.get(key, [])
        if item.get(name_key) == name and all(item.get(k) == v for k, v in match.items())
    ]
    found.sort(key=lambda item: str(item.get("createdDate") or item.get("CreatedDate") or ""))
    return found[0] if found else None


def rest_api(name: str, function_arn: str, stage: str = "dev", backend: Backend | None = None) -> str:
    """A REST API named ``name`` that sends every request, at ``/`` and at any
    ``/{proxy+}`` path and for ANY method, to the function through an
    ``AWS_PROXY`` integration, deployed to ``stage``; return its base URL.

    The API is found by name, so running it again reuses it and deploys again
    only when something had to be added or changed.
    """
    backend = backend or resolve_backend()
    target = resolve_function_arn(function_arn, backend)
    apigw = client("apigateway", backend)
    api = _find_by_name(apigw.get_paginator("get_rest_apis").paginate(), "items", name, "name")
    if api is None:
        api = apigw.create_rest_api(name=name, endpointConfiguration={"types": ["REGIONAL"]})
    api_id = api["id"]
    resources = [r for page in apigw.get_paginator("get_resources").paginate(restApiId=api_id) for r in page["items"]]
    root = next(r for r in resources if r["path"] == "/")
    proxy = next((r for r in resources if r["path"] == "/{proxy+}"), None)
    changed = False
    if proxy is None:
        proxy = apigw.create_resource(restApiId=api_id, parentId=root["id"], pathPart="{proxy+}")
        changed = True
    uri = lambda_integration_uri(target)
    for resource in (root, proxy):
        if "ANY" not in resource.get("resourceMethods", {}):
            try:
                apigw.put_method(
                    restApiId=api_id, resourceId=resource["id"], httpMethod="ANY", authorizationType="NONE"
                )
                changed = True
            except ClientError as err:
                if aws_code(err) != "ConflictException":  # listed without its methods, but there
                    raise
        try:
            current_uri = apigw.get_integration(restApiId=api_id, resourceId=resource["id"], httpMethod="ANY").get(
                "uri"
            )
        except ClientError as err:
            if aws_code(err) != "NotFoundException":
                raise
            current_uri = None
        if current_uri != uri:
            apigw.put_integration(
                restApiId=api_id,
                resourceId=resource["id"],
                httpMethod="ANY",
                type="AWS_PROXY",
                integrationHttpMethod="POST",
                uri=uri,
            )
            changed = True
    allow_invoke(target, "apigateway.amazonaws.com", _execute_api_source(target, api_id), backend=backend)
    try:
        apigw.get_stage(restApiId=api_id, stageName=stage)
    except ClientError as err:
        if aws_code(err) != "NotFoundException":
            raise
        changed = True
    if changed:
        apigw.create_deployment(restApiId=api_id, stageName=stage, description=f"{LAB_PREFIX}: {target}")
    return execute_api_url(api_id, stage, backend)


def http_api(name: str, function_arn: str, stage: str = "$default", backend: Backend | None = None) -> str:
    """An HTTP API named ``name`` whose ``$default`` route sends every request to
    the function (``AWS_PROXY``, payload format 2.0), on an auto-deployed
    ``stage``; return its base URL. Found by name, so running it again reuses it.
    """
    backend = backend or resolve_backend()
    target = resolve_function_arn(function_arn, backend)
    v2 = client("apigatewayv2", backend)
    api = _find_by_name(v2.get_paginator("get_apis").paginate(), "Items", name, "Name", ProtocolType="HTTP")
    if api is None:
        api = v2.create_api(Name=name, ProtocolType="HTTP")
    api_id = api["ApiId"]
    integrations = [i for page in v2.get_paginator("get_integrations").paginate(ApiId=api_id) for i in page["Items"]]
    integration = next(
        (
            i
            for i in integrations
            if i.get("IntegrationType") == "AWS_PROXY"
            and i.get("IntegrationUri") == target
            and i.get("PayloadFormatVersion") == "2.0"
        ),
        None,
    )
    if integration is None:
        integration = v2.create_integration(
            ApiId=api_id,
            IntegrationType="AWS_PROXY",
            IntegrationUri=target,
            PayloadFormatVersion="2.0",
        )
    route_target = f"integrations/{integration['IntegrationId']}"
    routes = [r for page in v2.get_paginator("get_routes").paginate(ApiId=api_id) for r in page["Items"]]
    route = next((r for r in routes if r["RouteKey"] == "$default"), None)
    if route is None:
        v2.create_route(ApiId=api_id, RouteKey="$default", Target=route_target)
    elif route.get("Target") != route_target:
        v2.update_route(ApiId=api_id, RouteId=route["RouteId"], Target=route_target)
    allow_invoke(target, "apigateway.amazonaws.com", _execute_api_source(target, api_id), backend=backend)
    stages = {
        s["StageName"]: s for page in v2.get_paginator("get_stages").paginate(ApiId=api_id) for s in page["Items"]
    }
    if stage not in stages:
        v2.create_stage(ApiId=api_id, StageName=stage, AutoDeploy=True)
    elif not stages[stage].get("AutoDeploy"):
        v2.update_stage(ApiId=api_id, StageName=stage, AutoDeploy=True)
    return execute_api_url(api_id, stage, backend)
