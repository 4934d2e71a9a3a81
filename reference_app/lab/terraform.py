"""Terraform from a notebook: read HCL, review it, and apply it to the emulator with tflocal.

* :func:`parse` reads a ``.tf`` file with python-hcl2; :func:`resources` lists what it
  declares; :func:`review` finds what the seed's ``lambda.tf`` gets wrong today (arguments
  the AWS provider removed in 6.0, a deprecated runtime, providers used but not declared,
  an S3 notification without the permission it needs first).
* :func:`availability` says, in one sentence, whether an apply can run here: it needs the
  ``terraform`` binary, ``tflocal`` (terraform-local, installed with the kit) and the AWS
  provider already on disk. The kit never downloads anything: ``terraform init`` runs
  with a CLI configuration whose only source is a local provider mirror, and with
  Terraform's version check (checkpoint) switched off.
* :func:`apply` / :func:`destroy` run ``tflocal`` in a working folder under the lab's home,
  with an environment built from nothing but what it needs: the emulator's endpoint,
  dummy credentials, us-east-1. Your AWS profile, keys and endpoint are never passed on.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .clients import access_key
from .config import Backend, lab_home, resolve_backend
from .errors import LabError
from .iac import template_path
from .packaging import build_checked

#: ``LAMBDA_LAB_TERRAFORM=0`` skips applies (the test suite sets it for nbval: an apply and a
#: destroy take 40 s or more; tests/emulator/test_terraform.py applies the same code instead).
SWITCH_ENV = "LAMBDA_LAB_TERRAFORM"
#: A folder laid out as a provider mirror (``terraform providers mirror DIR`` makes one).
MIRROR_ENV = "LAMBDA_LAB_TF_PLUGINS"
_IMPLICIT_MIRRORS = (
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
    "/opt/tf-plugins",  # where some workshop machine images put a shared mirror
)
PROVIDER = "registry.terraform.io/hashicorp/aws"


# --- reading HCL ------------------------------------------------------------------------------


def parse(path: str | os.PathLike) -> dict:
    """The ``.tf`` file as python-hcl2 reads it (blocks as lists of dicts)."""
    import hcl2

    with open(path, encoding="utf-8") as handle:
        return hcl2.load(handle)


def _blocks(tree: dict, kind: str) -> list[tuple[str, str, dict]]:
    """(type, name, body) of every ``resource`` or ``data`` block."""
    found = []
    for block in tree.get(kind, []):
        for rtype, named in block.items():
            if rtype.startswith("__") or not isinstance(named, dict):
                continue  # python-hcl2 8 marks blocks with "__is_block__"
            for name, body in named.items():
                if not name.startswith("__"):
                    found.append((rtype.strip('"'), name.strip('"'), body))
    return found


def resources(path: str | os.PathLike) -> list[tuple[str, str]]:
    """(type, name) of every resource the file declares, in order."""
    return [(rtype, name) for rtype, name, _ in _blocks(parse(path), "resource")]


def required_providers(tree: dict) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for block in tree.get("terraform", []):
        for req in block.get("required_providers", []):
            found.update({k: v for k, v in req.items() if not k.startswith("__")})
    return found


@dataclass(frozen=True)
class Problem:
    where: str
    problem: str
    fix: str
    source: str


_V6 = "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/version-6-upgrade"
_RUNTIMES = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"
_DEPRECATED_RUNTIMES = ("python3.9", "python3.8", "python3.7", "nodejs16.x", "nodejs18.x")


def review(path: str | os.PathLike) -> list[Problem]:
    """What is wrong with a Terraform file today, for the problems this lesson teaches."""
    tree = parse(path)
    declared = set(required_providers(tree))
    problems: list[Problem] = []
    used_prefixes: set[str] = set()
    notifications, s3_permissions = [], []
    for kind in ("resource", "data"):
        for rtype, name, body in _blocks(tree, kind):
            where = f"{'data.' if kind == 'data' else ''}{rtype}.{name}"
            used_prefixes.add(rtype.split("_", 1)[0])
            if rtype == "aws_api_gateway_deployment" and "stage_name" in body:
                problems.append(
                    Problem(
                        where,
                        "stage_name was deprecated in provider 5.x and removed in 6.0",
                        "an aws_api_gateway_stage that points at the deployment",
                        _V6,
                    )
                )
            if rtype == "aws_lambda_function" and str(body.get("runtime", "")).strip('"') in _DEPRECATED_RUNTIMES:
                problems.append(
                    Problem(where, f"runtime {body['runtime']} is deprecated", "python3.13 (or python3.14)", _RUNTIMES)
                )
            if rtype == "aws_s3_bucket_notification":
                notifications.append((where, body))
            if rtype == "aws_lambda_permission" and "s3" in str(body.get("principal", "")):
                s3_permissions.append(name)
    for where, body in notifications:
        depends = str(body.get("depends_on", ""))
        if s3_permissions and not any(f"aws_lambda_permission.{n}" in depends for n in s3_permissions):
            problems.append(
                Problem(
                    where,
                    "S3 checks that it may invoke the function when the notification is "
                    "put; nothing orders the permission first",
                    "depends_on = [aws_lambda_permission.<s3 permission>]",
                    "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/"
                    "s3_bucket_notification",
                )
            )
    text = Path(path).read_text(encoding="utf-8")
    for attribute in sorted(set(re.findall(r"aws_api_gateway_deployment\.\w+\.(invoke_url|execution_arn)", text))):
        problems.append(
            Problem(
                f"aws_api_gateway_deployment.*.{attribute}",
                f"{attribute} was removed from the deployment in provider 6.0",
                f"aws_api_gateway_stage.<name>.{attribute}",
                _V6,
            )
        )
    if "aws_lambda_event_source_mapping" in text and "stream_arn" in text and "dynamodb:GetRecords" not in text:
        problems.append(
            Problem(
                "aws_lambda_event_source_mapping.*",
                "the role cannot read the stream: AWS refuses the mapping without "
                "dynamodb:GetRecords, GetShardIterator, DescribeStream and ListStreams",
                "grant them on the stream (or attach AWSLambdaDynamoDBExecutionRole)",
                "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
                "iam-policy-example-lamda-process-dynamodb-streams.html",
            )
        )
    for prefix in sorted(used_prefixes - declared - {"terraform"}):
        problems.append(
            Problem(
                f"{prefix}_* blocks",
                f"provider {prefix} is used but not in required_providers",
                f"declare hashicorp/{prefix} with a version, or do without it",
                "https://developer.hashicorp.com/terraform/language/providers/requirements",
            )
        )
    return problems


def review_table(path: str | os.PathLike):
    import pandas as pd

    return pd.DataFrame([p.__dict__ for p in review(path)], columns=["where", "problem", "fix", "source"])


# --- can an apply run here? ---------------------------------------------------------------------


def _platform() -> str:
    machine = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower(), platform.machine().lower()
    )
    return f"{sys.platform if sys.platform != 'win32' else 'windows'}_{machine}"


def provider_mirror() -> Path | None:
    """A local folder that holds the AWS provider for this platform, or None."""
    candidates = [os.environ[MIRROR_ENV]] if os.environ.get(MIRROR_ENV) else []
    candidates += list(_IMPLICIT_MIRRORS)
    for candidate in candidates:
        root = Path(candidate).expanduser()
        versions = root / PROVIDER
        if versions.is_dir() and any((v / _platform()).is_dir() for v in versions.iterdir()):
            return root
    return None


def tflocal_path() -> str | None:
    beside = Path(sys.executable).with_name("tflocal")
    return str(beside) if beside.is_file() else shutil.which("tflocal")


@dataclass(frozen=True)
class Availability:
    ok: bool
    reason: str

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return self.reason


def availability() -> Availability:
    """Whether an apply can run here, and a sentence that says why (not)."""
    if os.environ.get(SWITCH_ENV, "").strip().lower() in ("0", "off", "no", "false"):
        return Availability(
            False,
            f"Terraform is switched off here ({SWITCH_ENV}=0); "
            "tests/emulator/test_terraform.py applies the same configuration.",
        )
    if shutil.which("terraform") is None:
        return Availability(
            False,
            "Skipped: the terraform binary is not installed, and the kit never "
            "downloads one (it never reaches the internet).",
        )
    if tflocal_path() is None:
        return Availability(False, "Skipped: tflocal is not installed (pip install terraform-local).")
    if provider_mirror() is None:
        return Availability(
            False,
            "Skipped: terraform is here but the AWS provider is not on disk, and the kit "
            "never downloads it (set LAMBDA_LAB_TF_PLUGINS to a provider mirror).",
        )
    return Availability(True, "terraform, tflocal and the AWS provider are all here.")


# --- apply and destroy ---------------------------------------------------------------------------


def workdir(name: str, source: str | os.PathLike) -> Path:
    """``<lab home>/terraform/<name>`` holding a copy of ``source`` (state is kept there)."""
    target = lab_home() / "terraform" / name
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target / "main.tf")
    return target


def _environment(folder: Path, backend: Backend) -> dict[str, str]:
    rc = folder / "terraform.rc"
    mirror = provider_mirror()
    rc.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{mirror}"\n    include = ["{PROVIDER}"]\n  }}\n'
        "}\n",
        encoding="utf-8",
    )
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(folder),
        "TF_CLI_CONFIG_FILE": str(rc),
        "CHECKPOINT_DISABLE": "1",
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        # tflocal writes a provider override with these endpoints and dummy keys
        "AWS_ENDPOINT_URL": backend.endpoint,
        "S3_HOSTNAME": "127.0.0.1",
        "AWS_ACCESS_KEY_ID": access_key(backend),  # the learner's own account on a shared emulator
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }


#: Lines of ``tflocal apply``/``destroy`` worth showing while it runs: one per resource done, and the end.
_PROGRESS = re.compile(r": (Creation|Destruction|Modifications) complete|^(Apply|Destroy) complete!")
#: With nothing to show for this long, say that it is still working (the AWS provider takes seconds to start).
_HEARTBEAT_S = 10.0


def _run(args: list[str], folder: Path, env: dict[str, str], timeout: float, progress: bool = False) -> str:
    """Run ``tflocal ARGS``; its output. With ``progress``, print a line per resource created or
    destroyed, and a line every 10 s while it works, so a minute-long apply is never silent."""
    command = [tflocal_path() or "tflocal", *args, "-no-color"]
    if not progress:
        try:
            result = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise LabError(f"tflocal {args[0]} took over {timeout:.0f} s in {folder}.") from None
        return _checked(args, folder, result.returncode, result.stdout, result.stderr)
    started = time.monotonic()
    proc = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    last_said = [started]

    stream = proc.stdout
    assert stream is not None  # stdout=PIPE

    def read() -> None:
        for line in stream:
            lines.append(line)
            if _PROGRESS.search(line.strip()):
                print(f"  terraform {args[0]}: {line.strip()} ({time.monotonic() - started:.0f} s)", flush=True)
                last_said[0] = time.monotonic()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    print(f"terraform {args[0]} ... (the AWS provider takes a while to start)", flush=True)
    while reader.is_alive():
        reader.join(timeout=1.0)
        now = time.monotonic()
        if now - started > timeout:
            proc.kill()
            raise LabError(f"tflocal {args[0]} took over {timeout:.0f} s in {folder}.")
        if reader.is_alive() and now - last_said[0] >= _HEARTBEAT_S:
            print(f"  terraform {args[0]}: still working ({now - started:.0f} s)", flush=True)
            last_said[0] = now
    output = "".join(lines)
    return _checked(args, folder, proc.wait(), output, output)


def _checked(args: list[str], folder: Path, returncode: int, stdout: str, stderr: str) -> str:
    if returncode != 0:
        lines = [line for line in (stderr or stdout).splitlines() if line.strip()]
        detail = next((line for line in lines if "Error" in line), lines[-1] if lines else "no output")
        raise LabError(f"tflocal {args[0]} failed in {folder}: {detail.strip('│ ').strip()}")
    return stdout


def _var_args(variables: dict[str, Any] | None) -> list[str]:
    return [f"-var={k}={v}" for k, v in (variables or {}).items()]


def apply(
    name: str,
    source: str | os.PathLike,
    variables: dict[str, Any] | None = None,
    backend: Backend | None = None,
    timeout: float = 300,
) -> dict[str, Any]:
    """``tflocal init`` (once) and ``apply`` in ``workdir(name)``; return the outputs."""
    available = availability()
    if not available:
        raise LabError(available.reason)
    backend = backend or resolve_backend()
    folder = workdir(name, source)
    env = _environment(folder, backend)
    if not (folder / ".terraform").is_dir():
        _run(["init", "-input=false"], folder, env, timeout)
    _run(["apply", "-auto-approve", "-input=false", *_var_args(variables)], folder, env, timeout, progress=True)
    # The outputs, as `terraform output -json` gives them, read from the local state the apply just wrote
    # (one tflocal and terraform start fewer).
    state = folder / "terraform.tfstate"
    raw = json.loads(state.read_text(encoding="utf-8")).get("outputs", {}) if state.is_file() else {}
    return {key: value.get("value") for key, value in raw.items()}


def destroy(
    name: str,
    source: str | os.PathLike,
    variables: dict[str, Any] | None = None,
    backend: Backend | None = None,
    timeout: float = 300,
) -> None:
    """``tflocal destroy`` in ``workdir(name)`` (nothing to do when it was never applied)."""
    backend = backend or resolve_backend()
    folder = lab_home() / "terraform" / name
    if not (folder / ".terraform").is_dir():
        return
    env = _environment(folder, backend)
    # -refresh=false: the state is what the apply left; re-reading every resource first only adds time
    _run(
        ["destroy", "-auto-approve", "-input=false", "-refresh=false", *_var_args(variables)],
        folder,
        env,
        timeout,
        progress=True,
    )


# --- the lesson's configuration -------------------------------------------------------------------


def _users_api_vars(name: str) -> tuple[Path, dict[str, Any]]:
    package = build_checked("reference_app.handlers.users_api")
    zip_path = lab_home() / "terraform" / f"{name}-users_api.zip"
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    if not zip_path.is_file() or zip_path.read_bytes() != package.zip_bytes:
        zip_path.write_bytes(package.zip_bytes)
    return template_path("terraform/main.tf"), {"package_path": zip_path}


def apply_users_api(name: str = "lab-03-tf", backend: Backend | None = None) -> dict[str, Any]:
    """Apply ``reference_app/iac/terraform/main.tf`` with the kit's users_api zip; its outputs."""
    source, variables = _users_api_vars(name)
    return apply(name, source, variables, backend)


def destroy_users_api(name: str = "lab-03-tf", backend: Backend | None = None) -> None:
    source, variables = _users_api_vars(name)
    destroy(name, source, variables, backend)
