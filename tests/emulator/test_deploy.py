"""Idempotent deploys against the embedded emulator."""

import textwrap

import pytest
from botocore.exceptions import ClientError

from reference_app.lab import clients, deploy, logs
from reference_app.lab.errors import LabError


def test_deploy_is_idempotent_and_updates_only_what_changed(backend):
    name = "it-deploy-hello"
    deploy.delete_function(name, backend)
    first = deploy.deploy_function(
        name, "reference_app.handlers.hello", environment={"GREETING": "Hi"}, backend=backend
    )
    again = deploy.deploy_function(
        name, "reference_app.handlers.hello", environment={"GREETING": "Hi"}, backend=backend
    )
    changed = deploy.deploy_function(
        name, "reference_app.handlers.hello", environment={"GREETING": "Hey"}, backend=backend
    )
    assert (first.action, again.action, changed.action) == ("created", "unchanged", "updated")
    assert changed.configuration["State"] == "Active"
    variables = changed.configuration["Environment"]["Variables"]
    assert variables["AWS_ENDPOINT_URL"] == backend.endpoint
    result = deploy.invoke(name, {"name": "Ada"}, backend)
    assert result.ok and result.payload["message"] == "Hey, Ada!"


def test_new_code_is_deployed(backend, tmp_path):
    name = "it-deploy-code"
    path = tmp_path / "versioned.py"
    for version in (1, 2):
        path.write_text(f"def lambda_handler(event, context):\n    return {version}\n")
        dep = deploy.deploy_function(name, path, backend=backend)
        assert deploy.invoke(name, {}, backend).payload == version
    assert dep.action == "updated"


def test_zip_missing_a_dependency_is_refused_before_any_api_call(backend, tmp_path):
    path = tmp_path / "undeclared.py"
    path.write_text(
        textwrap.dedent("""
        import pydantic
        REQUIREMENTS = ()
        def lambda_handler(event, context):
            return {}
        """)
    )
    with pytest.raises(LabError, match="'pydantic'"):
        deploy.deploy_function("it-undeclared", path, backend=backend)
    with pytest.raises(ClientError):
        clients.client("lambda", backend).get_function(FunctionName="it-undeclared")


def test_invocation_logs_come_from_cloudwatch(backend):
    name = "it-deploy-logs"
    deploy.deploy_function(name, "reference_app.handlers.hello", backend=backend)
    deploy.force_cold_start(name, backend)
    cold = deploy.invoke(name, {}, backend)
    warm = deploy.invoke(name, {}, backend)
    assert cold.payload["cold_start"] and not warm.payload["cold_start"]
    block = cold.logs(backend)
    assert block.complete and any('"cold_start": true' in line for line in block.output)
    assert warm.logs(backend).request_id != block.request_id
    assert len(logs.invocations(name, cold.started_ms - 100, backend)) == 2


def test_forcing_a_cold_start_does_not_count_as_drift(backend):
    name = "it-deploy-stamp"
    deploy.deploy_function(name, "reference_app.handlers.hello", backend=backend)
    deploy.force_cold_start(name, backend)
    assert deploy.deploy_function(name, "reference_app.handlers.hello", backend=backend).action == "unchanged"
    assert deploy.invoke(name, {}, backend).payload["cold_start"]


def test_a_handler_with_another_function_name_deploys_and_runs(backend, tmp_path):
    # GIVEN a module whose entry point is `main`, not `lambda_handler` (issue 8.8)
    path = tmp_path / "named_entry.py"
    path.write_text("def main(event, context):\n    return {'via': 'main'}\n")
    name = "it-deploy-named"
    deploy.delete_function(name, backend)
    # WHEN it is deployed without naming the function
    with pytest.raises(LabError, match="has no function 'lambda_handler'"):
        deploy.deploy_function(name, path, backend=backend)
    # THEN nothing was created (before: "created", then a failure on every invoke)
    with pytest.raises(ClientError):
        clients.client("lambda", backend).get_function(FunctionName=name)
    # AND naming it, either way, deploys a function that runs
    first = deploy.deploy_function(name, path, function="main", backend=backend)
    again = deploy.deploy_function(name, path, handler="named_entry.main", backend=backend)
    assert (first.action, again.action) == ("created", "unchanged")
    assert first.configuration["Handler"] == "named_entry.main"
    assert deploy.invoke(name, {}, backend).payload == {"via": "main"}


def test_a_handler_naming_another_module_is_refused(backend, tmp_path):
    path = tmp_path / "named_entry2.py"
    path.write_text("def main(event, context):\n    return 1\n")
    with pytest.raises(LabError, match=r"handler='other\.main' names module 'other', but the zip's module is "):
        deploy.deploy_function("it-deploy-wrong-module", path, handler="other.main", backend=backend)


def test_a_function_that_imports_from_its_layer_deploys_and_one_without_the_layer_is_refused(backend, tmp_path):
    import io
    import zipfile

    # GIVEN a published layer with python/greetings_layer.py, and a handler that imports it at module scope
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("python/greetings_layer.py", "def greet(name):\n    return f'Hello, {name}, from a layer'\n")
    layer = clients.client("lambda", backend).publish_layer_version(
        LayerName="it-greetings", Content={"ZipFile": buffer.getvalue()}, CompatibleRuntimes=["python3.13"]
    )["LayerVersionArn"]
    module = tmp_path / "greets.py"
    module.write_text(
        "import greetings_layer\n\ndef lambda_handler(event, context):\n"
        "    return greetings_layer.greet(event['name'])\n"
    )
    # WHEN it is deployed without the layer THEN the import check refuses it, naming the module
    with pytest.raises(LabError, match="'greetings_layer', which is not in its zip"):
        deploy.deploy_function("it-layer-user", module, backend=backend)
    # WHEN it is deployed with the layer THEN the check passes and the function imports it from the layer
    dep = deploy.deploy_function("it-layer-user", module, backend=backend, Layers=[layer])
    assert deploy.invoke(dep.name, {"name": "Ada"}, backend).payload == "Hello, Ada, from a layer"
    with pytest.raises(LabError, match="no layer version"):
        deploy.deploy_function("it-layer-user", module, backend=backend, Layers=[layer.rsplit(":", 1)[0] + ":999"])
