"""What a fork, a Codespace and a release get: the workflow, the hooks, the dev container, the version."""

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

import reference_app
from tools import repo_checks

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = shutil.which(name) or str(BIN / name)
    if not Path(found).exists():
        pytest.fail(f"{name} is not installed: pip install -e '.[dev]'")
    return found


def test_the_workflow_is_valid_against_githubs_schema():
    workflow = str(ROOT / ".github/workflows/ci.yml")
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", workflow],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_workflow_runs_the_readme_test_command_on_three_pythons_and_weekly():
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert "schedule" in triggers and "pull_request" in triggers
    test = workflow["jobs"]["test"]
    assert test["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    newest = workflow["jobs"]["newest-emulator"]
    assert newest["env"]["LAMBDA_LAB_EMULATOR"] == "newest" and "schedule" in newest["if"]
    for job in (test, newest):
        runs = [step.get("run") for step in job["steps"]]
        assert "bash .ci/setup" in runs and "pytest" in runs
        uploads = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
        assert uploads and uploads[0]["if"] == "failure()" and uploads[0]["with"]["path"] == "executed-notebooks/"
    assert "pytest" in (ROOT / "README.md").read_text()


def test_ci_checks_the_format_before_the_tests():
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    runs = [step.get("run") for step in workflow["jobs"]["test"]["steps"]]
    assert "ruff format --check ." in runs and runs.index("ruff format --check .") < runs.index("pytest")
    commands = [line.split("#")[0].strip() for line in (ROOT / ".ci/run").read_text().splitlines()]
    assert "ruff format --check ." in commands and commands.index("ruff format --check .") < commands.index("pytest")


def test_ci_type_checks_the_lab_before_its_tests_and_the_wheel_says_it_is_typed():
    steps = [line.strip() for line in (ROOT / ".ci/run").read_text().splitlines()]
    assert "mypy" in steps and steps.index("mypy") < steps.index("pytest")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["tool"]["mypy"]["files"] == ["reference_app/lab"]
    assert "py.typed" in pyproject["tool"]["setuptools"]["package-data"]["reference_app"]
    assert (ROOT / "reference_app/py.typed").is_file()


def test_ci_and_the_dev_container_share_one_setup_script():
    assert "bash .ci/setup" in (ROOT / ".ci/run").read_text()
    container = json.loads((ROOT / ".devcontainer/devcontainer.json").read_text())
    assert container["postCreateCommand"] == "bash .ci/setup"
    assert container["postStartCommand"] == "bash .devcontainer/start.sh"
    assert 8888 in container["forwardPorts"]
    for script in (ROOT / ".ci/setup", ROOT / ".ci/run", ROOT / ".devcontainer/start.sh"):
        assert subprocess.run(["bash", "-n", str(script)]).returncode == 0, script


def test_precommit_config_is_valid_and_offline():
    config = ROOT / ".pre-commit-config.yaml"
    result = subprocess.run([tool("pre-commit"), "validate-config", str(config)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    repos = yaml.safe_load(config.read_text())["repos"]
    assert [r["repo"] for r in repos] == ["local"]
    ids = {hook["id"] for hook in repos[0]["hooks"]}
    assert ids == {
        "ruff",
        "ruff-format",
        "mypy",
        "import-direction",
        "generated-files",
        "notebook-outputs",
        "deprecated-runtimes",
    }


def _tracked(*suffixes: str) -> list[Path]:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return [ROOT / f for f in files if f.endswith(suffixes) and (ROOT / f).is_file()]


def test_the_hooks_own_checks_pass_on_the_repository():
    assert repo_checks.notebooks_with_outputs(_tracked(".ipynb")) == []
    assert repo_checks.deprecated_runtime_declarations(_tracked(".py", ".yaml", ".yml", ".json", ".tf", ".ipynb")) == []


@pytest.mark.parametrize(
    "text",
    [
        "Runtime: python3.9\n",  # runtime-check: allow
        '"Runtime": "nodejs18.x"',  # runtime-check: allow
        'runtime = "python3.8"',  # runtime-check: allow
        'Runtime="go1.x",',  # runtime-check: allow
    ],
)
def test_the_runtime_hook_catches_a_deprecated_declaration(tmp_path, text):
    path = tmp_path / "template.yaml"
    path.write_text(text)
    assert repo_checks.main(["runtimes", str(path)]) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Runtime: python3.13\n",
        "# python3.9 was deprecated on 15 December 2025\n",
        'runtime = "python3.12"',
        "Runtime: provided.al2023\n",
    ],
)
def test_the_runtime_hook_leaves_current_runtimes_and_prose_alone(tmp_path, text):
    path = tmp_path / "template.yaml"
    path.write_text(text)
    assert repo_checks.main(["runtimes", str(path)]) == 0


def test_a_line_that_quotes_an_old_runtime_on_purpose_says_so(tmp_path):
    path = tmp_path / "lesson.py"
    path.write_text('SEED = "Runtime: python3.9"  # runtime-check: allow\n')
    assert repo_checks.main(["runtimes", str(path)]) == 0


def test_the_outputs_hook_catches_an_executed_notebook(tmp_path):
    path = tmp_path / "n.ipynb"
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "code", "outputs": [{"output_type": "stream"}], "execution_count": 1, "source": "1"}
                ]
            }
        )
    )
    assert repo_checks.main(["outputs", str(path)]) == 1


def test_the_version_is_single_sourced_and_in_the_changelog():
    assert re.fullmatch(r"\d+\.\d+\.\d+", reference_app.__version__)
    assert 'dynamic = ["version"]' in (ROOT / "pyproject.toml").read_text()
    assert f"## {reference_app.__version__} " in (ROOT / "CHANGELOG.md").read_text()
