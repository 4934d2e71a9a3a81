"""What packaging, deploy code and notebooks rely on, checked for every handler module."""

from __future__ import annotations

import ast
import importlib
import sys
from importlib import resources as importlib_resources

import pytest

from reference_app.lab import course, resources

HANDLERS = sorted(resources.HANDLER_ENVIRONMENT)
NOTEBOOKS = tuple(module.id for module in course.load().modules)  # the course map's ids


@pytest.fixture(autouse=True)
def no_profile(monkeypatch):
    """Handler modules are imported as Lambda imports them: with no AWS profile configured
    (aws-xray-sdk, which checkout_api's Tracer uses, builds a botocore client at import)."""
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def source(name: str) -> str:
    return importlib_resources.files("reference_app.handlers").joinpath(f"{name}.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", HANDLERS)
def test_requirements_is_a_top_level_tuple_literal(name):
    tree = ast.parse(source(name))
    assignments = [
        node
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "REQUIREMENTS" for t in node.targets)
    ]
    assert len(assignments) == 1
    requirements = ast.literal_eval(assignments[0].value)
    assert isinstance(requirements, tuple) and all(isinstance(r, str) for r in requirements)
    assert "boto3" not in requirements and "botocore" not in requirements  # provided by the runtime


@pytest.mark.parametrize("name", HANDLERS)
def test_third_party_imports_are_declared(name):
    tree = ast.parse(source(name))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        # another handler is deployable code too (packaging bundles it); the lab tooling is not
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and not node.module.startswith("reference_app.handlers.")
        ):
            imported.add(node.module.split(".")[0])
    declared = set(importlib.import_module(f"reference_app.handlers.{name}").REQUIREMENTS)
    distribution = {
        "aws_lambda_powertools": "aws-lambda-powertools",
        "PIL": "pillow",
        "pydantic": "pydantic",
        "aws_durable_execution_sdk_python": "aws-durable-execution-sdk-python",
        "snapshot_restore_py": "snapshot-restore-py",
    }
    for module, dist in distribution.items():
        if module in imported:
            assert dist in declared, f"{name} imports {module} but does not declare {dist}"
    assert "reference_app" not in imported, "handlers never import the lab tooling"
    assert not imported - set(distribution) - {"boto3", "botocore"} - set(sys.stdlib_module_names)


@pytest.mark.parametrize("name", HANDLERS)
def test_module_documents_itself_and_exposes_lambda_handler(name):
    module = importlib.import_module(f"reference_app.handlers.{name}")
    assert callable(module.lambda_handler)
    doc = module.__doc__ or ""
    for section in ("Trigger", "Environment", "Notebooks"):
        assert section in doc, f"{name} docstring lacks {section}"
    assert any(notebook in doc for notebook in NOTEBOOKS)
    for variable in resources.HANDLER_ENVIRONMENT[name]:
        assert variable in doc and variable in source(name).split('"""', 2)[2]


@pytest.mark.parametrize("name", HANDLERS)
def test_no_hard_coded_endpoint_or_wildcard_cors(name):
    code = source(name).split('"""', 2)[2]  # after the module docstring
    assert "endpoint_url=" not in code
    assert 'Access-Control-Allow-Origin": "*"' not in code and 'allow_origin="*"' not in code
