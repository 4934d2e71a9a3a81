"""Offline install for a room: a wheelhouse the instructor builds once, thirty laptops install from it.

The guide's two commands (classroom/GUIDE.md, "Offline"): ``pip wheel --wheel-dir wheelhouse .``
in the kit's folder (online, once), then ``pip install --no-index --find-links wheelhouse
lambda-lab`` on each laptop. ``pip wheel``, not ``pip download``: one dependency
(``localstack-client``, via terraform-local) is published as a source archive only, and a laptop
with no index cannot fetch the build tools to build it, so the wheelhouse holds wheels only.

The install side runs with no index and with the machine's own pip configuration switched off
(its extra indexes and find-links), so only the local folder can satisfy it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def pip(*args, cwd, isolated=False):
    env = dict(os.environ)
    if isolated:  # nothing but the command line: no pip.conf, no index, no find-links from the machine
        env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1")
        for key in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_INDEX_URL"):
            env.pop(key, None)
    result = subprocess.run([sys.executable, "-m", "pip", *args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, f"pip {' '.join(args)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory):
    """The instructor's step, online, once: every wheel the kit needs, built where needed."""
    folder = tmp_path_factory.mktemp("wheelhouse")
    pip("wheel", "--quiet", "--no-build-isolation", "--wheel-dir", str(folder), str(ROOT), cwd=folder)
    return folder


def test_the_wheelhouse_holds_wheels_only(wheelhouse):
    files = sorted(p.name for p in wheelhouse.iterdir())
    assert any(name.startswith("lambda_lab-") for name in files)
    assert any(name.startswith("localstack_client-") for name in files)  # built here from its sdist
    assert all(name.endswith(".whl") for name in files), [n for n in files if not n.endswith(".whl")]


def test_a_laptop_installs_the_kit_from_the_folder_alone(wheelhouse, tmp_path):
    report = tmp_path / "report.json"
    pip("install", "--dry-run", "--ignore-installed", "--no-index", "--find-links", str(wheelhouse),
        "--report", str(report), "lambda-lab", cwd=tmp_path, isolated=True)
    installed = {item["metadata"]["name"].lower() for item in json.loads(report.read_text())["install"]}
    assert {"lambda-lab", "ministack", "boto3", "jupyterlab", "pandas"} <= installed
    assert all(item["download_info"]["url"].startswith("file://" + str(wheelhouse))
               for item in json.loads(report.read_text())["install"])
