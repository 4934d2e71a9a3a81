"""A reviewer's check of IAM policies and templates, before anything is deployed (lesson 06).

It reads identity policies, trust and resource policies, CloudFormation and SAM templates
(YAML, or dicts and YAML strings inside Python files) and Terraform files, and reports:

========================  ================================================================
rule                      what it flags
========================  ================================================================
``wildcard-action``       an Allow whose Action has a ``*`` (``*``, ``dynamodb:*``,
                          ``s3:Get*``), or an Allow with NotAction
``wildcard-resource``     an Allow on ``*``, on an ARN with ``*`` for its region or account
                          (``arn:aws:logs:*:*:*``), on every resource of a type
                          (``table/*``), or with NotResource
``passrole-any-role``     ``iam:PassRole`` on ``*``: the holder can hand any role, an admin
                          one included, to a function or a service
``public-principal``      ``Principal: "*"`` in an Allow without a Condition; a
                          ``Lambda::Permission`` for ``*`` with no SourceArn, SourceAccount,
                          PrincipalOrgID or FunctionUrlAuthType
``cors-any-origin``       ``Access-Control-Allow-Origin: *`` in code, or ``*`` in a function
                          URL's AllowOrigins (with AllowCredentials, browsers refuse it)
``secret-in-environment`` a function variable named like a secret (PASSWORD, TOKEN,
                          ENCRYPTION_KEY ...) that holds a value rather than a name or ARN
========================  ================================================================

A ``*`` after a named resource is not flagged: ``table/users/index/*`` (one table's indexes),
``log-group:/aws/lambda/fn:*`` (one log group's streams), ``bucket/uploads/*``.
CloudFormation placeholders (``!GetAtt T.Arn``, ``${Table}``) count as named resources.

Managed policies are not findings but **notes**: attaching one grants what AWS wrote in it
(:data:`MANAGED_POLICIES` lists the ones the kit's templates use), which the lesson shows.

:func:`shipped` runs the check over every template and policy the kit ships (:func:`shipped_files`:
reference_app/iac, JSON documents under reference_app, the lab tooling, the functions, the
lessons' sources and the solutions); the test suite requires no finding outside
``reference_app/iac/seed/`` (the seed's verbatim files, whose findings it asserts instead), and
that no file holding a policy, template, CORS or environment setting escapes the check. The
exercises' stubs (:func:`exercise_files`) are checked apart: only the debug exercise
``least-privilege-role`` starts broken, on purpose.

In Python files the check reads policy documents and templates written as dicts or YAML strings,
response headers (``{"Access-Control-Allow-Origin": "*"}``), and boto3's ``Environment=`` and
``Cors=`` arguments.
"""

from __future__ import annotations

from .documents import (
    MANAGED_POLICIES,
    RULES,
    Finding,
    Report,
    _as_list,
    _statements,
    allows,
    check_policy,
    wildcard_resource,
)
from .sources import (
    POLICY_SUFFIXES,
    _jsonencode,
    check_file,
    check_python,
    check_template,
    check_terraform,
    exercise_files,
    is_seed,
    load_template,
    shipped,
    shipped_files,
)

__all__ = [
    "MANAGED_POLICIES",
    "POLICY_SUFFIXES",
    "RULES",
    "Finding",
    "Report",
    "_as_list",
    "_jsonencode",
    "_statements",
    "allows",
    "check_file",
    "check_policy",
    "check_python",
    "check_template",
    "check_terraform",
    "exercise_files",
    "is_seed",
    "load_template",
    "shipped",
    "shipped_files",
    "wildcard_resource",
]
