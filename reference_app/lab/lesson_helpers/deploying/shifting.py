"""CodeDeploy's traffic shifting for a Lambda alias, driven by the kit with seconds for minutes: the
pre-traffic hook, each step of the configuration's schedule, a CloudWatch alarm read after each step,
the rollback, the post-traffic hook
(https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html); and the same
release as SAM declares it with ``DeploymentPreference``."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ...clients import client
from ...deploy import invoke
from ...errors import LabError
from ...iac import sam_translate
from .releases import ALIAS, NAME, alias_state, ensure_alias, version_alarm_name
from .routing import invoke_routed, invoker, publish_version_metrics, traffic

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
    raise LabError(
        f"{config!r} is not a CodeDeploy Lambda configuration: use Canary<P>Percent<M>Minutes, "
        "Linear<P>PercentEvery<M>Minute(s) or AllAtOnce."
    )


def version_alarm(version: str, name: str = NAME, alias: str = ALIAS, threshold: int = 2) -> str:
    """An alarm on the new version's Errors behind the alias (Sum over a minute >= ``threshold``)."""
    alarm = version_alarm_name(version, name, alias)
    client("cloudwatch").put_metric_alarm(
        AlarmName=alarm,
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=float(threshold),
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        TreatMissingData="notBreaching",
        Dimensions=[
            {"Name": "FunctionName", "Value": name},
            {"Name": "Resource", "Value": f"{name}:{alias}"},
            {"Name": "ExecutedVersion", "Value": version},
        ],
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
        lines += [
            f"  {s['step']}: {s['percent on new']:>3} % on {self.new}, {s['requests']} requests, "
            f"{s['errors on new']} errors on {self.new}, alarm {s['alarm']}: {s['action']}"
            for s in self.steps
        ]
        return "\n".join(lines)

    __str__ = __repr__


def shift_traffic(
    new: str,
    config: str,
    alarm: str,
    *,
    seed: int,
    minute_s: float = 0.3,
    requests_per_step: int = 30,
    before_traffic: Callable[[str], str] | None = smoke_test,
    after_traffic: Callable[[str], str] | None = smoke_test,
    name: str = NAME,
    alias: str = ALIAS,
) -> Shift:
    """Move ``alias`` from its current version to ``new`` as CodeDeploy would with ``config``.

    The pre-traffic hook (``BeforeAllowTraffic``) runs first: a failure ends the deployment with no
    traffic shifted. Then each step sets the weight, sends ``requests_per_step`` quotes through the
    alias, waits the step's minutes (``minute_s`` seconds each, here) and reads ``alarm``: ALARM rolls
    the alias back to the old version with no weights, and the deployment stops. The last step points
    the alias at ``new``; the post-traffic hook (``AfterAllowTraffic``) then runs, and a failure there
    rolls back too. A hook returns '' when it passes, else why it failed."""
    plan = schedule(config)
    old = alias_state(name, alias)["primary"]
    shift, rng, lam = Shift(config, old, new), random.Random(seed), invoker()
    if old == new:
        shift.outcome = f"nothing to do: {alias} already points at {new}"
        return shift
    if before_traffic is not None:
        problem = before_traffic(new)
        shift.steps.append(
            {
                "step": "BeforeAllowTraffic hook",
                "percent on new": 0,
                "requests": 0,
                "errors on new": 0,
                "alarm": "-",
                "action": problem or "passed",
            }
        )
        if problem:
            shift.outcome = "failed before any traffic: the hook refused the version"
            return shift
    for percent, minutes in plan:
        if percent == 100:
            ensure_alias(new, name=name, alias=alias)
            shift.steps.append(
                {
                    "step": "AllowTraffic",
                    "percent on new": 100,
                    "requests": 0,
                    "errors on new": 0,
                    "alarm": alarm_state(alarm),
                    "action": f"{alias} -> {new}",
                }
            )
            return _after(shift, after_traffic, name, alias)
        ensure_alias(old, {new: percent / 100}, name=name, alias=alias)
        state = alias_state(name, alias)
        started = time.monotonic()
        routed = [invoke_routed(e, rng, name, alias, state, lam) for e in traffic(requests_per_step, rng)]
        publish_version_metrics(routed, name, alias)
        time.sleep(max(0.0, minutes * minute_s - (time.monotonic() - started)))
        now = alarm_state(alarm)
        errors = sum(1 for r in routed if r.version == new and not r.ok)
        row = {
            "step": f"{percent} %",
            "percent on new": percent,
            "requests": len(routed),
            "errors on new": errors,
            "alarm": now,
            "action": "next step",
        }
        shift.steps.append(row)
        if now == "ALARM":
            ensure_alias(old, name=name, alias=alias)
            row["action"] = f"rolled back: {alias} -> {old}, no weights"
            shift.outcome = f"rolled back by {alarm}"
            return shift
    return _after(shift, after_traffic, name, alias)


def _after(shift: Shift, hook: Callable[[str], str] | None, name: str, alias: str) -> Shift:
    """The post-traffic hook, once the alias points at the new version; a failure rolls back."""
    problem = hook(shift.new) if hook is not None else ""
    if hook is not None:
        shift.steps.append(
            {
                "step": "AfterAllowTraffic hook",
                "percent on new": 100,
                "requests": 0,
                "errors on new": 0,
                "alarm": "-",
                "action": problem or "passed",
            }
        )
    if problem:
        ensure_alias(shift.old, name=name, alias=alias)
        shift.steps[-1]["action"] = f"{problem}; rolled back: {alias} -> {shift.old}"
        shift.outcome = "rolled back by the post-traffic hook"
        return shift
    shift.outcome = "succeeded"
    return shift


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
    resources = sam_translate(SAM_TEMPLATE)["Resources"]
    return sorted((logical, r["Type"]) for logical, r in resources.items())
