"""Releases as published versions, the alias in front of them, the alias behind a REST API and a function
URL, and provisioned concurrency on the alias (lesson 11)."""

from __future__ import annotations

from botocore.exceptions import ClientError

from ...clients import client
from ...deploy import deploy_function, invoke
from ...errors import aws_code
from ...http import http_call
from ...triggers import rest_api
from ...triggers.function_urls import local_function_url

HANDLER = "reference_app.handlers.price_quote"
NAME = "lab-11-quote"
ALIAS = "live"
#: The releases the lesson ships: the one in production, one whose new quote limit was set in dollars
#: where the code reads cents, and one whose tax rate is not a number.
BLUE = {"RELEASE": "blue", "TAX_RATE": "0.2"}
GREEN_LIMIT_BUG = {"RELEASE": "green", "TAX_RATE": "0.2", "QUOTE_LIMIT_CENTS": "5000"}
RED_TAX_BUG = {"RELEASE": "red", "TAX_RATE": "20%"}


# --- versions and aliases ---------------------------------------------------------------------------------------
def release(environment: dict[str, str], name: str = NAME) -> str:
    """Deploy the quote handler with ``environment`` to ``$LATEST`` and publish it; the version number.

    Lambda publishes a new version only when ``$LATEST`` changed since the last one; publishing an
    unchanged ``$LATEST`` answers the last version again."""
    deploy_function(
        name,
        HANDLER,
        environment=environment,
        timeout=10,
        description=f"price quote, release {environment.get('RELEASE', '?')}",
    )
    return client("lambda").publish_version(
        FunctionName=name, Description=f"release {environment.get('RELEASE', '?')}"
    )["Version"]


def ensure_alias(version: str, weights: dict[str, float] | None = None, name: str = NAME, alias: str = ALIAS) -> dict:
    """Point ``alias`` at ``version`` with these additional weights (none: all traffic to ``version``).

    ``RoutingConfig`` is always sent: an ``UpdateAlias`` without it keeps the weights the alias had."""
    lam = client("lambda")
    routing = {"AdditionalVersionWeights": dict(weights or {})}
    try:
        return lam.update_alias(FunctionName=name, Name=alias, FunctionVersion=version, RoutingConfig=routing)
    except ClientError as err:
        if aws_code(err) != "ResourceNotFoundException":
            raise
    return lam.create_alias(FunctionName=name, Name=alias, FunctionVersion=version, RoutingConfig=routing)


def alias_state(name: str = NAME, alias: str = ALIAS) -> dict:
    """The alias's primary version and its additional weights."""
    conf = client("lambda").get_alias(FunctionName=name, Name=alias)
    weights = (conf.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return {"alias": alias, "primary": conf["FunctionVersion"], "weights": dict(weights), "arn": conf["AliasArn"]}


def versions(name: str = NAME):
    """Every version of the function: number, description, code hash, and the aliases pointing at it."""
    import pandas as pd

    lam = client("lambda")
    aliases = lam.list_aliases(FunctionName=name)["Aliases"]
    rows = []
    for conf in lam.list_versions_by_function(FunctionName=name)["Versions"]:
        number = conf["Version"]
        pointing = [
            a["Name"]
            for a in aliases
            if a["FunctionVersion"] == number
            or number in ((a.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {})
        ]
        rows.append(
            {
                "version": number,
                "description": conf.get("Description", ""),
                "release": (conf.get("Environment") or {}).get("Variables", {}).get("RELEASE", ""),
                "code sha256": conf["CodeSha256"][:12],
                "aliases": ", ".join(pointing),
            }
        )
    return pd.DataFrame(rows).set_index("version")


def prune_versions(keep: int = 3, name: str = NAME) -> list[str]:
    """Delete published versions no alias uses, keeping the newest ``keep``; the numbers deleted.

    Versions count against the account's code storage; an old one no alias needs is a rollback target
    nobody will use."""
    lam = client("lambda")
    aliases = lam.list_aliases(FunctionName=name)["Aliases"]
    used = {a["FunctionVersion"] for a in aliases}
    used |= {v for a in aliases for v in ((a.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {})}
    numbers = sorted(
        (
            v["Version"]
            for v in lam.list_versions_by_function(FunctionName=name)["Versions"]
            if v["Version"] != "$LATEST"
        ),
        key=int,
    )
    doomed = [v for v in numbers[:-keep] if v not in used] if keep else [v for v in numbers if v not in used]
    for number in doomed:
        lam.delete_function(FunctionName=name, Qualifier=number)
    cw = client("cloudwatch")
    alarms = {a["AlarmName"] for a in cw.describe_alarms(AlarmNamePrefix=f"{name}-")["MetricAlarms"]}
    stale = sorted(
        alarms
        & {
            version_alarm_name(number, name, alias)
            for number in doomed
            for alias in [a["Name"] for a in aliases] or [ALIAS]
        }
    )
    if stale:
        cw.delete_alarms(AlarmNames=stale)  # the alarms of versions that no longer exist
    return doomed


def version_alarm_name(version: str, name: str = NAME, alias: str = ALIAS) -> str:
    """The name of the alarm on ``version``'s errors behind ``alias``."""
    return f"{name}-{alias}-v{version}-errors"


# --- the alias behind API Gateway and a function URL --------------------------------------------------------------
def alias_endpoints(name: str = NAME, alias: str = ALIAS) -> dict[str, str]:
    """A REST API and a function URL, both invoking the alias (its ARN, its ``Qualifier``); their URLs."""
    lam = client("lambda")
    alias_arn = alias_state(name, alias)["arn"]
    rest = rest_api(f"{name}-api", alias_arn) + "quote"
    try:
        config = lam.get_function_url_config(FunctionName=name, Qualifier=alias)
    except ClientError as err:
        if aws_code(err) != "ResourceNotFoundException":
            raise
        config = lam.create_function_url_config(FunctionName=name, Qualifier=alias, AuthType="NONE")
    for sid, action, extra in (
        ("lab-11-url", "lambda:InvokeFunctionUrl", {"FunctionUrlAuthType": "NONE"}),
        ("lab-11-url-invoke", "lambda:InvokeFunction", {"InvokedViaFunctionUrl": True}),
    ):
        try:
            lam.add_permission(
                FunctionName=name, Qualifier=alias, StatementId=sid, Action=action, Principal="*", **extra
            )
        except ClientError as err:
            if aws_code(err) != "ResourceConflictException":
                raise
    return {"rest api": rest, "function url": local_function_url(config["FunctionUrl"])}


def versions_behind(urls: dict[str, str], requests: int = 5) -> dict[str, list[str]]:
    """Which version answered each of a few POSTs to each URL."""
    return {
        kind: [http_call(url, "POST", {"amount_cents": 1000}).json()["version"] for _ in range(requests)]
        for kind, url in urls.items()
    }


# --- provisioned concurrency on an alias --------------------------------------------------------------------------
def provisioned_on_alias(environments: int = 1, name: str = NAME, alias: str = ALIAS) -> dict:
    """Provisioned concurrency on the alias: its status, the first invoke's INIT, then removed (it is billed)."""
    lam = client("lambda")
    lam.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier=alias, ProvisionedConcurrentExecutions=environments
    )
    config = lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier=alias)
    primary = alias_state(name, alias)["primary"]

    first = invoke(name, {"amount_cents": 100}, Qualifier=alias)
    block = first.logs()
    try:
        lam.put_provisioned_concurrency_config(
            FunctionName=name, Qualifier="$LATEST", ProvisionedConcurrentExecutions=environments
        )
        latest = "accepted (AWS refuses it)"
        lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="$LATEST")
    except ClientError as err:
        latest = f"refused: {aws_code(err)}"
    lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier=alias)
    return {
        "qualifier": alias,
        "version behind it": primary,
        "status": config["Status"],
        "allocated": config["AllocatedProvisionedConcurrentExecutions"],
        "Init Duration on the first REPORT line": (block.report.get("Init Duration") if block else None),
        "provisioned concurrency on $LATEST": latest,
    }
