"""Lesson 11's helpers: releases as published versions, an alias in front of them, a canary measured by
counting, traffic shifted the way CodeDeploy shifts it and rolled back by an alarm, and the alias
behind a REST API and a function URL.

**Where the kit stands in for Lambda, in plain sight.** On AWS, an alias with a ``RoutingConfig``
sends each invocation to its primary or its additional version at random, by weight
(https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html), and Lambda records
``AWS/Lambda`` metrics per ``ExecutedVersion``
(https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics.html). The embedded emulator stores
the ``RoutingConfig`` but sends every invocation of the alias to its primary version, and records
metrics by ``FunctionName`` only (``alias-routing`` in ``lab.fidelity("versions and aliases")``). So
:func:`invoke_routed` is the one place where the kit draws the version by the alias's weights, invokes
that version, and publishes the invocation's ``Invocations`` and ``Errors`` under the dimensions
Lambda would use. Everything else here is the Lambda and CloudWatch APIs as they are.

CodeDeploy is not emulated either: :func:`shift_traffic` does what a CodeDeploy deployment of a Lambda
alias does (https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html),
with seconds for minutes: the pre-traffic hook, each step of the configuration's schedule, the alarm
checked after each step, and the rollback.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from ..clients import client, invoke_config
from ..deploy import deploy_function, invoke
from ..errors import LabError, aws_code
from ..triggers import rest_api
from ..triggers.function_urls import local_function_url

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
    deploy_function(name, HANDLER, environment=environment, timeout=10,
                    description=f"price quote, release {environment.get('RELEASE', '?')}")
    return client("lambda").publish_version(FunctionName=name,
                                            Description=f"release {environment.get('RELEASE', '?')}")["Version"]

def ensure_alias(version: str, weights: dict[str, float] | None = None, name: str = NAME,
                 alias: str = ALIAS) -> dict:
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
        pointing = [a["Name"] for a in aliases if a["FunctionVersion"] == number
                    or number in ((a.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {})]
        rows.append({"version": number, "description": conf.get("Description", ""),
                     "release": (conf.get("Environment") or {}).get("Variables", {}).get("RELEASE", ""),
                     "code sha256": conf["CodeSha256"][:12], "aliases": ", ".join(pointing)})
    return pd.DataFrame(rows).set_index("version")

def prune_versions(keep: int = 3, name: str = NAME) -> list[str]:
    """Delete published versions no alias uses, keeping the newest ``keep``; the numbers deleted.

    Versions count against the account's code storage; an old one no alias needs is a rollback target
    nobody will use."""
    lam = client("lambda")
    aliases = lam.list_aliases(FunctionName=name)["Aliases"]
    used = {a["FunctionVersion"] for a in aliases}
    used |= {v for a in aliases for v in ((a.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {})}
    numbers = sorted((v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]
                      if v["Version"] != "$LATEST"), key=int)
    doomed = [v for v in numbers[:-keep] if v not in used] if keep else [v for v in numbers if v not in used]
    for number in doomed:
        lam.delete_function(FunctionName=name, Qualifier=number)
    return doomed

# --- weighted routing -------------------------------------------------------------------------------------------
def pick_version(primary: str, weights: dict[str, float], draw: float) -> str:
    """The version a weighted alias sends one invocation to, for a uniform ``draw`` in [0, 1)."""
    threshold = 0.0
    for version, weight in sorted(weights.items()):
        threshold += float(weight)
        if draw < threshold:
            return version
    return primary

def invoker():
    """A Lambda client for many invokes in a row (one attempt each, 30 s to answer)."""
    return client("lambda", config=invoke_config(30.0))


@dataclass
class Routed:
    """One invocation through the alias: the version that answered, and whether it failed."""

    version: str
    ok: bool
    payload: Any

def invoke_routed(event: dict, rng: random.Random, name: str = NAME, alias: str = ALIAS,
                  state: dict | None = None, lam: Any = None) -> Routed:
    """Invoke the alias as Lambda would route it: THE KIT DRAWS THE VERSION BY THE ALIAS'S WEIGHTS.

    The emulator stores ``RoutingConfig`` but always runs the alias's primary version; this function
    draws the version with Lambda's simple probabilistic model and invokes that version. What answered
    is read from the function itself (``context.function_version`` in the answer)."""
    state = state or alias_state(name, alias)
    version = pick_version(state["primary"], state["weights"], rng.random())
    lam = lam or invoker()
    resp = lam.invoke(
        FunctionName=name, Qualifier=version, Payload=json.dumps(event).encode())
    payload = json.loads(resp["Payload"].read() or b"null")
    ok = "FunctionError" not in resp
    return Routed(payload.get("version", version) if ok else version, ok, payload)


def publish_version_metrics(routed: list[Routed], name: str = NAME, alias: str = ALIAS) -> None:
    """``Invocations`` and ``Errors`` of routed invocations under ``FunctionName``, ``Resource`` (function:alias)
    and ``ExecutedVersion``, as Lambda records them for a weighted alias (the emulator records neither
    dimension): one data point per version, its value the count."""
    totals: dict[str, list[int]] = {}
    for r in routed:
        total = totals.setdefault(r.version, [0, 0])
        total[0] += 1
        total[1] += 0 if r.ok else 1
    data = []
    for version, (count, errors) in totals.items():
        dims = [{"Name": "FunctionName", "Value": name}, {"Name": "Resource", "Value": f"{name}:{alias}"},
                {"Name": "ExecutedVersion", "Value": version}]
        data += [{"MetricName": "Invocations", "Dimensions": dims, "Value": float(count), "Unit": "Count"},
                 {"MetricName": "Errors", "Dimensions": dims, "Value": float(errors), "Unit": "Count"}]
    if data:
        client("cloudwatch").put_metric_data(Namespace="AWS/Lambda", MetricData=data)


def traffic(requests: int, rng: random.Random) -> list[dict]:
    """Quote requests as customers send them: amounts from 1 to 200 dollars."""
    return [{"amount_cents": rng.randrange(100, 20_000)} for _ in range(requests)]

def count_by_version(requests: int, seed: int, name: str = NAME, alias: str = ALIAS):
    """Send ``requests`` quotes through the alias and count, per version, how many it answered and failed."""
    import pandas as pd

    rng = random.Random(seed)
    state = alias_state(name, alias)
    lam = invoker()
    routed = [invoke_routed(event, rng, name, alias, state, lam) for event in traffic(requests, rng)]
    publish_version_metrics(routed, name, alias)
    rows = {}
    for r in routed:
        row = rows.setdefault(r.version, {"invocations": 0, "errors": 0})
        row["invocations"] += 1
        row["errors"] += 0 if r.ok else 1
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("version").sort_index()
    table["share"] = (table["invocations"] / requests).round(3)
    return table

def emulator_routing(requests: int = 20, name: str = NAME, alias: str = ALIAS) -> dict[str, int]:
    """Invoke the alias itself ``requests`` times and count ``ExecutedVersion``: what the emulator routes."""
    lam, counts = client("lambda"), {}
    for _ in range(requests):
        resp = lam.invoke(FunctionName=name, Qualifier=alias, Payload=b'{"amount_cents": 100}')
        resp["Payload"].read()
        version = resp.get("ExecutedVersion", "?")
        counts[version] = counts.get(version, 0) + 1
    return counts

# --- CodeDeploy's traffic shifting, driven by the kit -------------------------------------------------------------
_CANARY = re.compile(r"Canary(\d+)Percent(\d+)Minutes?")
_LINEAR = re.compile(r"Linear(\d+)PercentEvery(\d+)Minutes?")

def schedule(config: str) -> list[tuple[int, int]]:
    """A CodeDeploy Lambda configuration as steps of (percent on the new version, minutes to wait after).

    ``Canary10Percent5Minutes``: 10 % for 5 minutes, then 100 %. ``Linear10PercentEvery1Minute``: 10 %
    more every minute. ``AllAtOnce``: 100 % at once. SAM names them so; CodeDeploy prefixes them with
    ``CodeDeployDefault.Lambda``."""
    config = config.removeprefix("CodeDeployDefault.Lambda")
    if config == "AllAtOnce":
        return [(100, 0)]
    if m := _CANARY.fullmatch(config):
        percent, minutes = int(m[1]), int(m[2])
        if not 0 < percent < 100:
            raise LabError(f"{config}: a canary's percentage must be between 1 and 99.")
        return [(percent, minutes), (100, 0)]
    if m := _LINEAR.fullmatch(config):
        step, minutes = int(m[1]), int(m[2])
        if not 0 < step < 100:
            raise LabError(f"{config}: a linear step must be between 1 and 99 percent.")
        return [(p, minutes) for p in range(step, 100, step)] + [(100, 0)]
    raise LabError(f"{config!r} is not a CodeDeploy Lambda configuration: use Canary<P>Percent<M>Minutes, "
                   "Linear<P>PercentEvery<M>Minute(s) or AllAtOnce.")

def version_alarm(version: str, name: str = NAME, alias: str = ALIAS, threshold: int = 2) -> str:
    """An alarm on the new version's Errors behind the alias (Sum over a minute >= ``threshold``)."""
    alarm = f"{name}-{alias}-v{version}-errors"
    client("cloudwatch").put_metric_alarm(
        AlarmName=alarm, Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum", Period=60,
        EvaluationPeriods=1, Threshold=float(threshold), ComparisonOperator="GreaterThanOrEqualToThreshold",
        TreatMissingData="notBreaching",
        Dimensions=[{"Name": "FunctionName", "Value": name}, {"Name": "Resource", "Value": f"{name}:{alias}"},
                    {"Name": "ExecutedVersion", "Value": version}],
        AlarmDescription=f"version {version} of {name} failing behind {alias}: roll back",
    )
    return alarm

def alarm_state(alarm: str) -> str:
    return client("cloudwatch").describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]["StateValue"]

def smoke_test(version: str, name: str = NAME) -> str:
    """A pre-traffic hook: invoke the new version itself with a known request; '' when it passes, else why."""
    answer = invoke(name, {"amount_cents": 1000}, Qualifier=version)
    if answer.function_error:
        return f"version {version} failed a 1000-cent quote: {str(answer.payload.get('errorMessage'))[:120]}"
    if answer.payload.get("total_cents") != 1200:
        return f"version {version} quoted {answer.payload.get('total_cents')} for 1000 cents, not 1200"
    return ""

@dataclass
class Shift:
    """What one traffic shift did, step by step, and how it ended."""

    config: str
    old: str
    new: str
    outcome: str = ""
    steps: list[dict] = field(default_factory=list)

    def table(self):
        import pandas as pd

        return pd.DataFrame(self.steps)

    def __repr__(self) -> str:
        lines = [f"{self.config}: version {self.old} -> {self.new}: {self.outcome}"]
        lines += [f"  {s['step']}: {s['percent on new']:>3} % on {self.new}, {s['requests']} requests, "
                  f"{s['errors on new']} errors on {self.new}, alarm {s['alarm']}: {s['action']}" for s in self.steps]
        return "\n".join(lines)

    __str__ = __repr__

def shift_traffic(new: str, config: str, alarm: str, *, seed: int, minute_s: float = 0.3,
                  requests_per_step: int = 30, before_traffic: Callable[[str], str] | None = smoke_test,
                  name: str = NAME, alias: str = ALIAS) -> Shift:
    """Move ``alias`` from its current version to ``new`` as CodeDeploy would with ``config``.

    The pre-traffic hook runs first (a failure ends the deployment with no traffic shifted); then each
    step sets the weight, sends ``requests_per_step`` quotes through the alias, waits the step's
    minutes (``minute_s`` seconds each, here) and reads ``alarm``: ALARM rolls the alias back to the
    old version with no weights, and the deployment stops. The last step points the alias at ``new``."""
    plan = schedule(config)
    old = alias_state(name, alias)["primary"]
    shift, rng, lam = Shift(config, old, new), random.Random(seed), invoker()
    if old == new:
        shift.outcome = f"nothing to do: {alias} already points at {new}"
        return shift
    if before_traffic is not None:
        problem = before_traffic(new)
        shift.steps.append({"step": "BeforeAllowTraffic hook", "percent on new": 0, "requests": 0,
                            "errors on new": 0, "alarm": "-", "action": problem or "passed"})
        if problem:
            shift.outcome = "failed before any traffic: the hook refused the version"
            return shift
    for percent, minutes in plan:
        if percent == 100:
            ensure_alias(new, name=name, alias=alias)
            shift.steps.append({"step": "AllowTraffic", "percent on new": 100, "requests": 0, "errors on new": 0,
                                "alarm": alarm_state(alarm), "action": f"{alias} -> {new}"})
            shift.outcome = "succeeded"
            return shift
        ensure_alias(old, {new: percent / 100}, name=name, alias=alias)
        state = alias_state(name, alias)
        started = time.monotonic()
        routed = [invoke_routed(e, rng, name, alias, state, lam) for e in traffic(requests_per_step, rng)]
        publish_version_metrics(routed, name, alias)
        time.sleep(max(0.0, minutes * minute_s - (time.monotonic() - started)))
        now = alarm_state(alarm)
        errors = sum(1 for r in routed if r.version == new and not r.ok)
        row = {"step": f"{percent} %", "percent on new": percent, "requests": len(routed),
               "errors on new": errors, "alarm": now, "action": "next step"}
        shift.steps.append(row)
        if now == "ALARM":
            ensure_alias(old, name=name, alias=alias)
            row["action"] = f"rolled back: {alias} -> {old}, no weights"
            shift.outcome = f"rolled back by {alarm}"
            return shift
    shift.outcome = "succeeded"
    return shift

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
    for sid, action, extra in (("lab-11-url", "lambda:InvokeFunctionUrl", {"FunctionUrlAuthType": "NONE"}),
                               ("lab-11-url-invoke", "lambda:InvokeFunction", {"InvokedViaFunctionUrl": True})):
        try:
            lam.add_permission(FunctionName=name, Qualifier=alias, StatementId=sid, Action=action,
                               Principal="*", **extra)
        except ClientError as err:
            if aws_code(err) != "ResourceConflictException":
                raise
    return {"rest api": rest, "function url": local_function_url(config["FunctionUrl"])}

def versions_behind(urls: dict[str, str], requests: int = 5) -> dict[str, list[str]]:
    """Which version answered each of a few POSTs to each URL."""
    from ..http import http_call

    return {kind: [http_call(url, "POST", {"amount_cents": 1000}).json()["version"] for _ in range(requests)]
            for kind, url in urls.items()}

# --- provisioned concurrency on an alias --------------------------------------------------------------------------
def provisioned_on_alias(environments: int = 1, name: str = NAME, alias: str = ALIAS) -> dict:
    """Provisioned concurrency on the alias: its status, the first invoke's INIT, then removed (it is billed)."""
    lam = client("lambda")
    lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier=alias,
                                           ProvisionedConcurrentExecutions=environments)
    config = lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier=alias)
    primary = alias_state(name, alias)["primary"]

    first = invoke(name, {"amount_cents": 100}, Qualifier=alias)
    block = first.logs()
    try:
        lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier="$LATEST",
                                               ProvisionedConcurrentExecutions=environments)
        latest = "accepted (AWS refuses it)"
        lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="$LATEST")
    except ClientError as err:
        latest = f"refused: {aws_code(err)}"
    lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier=alias)
    return {"qualifier": alias, "version behind it": primary, "status": config["Status"],
            "allocated": config["AllocatedProvisionedConcurrentExecutions"],
            "Init Duration on the first REPORT line": (block.report.get("Init Duration") if block else None),
            "provisioned concurrency on $LATEST": latest}


# --- the same release as SAM declares it --------------------------------------------------------------------------
SAM_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: "lambda-lab 11: the price quote, released by CodeDeploy as a canary, rolled back by an alarm"

Parameters:
  CodeBucket:
    Type: String
  CodeKey:
    Type: String

Resources:
  QuoteFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: price_quote.lambda_handler
      Runtime: python3.13
      CodeUri:
        Bucket: !Ref CodeBucket
        Key: !Ref CodeKey
      Environment:
        Variables:
          RELEASE: green
          TAX_RATE: "0.2"
      AutoPublishAlias: live          # publish a version when code or configuration changes; move `live`
      DeploymentPreference:
        Type: Canary10Percent5Minutes # 10 % for 5 minutes, then 100 %
        Alarms:
          - !Ref CanaryErrorsAlarm    # in ALARM during the deployment: CodeDeploy rolls back
        Hooks:
          PreTraffic: !Ref PreTrafficHook

  CanaryErrorsAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: The new version fails behind the live alias
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions:
        - Name: FunctionName
          Value: !Ref QuoteFunction
        - Name: Resource
          Value: !Sub "${QuoteFunction}:live"
        - Name: ExecutedVersion
          Value: !GetAtt QuoteFunction.Version.Version
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 2
      ComparisonOperator: GreaterThanOrEqualToThreshold
      TreatMissingData: notBreaching

  PreTrafficHook:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: CodeDeployHook_quote_pre_traffic  # SAM's CodeDeploy role may invoke CodeDeployHook_* only
      Handler: pre_traffic.lambda_handler
      Runtime: python3.13
      CodeUri:
        Bucket: !Ref CodeBucket
        Key: !Ref CodeKey
      DeploymentPreference:
        Enabled: false
      Environment:
        Variables:
          NEW_VERSION: !Ref QuoteFunction.Version
      Policies:
        - Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action: codedeploy:PutLifecycleEventHookExecutionStatus
              Resource: !Sub "arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:deploymentgroup:\\
                ${ServerlessDeploymentApplication}/*"
            - Effect: Allow
              Action: lambda:InvokeFunction
              Resource: !Ref QuoteFunction.Version
"""


def sam_deployment_resources() -> list[tuple[str, str]]:
    """What SAM's transform makes of :data:`SAM_TEMPLATE`: (logical id, type) of every resource."""
    from ..iac import sam_translate

    resources = sam_translate(SAM_TEMPLATE)["Resources"]
    return sorted((logical, r["Type"]) for logical, r in resources.items())
