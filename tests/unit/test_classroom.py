"""The classroom's files that cannot run here are checked as far as this machine allows.

No Docker engine and no Kubernetes: the LocalStack compose file is validated against the
compose specification (vendored in check-jsonschema), the Zero to JupyterHub values against
the chart keys they use (classroom/k8s/values.schema.json), and the single-user image's
Dockerfile is parsed with Docker's own parser and read for what the room relies on.
"""

import json
from importlib import resources
from pathlib import Path

import dockerfile
import jsonschema
import pytest
import yaml

import reference_app
from reference_app.lab.config import DEFAULT_RUNTIME

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "classroom" / "k8s"


def errors(schema: dict, document) -> list[str]:
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def compose_spec() -> dict:
    """The compose specification check-jsonschema vendors (``--builtin-schema vendor.compose-spec``)."""
    vendored = resources.files("check_jsonschema") / "builtin_schemas" / "vendor" / "compose-spec.json"
    return json.loads(vendored.read_text(encoding="utf-8"))


def test_the_localstack_compose_file_is_valid_compose():
    compose = yaml.safe_load((ROOT / "localstack" / "docker-compose.yml").read_text())
    assert errors(compose_spec(), compose) == []
    compose["services"]["localstack"]["ports"] = 4566  # ports must be a list
    assert errors(compose_spec(), compose)


def test_the_zero_to_jupyterhub_values_use_keys_the_chart_knows():
    schema = json.loads((K8S / "values.schema.json").read_text())
    values = yaml.safe_load((K8S / "values.yaml").read_text())
    assert errors(schema, values) == []
    values["singleuser"]["memory"]["limt"] = "1G"  # a typo the chart would silently ignore
    assert errors(schema, values) == [
        "singleuser/memory: Additional properties are not allowed ('limt' was unexpected)"
    ]


def test_the_values_run_the_kits_image_with_the_measured_sizes():
    values = yaml.safe_load((K8S / "values.yaml").read_text())
    user = values["singleuser"]
    assert user["image"]["tag"] == reference_app.__version__
    assert user["extraEnv"]["LAMBDA_LAB_COURSE_DIR"] == "/home/jovyan/workshop"
    assert "lambda-lab init /home/jovyan/workshop" in user["lifecycleHooks"]["postStart"]["exec"]["command"][-1]
    assert user["memory"] == {"guarantee": "512M", "limit": "1G"}  # the load test: ~390 MB, peaks near 460 MB
    assert values["hub"]["config"]["JupyterHub"]["authenticator_class"] == "shared-password"
    assert "SharedPasswordAuthenticator" not in values["hub"]["config"]  # the password: --set, never committed


def test_each_learner_is_a_pod_the_others_cannot_reach():
    user = yaml.safe_load((K8S / "values.yaml").read_text())["singleuser"]
    policy = user["networkPolicy"]
    assert policy["enabled"] is True
    assert policy["egressAllowRules"]["privateIPs"] is False  # no other learner's pod or emulator
    assert policy["egressAllowRules"]["cloudMetadataServer"] is False
    assert "ingress" not in policy  # the chart's default: the hub and the proxy only
    assert user["uid"] != 0 and user["allowPrivilegeEscalation"] is False


def test_the_single_user_image_runs_the_kit_and_its_extension():
    commands = dockerfile.parse_file(str(K8S / "Dockerfile"))
    by = {}
    for c in commands:
        by.setdefault(c.cmd, []).append(c)
    assert [c.value[0] for c in by["FROM"]] == [f"python:{DEFAULT_RUNTIME.removeprefix('python')}-slim-bookworm"]
    assert any("[room]" in c.original and "jupyterhub" in c.original for c in by["RUN"])
    assert by["USER"][-1].value == ("1000",) and by["CMD"][-1].value == ("jupyterhub-singleuser",)
    copied = [c.value for c in by["COPY"] if c.value[0].endswith("jupyter_server_config.json")]
    assert copied and copied[0][1].startswith("/usr/local/etc/jupyter/jupyter_server_config.d/")
    config = json.loads((K8S / "jupyter_server_config.json").read_text())
    assert config == {"ServerApp": {"jpserver_extensions": {"reference_app.lab.room.hub": True}}}


@pytest.mark.parametrize("name", ["Dockerfile", "Dockerfile.dockerignore", "values.yaml"])
def test_the_k8s_files_exist(name):
    assert (K8S / name).is_file()
