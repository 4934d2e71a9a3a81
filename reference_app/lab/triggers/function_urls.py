"""Function URLs: a function's own HTTPS endpoint.

AWS names it ``{urlId}.lambda-url.us-east-1.on.aws``. ministack also serves the
path form ``{endpoint}/_aws/lambda-url/{urlId}/`` (``ministack/app.py``,
``_parse_lambda_url``), which is what :func:`function_url` returns there.
LocalStack documents only the host form, and its ``FunctionUrl`` already names a
local host (``{urlId}.lambda-url.us-east-1.localhost.localstack.cloud:4566``), so
that URL is returned unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import ClientError

from ..clients import client
from ..config import Backend, resolve_backend
from ..errors import LabError, aws_code
from ..http import loopback_alias
from .permissions import LAB_PREFIX, allow_invoke, bare_name, revoke

_URL_PERMISSIONS = (
    # (statement id suffix, action, extra AddPermission fields). Since October 2025
    # a new public function URL needs both statements.
    ("url", "lambda:InvokeFunctionUrl", {"FunctionUrlAuthType": "NONE"}),
    ("url-invoke", "lambda:InvokeFunction", {"InvokedViaFunctionUrl": True}),
)


def local_function_url(aws_url: str, backend: Backend | None = None) -> str:
    """The loopback form of a ``FunctionUrl``: unchanged when its host is already
    local (LocalStack), else ``{endpoint}/_aws/lambda-url/{urlId}/`` (ministack)."""
    backend = backend or resolve_backend()
    host = urlsplit(aws_url).hostname or ""
    if loopback_alias(host) or host in ("localhost", "127.0.0.1"):
        return aws_url
    return f"{backend.endpoint}/_aws/lambda-url/{host.split('.', 1)[0]}/"


def function_url(
    function: str,
    auth_type: str = "NONE",
    cors: Mapping | None = None,
    backend: Backend | None = None,
) -> str:
    """Give the function an HTTPS endpoint of its own (or update its auth type and
    CORS); return a URL for it that works on this machine.

    With ``auth_type="NONE"`` the URL is public, and AWS requires the resource
    policy to say so: ``lambda:InvokeFunctionUrl`` for anyone with
    ``FunctionUrlAuthType=NONE`` and ``lambda:InvokeFunction`` for anyone invoking
    via the URL. Those statements are removed again when the auth type becomes
    ``AWS_IAM``, where callers need SigV4-signed requests and IAM permission.
    """
    if auth_type not in ("NONE", "AWS_IAM"):
        raise LabError(f"auth_type must be 'NONE' or 'AWS_IAM', not {auth_type!r}.")
    backend = backend or resolve_backend()
    name = bare_name(function)
    lam = client("lambda", backend)
    wanted: dict[str, Any] = {"AuthType": auth_type}
    if cors is not None:
        wanted["Cors"] = dict(cors)
    try:
        config = lam.get_function_url_config(FunctionName=name)
    except ClientError as err:
        if aws_code(err) != "ResourceNotFoundException":
            raise
        config = None
    if config is None:
        try:
            config = lam.create_function_url_config(FunctionName=name, **wanted)
        except ClientError as err:
            if aws_code(err) != "ResourceConflictException":
                raise
            config = lam.get_function_url_config(FunctionName=name)
    if any(config.get(k) != v for k, v in wanted.items()):
        config = lam.update_function_url_config(FunctionName=name, **wanted)
    for suffix, action, extra in _URL_PERMISSIONS:
        sid = f"{LAB_PREFIX}-{suffix}"
        if auth_type == "NONE":
            allow_invoke(name, "*", action=action, statement_id=sid, backend=backend, **extra)
        else:
            revoke(name, sid, backend)
    return local_function_url(config["FunctionUrl"], backend)
