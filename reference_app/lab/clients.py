"""The one place the kit builds boto3 clients and resources.

Every client is bound to the selected backend: its endpoint, region ``us-east-1``
and dummy credentials. The session is built so that nothing of the learner's own
AWS setup can leak in: ``AWS_PROFILE``, ``~/.aws/config`` and ``~/.aws/credentials``
are ignored, and the explicit endpoint overrides ``AWS_ENDPOINT_URL``.

Why not ``localstack-client``: its sessions predate the SDK's own endpoint
configuration and map each service to a LocalStack port. Since botocore 1.31 the
SDK takes ``endpoint_url`` (and ``AWS_ENDPOINT_URL`` inside a function) for every
service, which is all one emulator port needs, and it still reads the user's
profile. So the kit builds a plain session with those inputs switched off.

Two guards keep requests local: an endpoint that is not loopback (or an emulator
host name) is refused unless ``LAMBDA_LAB_ALLOW_REMOTE=1``, and every request is
checked just before it is sent, so nothing (a redirect, a presigned URL built
by hand, a service whose endpoint rules add a host prefix) reaches another host.
"""

from __future__ import annotations

import functools
import os
from typing import Any
from urllib.parse import urlsplit

import boto3
import botocore.session
from botocore.config import Config

from .config import ACCOUNT_ID, REGION, Backend, resolve_backend
from .errors import LabError
from .net import check_endpoint

DUMMY_KEY = "test"
DUMMY_SECRET = "test"

_CLIENT_CONFIG = Config(
    connect_timeout=2,
    read_timeout=70,  # a cold invoke of a 60 s function must not time out on the client side
    retries={"max_attempts": 2, "mode": "standard"},
)

# Session variables that would otherwise come from the learner's environment or
# ~/.aws files: (config-file key, env var, default, converter). ``None`` for the
# env var means "never read it".
_ISOLATED_VARS = {
    "profile": (None, None, None, None),
    "config_file": (None, None, os.devnull, None),
    "credentials_file": (None, None, os.devnull, None),
}


def _pin_host(endpoint: str):
    allowed = urlsplit(endpoint).hostname

    def before_send(request, **_: Any) -> None:
        host = urlsplit(request.url).hostname
        if host != allowed:
            raise LabError(
                f"Blocked a request to {host}: lambda-lab clients only talk to {allowed}."
            )

    return before_send


@functools.cache
def _session(endpoint: str) -> boto3.session.Session:
    core = botocore.session.Session(session_vars=_ISOLATED_VARS)
    core.register("before-send", _pin_host(endpoint))
    return boto3.session.Session(
        botocore_session=core,
        aws_access_key_id=DUMMY_KEY,
        aws_secret_access_key=DUMMY_SECRET,
        region_name=REGION,
    )


def session(backend: Backend | None = None) -> boto3.session.Session:
    """A boto3 session bound to the backend's endpoint with dummy credentials."""
    backend = backend or resolve_backend()
    check_endpoint(backend.endpoint)
    return _session(backend.endpoint)


def client(service: str, backend: Backend | None = None, **kwargs: Any):
    """A boto3 client for ``service`` on the selected backend."""
    backend = backend or resolve_backend()
    kwargs.setdefault("config", _CLIENT_CONFIG)
    return session(backend).client(service, endpoint_url=backend.endpoint, **kwargs)


def resource(service: str, backend: Backend | None = None, **kwargs: Any):
    """A boto3 resource for ``service`` on the selected backend."""
    backend = backend or resolve_backend()
    kwargs.setdefault("config", _CLIENT_CONFIG)
    return session(backend).resource(service, endpoint_url=backend.endpoint, **kwargs)


def arn(service: str, resource_part: str) -> str:
    """An ARN in the emulator's account and region, e.g. ``arn("iam", "role/x")``."""
    region = "" if service in ("iam", "s3") else REGION
    account = "" if service == "s3" else ACCOUNT_ID
    return f"arn:aws:{service}:{region}:{account}:{resource_part}"
