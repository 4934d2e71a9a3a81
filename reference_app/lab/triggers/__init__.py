"""Wire AWS event sources to a deployed function, idempotently, one module per family.

Each helper creates what is missing and leaves alone what is already there, so a
notebook cell can run twice: the second run creates nothing and fails on nothing.
Each takes names or ARNs and an optional ``backend``, talks to AWS only through
:func:`reference_app.lab.clients.client`, and returns what the learner needs
next (an ARN, a mapping UUID, a URL).

* :mod:`.permissions`: resource-based policies for push sources (``allow_invoke``);
* :mod:`.s3`: bucket notifications; :mod:`.mappings`: SQS, DynamoDB Streams and
  Kinesis event source mappings (and the execution role's read policy);
* :mod:`.sns`, :mod:`.eventbridge`: subscriptions and rules;
* :mod:`.apigateway`: REST and HTTP APIs; :mod:`.function_urls`: function URLs.

Calling the URLs they return is :func:`reference_app.lab.http.http_call`; where the
emulator differs from AWS for any of them is :mod:`reference_app.lab.known_differences`.
"""

from __future__ import annotations

from ..http import HttpResponse, http_call
from .apigateway import execute_api_url, http_api, lambda_integration_uri, rest_api
from .eventbridge import eventbridge_rule
from .function_urls import function_url, local_function_url
from .mappings import SOURCE_POLICIES, event_source_mapping, grant_source_read, wait_for_mapping
from .permissions import LAB_PREFIX, allow_invoke, resolve_function_arn, revoke
from .s3 import ensure_bucket, s3_notification
from .sns import sns_subscription

__all__ = [
    "LAB_PREFIX",
    "SOURCE_POLICIES",
    "HttpResponse",
    "allow_invoke",
    "ensure_bucket",
    "event_source_mapping",
    "eventbridge_rule",
    "execute_api_url",
    "function_url",
    "grant_source_read",
    "http_api",
    "http_call",
    "lambda_integration_uri",
    "local_function_url",
    "resolve_function_arn",
    "rest_api",
    "revoke",
    "s3_notification",
    "sns_subscription",
    "wait_for_mapping",
]
