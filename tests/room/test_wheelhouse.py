"""Offline install for a room: a wheelhouse the instructor builds once, thirty laptops install from it.

The guide's commands (classroom/GUIDE.md, "Offline"): ``pip wheel --wheel-dir wheelhouse .`` in
the kit's folder (online, once), then ``pip install --no-index --find-links wheelhouse
lambda-lab`` on each laptop. ``pip wheel``, not ``pip download``: one dependency
(``localstack-client``, via terraform-local) is published as a source archive only, and a laptop
with no index cannot fetch the build tools to build it, so the wheelhouse holds wheels only.

To stay quick in CI, the test's wheelhouse is built with the same ``pip wheel``, but for the
exact versions this environment resolved for the kit (its installed dependency closure, pinned,
``--no-deps``): the same wheels ``pip wheel .`` would fetch, without a second resolution.
The install side is the guide's command as it is, with no index and with the machine's own pip
configuration switched off (its extra indexes and find-links), so only the folder can satisfy it.
"""

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def pip(*args, cwd, isolated=False):
    env = dict(os.environ)
    if isolated:  # nothing but the command line: no pip.conf, no index, no find-links from the machine
        env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1")
        for key in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_INDEX_URL"):
            env.pop(key, None)
    result = subprocess.run(
        [sys.executable, "-m", "pip", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, f"pip {' '.join(args)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def closure(name: str = "lambda-lab") -> dict[str, str]:
    """Every distribution the kit needs (its extras' followed), pinned to the version installed here."""
    seen: dict[str, set[str]] = {}

    def walk(dist_name: str, extras: tuple[str, ...] = ()) -> None:
        try:
            dist = metadata.distribution(dist_name)
        except metadata.PackageNotFoundError:
            return
        key = dist.metadata["Name"].lower().replace("_", "-")
        if key in seen and set(extras) <= seen[key]:
            return
        seen.setdefault(key, set()).update(extras)
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker and not any(req.marker.evaluate({"extra": e}) for e in (extras or ("",))):
                continue
            walk(req.name, tuple(req.extras))

    walk(name)
    return {key: metadata.version(key) for key in seen if key != name}


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wheelhouse")
    pins = folder.parent / "pins.txt"
    pins.write_text("".join(f"{name}=={version}\n" for name, version in sorted(closure().items())))
    pip(
        "wheel",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "--wheel-dir",
        str(folder),
        "-r",
        str(pins),
        str(ROOT),
        cwd=folder,
    )
    return folder


def test_the_wheelhouse_holds_wheels_only(wheelhouse):
    files = sorted(p.name for p in wheelhouse.iterdir())
    assert any(name.startswith("lambda_lab-") for name in files)
    assert any(name.startswith("localstack_client-") for name in files)  # built here from its sdist
    assert all(name.endswith(".whl") for name in files), [n for n in files if not n.endswith(".whl")]


def test_a_laptop_installs_the_kit_from_the_folder_alone(wheelhouse, tmp_path):
    report = tmp_path / "report.json"
    pip(
        "install",
        "--dry-run",
        "--ignore-installed",
        "--no-index",
        "--find-links",
        str(wheelhouse),
        "--report",
        str(report),
        "lambda-lab",
        cwd=tmp_path,
        isolated=True,
    )
    install = json.loads(report.read_text())["install"]
    names = {item["metadata"]["name"].lower() for item in install}
    assert {"lambda-lab", "ministack", "boto3", "jupyterlab", "pandas"} <= names
    assert all(item["download_info"]["url"].startswith(wheelhouse.as_uri()) for item in install)
