"""environment.yml (conda) and pyproject.toml (pip) describe the same environment."""

import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[2]


def _project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _conda():
    return yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]


def test_conda_installs_the_package_with_its_dev_extra():
    pip = next(d["pip"] for d in _conda() if isinstance(d, dict))
    assert '-e ".[dev]"' in pip or "-e .[dev]" in pip


def test_python_floor_agrees():
    conda_python = next(d for d in _conda() if isinstance(d, str) and d.startswith("python"))
    assert SpecifierSet(conda_python.removeprefix("python")) == SpecifierSet(_project()["requires-python"])


def test_conda_pins_nothing_that_pyproject_does_not_declare():
    declared = {Requirement(r).name.lower() for r in _project()["dependencies"]}
    declared |= {Requirement(r).name.lower() for r in _project()["optional-dependencies"]["dev"]}
    for dep in _conda():
        if isinstance(dep, str) and dep.split("=")[0].split(">")[0].split("<")[0] not in ("python", "pip"):
            name = Requirement(dep.replace("=", "==", 1) if "==" not in dep and "=" in dep else dep).name.lower()
            assert name in declared, f"environment.yml installs {name}, which pyproject.toml does not declare"


def test_notebook_and_test_tooling_is_declared():
    deps = {
        Requirement(r).name.lower() for r in _project()["dependencies"] + _project()["optional-dependencies"]["dev"]
    }
    assert {
        "boto3",
        "ministack",
        "jupyterlab",
        "ipywidgets",
        "pandas",
        "altair",
        "moto",
        "pytest",
        "nbval",
        "hypothesis",
    } <= deps


# What `pip install -e .` brings, as measured by benchmarks/install.py (698 MB of the 700 MB goal of issue 21,
# with moto's extras as listed). A dependency added, or an extra of one, must be measured before it lands.
MEASURED = {
    "altair",
    "aws-durable-execution-sdk-python",
    "aws-durable-execution-sdk-python-testing",
    "aws-lambda-powertools[parser,tracer,validation]",
    "aws-sam-translator",
    "boto3",
    "cfn-lint",
    "dockerfile",
    "genanki",
    "ipywidgets",
    "jupyterlab",
    "ministack",
    "moto[awslambda,dynamodb,dynamodbstreams,iam,s3,secretsmanager,sns,sqs,ssm]",
    "packaging",
    "pandas",
    "pillow",
    "platformdirs",
    "psutil",
    "python-hcl2",
    "pyyaml",
    "rapidfuzz",
    "rich",
    "snapshot-restore-py",
    "terraform-local",
    "typer",
}


def test_a_learners_install_is_what_was_measured():
    declared = set()
    for line in _project()["dependencies"]:
        req = Requirement(line)
        declared.add(req.name + (f"[{','.join(sorted(req.extras))}]" if req.extras else ""))
    assert declared == MEASURED, (
        f"the learner's install changed ({sorted(declared ^ MEASURED)}): run `python benchmarks/install.py`, "
        "keep it within 700 MB and 90 s warm, update the README's figures and then this list"
    )
