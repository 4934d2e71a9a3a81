"""The classroom's files that cannot run here are checked as far as this machine allows.

No Docker engine and no Kubernetes: the LocalStack compose file is validated against the
compose specification (vendored in check-jsonschema), the Zero to JupyterHub values against
the chart keys they use (classroom/k8s/values.schema.json), and the single-user image's
Dockerfile is parsed with Docker's own parser and read for what the room relies on.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import dockerfile
import pytest
import yaml

import reference_app
from reference_app.lab.config import DEFAULT_RUNTIME

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "classroom" / "k8s"


def check_jsonschema(*args):
    tool = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or "check-jsonschema"
    return subprocess.run([tool, *args], capture_output=True, text=True, timeout=120)


def test_the_localstack_compose_file_is_valid_compose(tmp_path):
    ok = check_jsonschema("--builtin-schema", "vendor.compose-spec", str(ROOT / "localstack" / "docker-compose.yml"))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = tmp_path / "docker-compose.yml"
    broken.write_text("services:\n  localstack:\n    image: x\n    ports: 4566\n")  # ports must be a list
    assert check_jsonschema("--builtin-schema", "vendor.compose-spec", str(broken)).returncode == 1


def test_the_zero_to_jupyterhub_values_use_keys_the_chart_knows(tmp_path):
    schema = str(K8S / "values.schema.json")
    ok = check_jsonschema("--schemafile", schema, str(K8S / "values.yaml"))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    values = yaml.safe_load((K8S / "values.yaml").read_text())
    values["singleuser"]["memory"]["limt"] = "1G"  # a typo the chart would silently ignore
    typo = tmp_path / "values.yaml"
    typo.write_text(yaml.safe_dump(values))
    assert check_jsonschema("--schemafile", schema, str(typo)).returncode == 1


def test_the_values_run_the_kits_image_with_the_measured_sizes():
    values = yaml.safe_load((K8S / "values.yaml").read_text())
    user = values["singleuser"]
    assert user["image"]["tag"] == reference_app.__version__
    assert user["extraEnv"]["LAMBDA_LAB_COURSE_DIR"] == "/home/jovyan/workshop"
    assert "lambda-lab init /home/jovyan/workshop" in user["lifecycleHooks"]["postStart"]["exec"]["command"][-1]
    assert user["memory"] == {"guarantee": "512M", "limit": "1G"}  # the load test: ~390 MB, peaks near 460 MB
    assert values["hub"]["config"]["JupyterHub"]["authenticator_class"] == "shared-password"
    assert "SharedPasswordAuthenticator" not in values["hub"]["config"]  # the password: --set, never committed


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
