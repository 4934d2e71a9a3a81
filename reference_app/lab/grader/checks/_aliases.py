"""What the alias exercises of 11_deploying_safely share: published versions under moto, the weight of a
run, and the alias read back."""

from __future__ import annotations

import io
import json
import zipfile

import boto3

from ..framework import CheckFailed

ALIAS = "live"


def run_weight(rng) -> float:
    """A canary weight drawn from the check's inputs (``ctx.rng``): a fraction between 0.11 and 0.39 that is
    not a multiple of 0.05, so a solution that hard-codes 0.1, 0.2 or 0.25 fails every run, and a canary that
    gets no traffic at all is more than five standard deviations off in 300 quotes."""
    return rng.choice([n for n in range(11, 40) if n % 5]) / 100


def older_releases(rng, label: str = "blue") -> list[str]:
    """One to three release labels to publish before the stable one, so the stable version is not "1"."""
    return [f"{label}-0.{n}" for n in range(rng.randint(1, 3))]


def moto_versions(name: str, releases: list[str]) -> list[str]:
    """A function under moto with one published version per release label; the version numbers."""
    iam = boto3.client("iam", region_name="us-east-1")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("app.py", "def lambda_handler(event, context):\n    return {}\n")
    lam = boto3.client("lambda", region_name="us-east-1")
    lam.create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role,
        Handler="app.lambda_handler",
        Code={"ZipFile": buffer.getvalue()},
        Environment={"Variables": {"RELEASE": releases[0]}},
    )
    numbers = []
    for label in releases:
        lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"RELEASE": label}})
        numbers.append(lam.publish_version(FunctionName=name, Description=label)["Version"])
    return numbers


def read_alias(lam, name: str) -> tuple[str, dict[str, float]]:
    conf = lam.get_alias(FunctionName=name, Name=ALIAS)
    weights = (conf.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return conf["FunctionVersion"], {k: float(v) for k, v in weights.items()}


def describe(primary: str, weights: dict[str, float]) -> str:
    extra = ", ".join(f"{w:g} to version {v}" for v, w in sorted(weights.items()))
    return f"primary version {primary}" + (f", {extra}" if extra else ", no weights")


def expect_alias(lam, name: str, primary: str, weights: dict[str, float], what: str) -> None:
    got_primary, got_weights = read_alias(lam, name)
    # A weight of 0.0 routes nothing, as Lambda documents for AdditionalVersionWeights: the same as no weight.
    got_weights = {k: w for k, w in got_weights.items() if w > 0}
    weights = {k: w for k, w in weights.items() if w > 0}
    same = (
        got_primary == primary
        and got_weights.keys() == weights.keys()
        and all(abs(got_weights[k] - weights[k]) < 1e-9 for k in weights)
    )
    if not same:
        raise CheckFailed(
            f"{what}: the alias should have {describe(primary, weights)}; it has {describe(got_primary, got_weights)}."
        )
