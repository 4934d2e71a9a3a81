"""Environment checks behind ``lambda-lab doctor`` and the first notebook."""

from __future__ import annotations

import importlib.metadata as md
import sys
from dataclasses import dataclass

from .config import DEFAULT_RUNTIME, Backend, resolve_backend
from .errors import LabError
from .net import check_endpoint, emulator_name, health, port_in_use

PACKAGES = ("boto3", "botocore", "ministack", "aws-lambda-powertools", "jupyterlab", "moto", "nbval")


@dataclass
class Check:
    name: str
    level: str  # "ok" | "warn" | "fail"
    detail: str


def _version(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


def host_runtime_check(backend: Backend | None = None, runtime: str = DEFAULT_RUNTIME,
                       emulator: str | None = None) -> Check:
    """Whether functions run on the runtime they declare, for the selected backend.

    ``emulator`` is what answers there (``"ministack"``, ``"localstack"``), when known.
    """
    backend = backend or resolve_backend()
    host = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if emulator == "localstack" or (emulator is None and backend.kind == "localstack"):
        return Check(
            "runtime", "ok",
            f"functions declare {runtime}; LocalStack runs them in the {runtime} image, whatever this host's Python",
        )
    if backend.kind == "url":
        return Check(
            "runtime", "warn",
            f"functions declare {runtime}; the emulator at {backend.endpoint} runs them on its own host's Python, "
            "which may differ: ask whoever runs it",
        )
    if host == runtime:
        return Check("runtime", "ok", f"functions declare {runtime}, the host runs {host}")
    return Check(
        "runtime",
        "warn",
        f"functions declare {runtime} but the embedded emulator runs them on this host's {host}: "
        "language features newer than the host's fail here, and compiled wheels built here do not load on AWS",
    )


def run_checks(backend: Backend | None = None) -> list[Check]:
    backend = backend or resolve_backend()
    checks: list[Check] = []
    py = sys.version_info
    checks.append(
        Check(
            "python",
            "ok" if py >= (3, 11) else "fail",
            f"{sys.version.split()[0]} ({sys.executable})"
            + ("" if py >= (3, 11) else "; the kit needs Python 3.11 or newer"),
        )
    )
    for dist in PACKAGES:
        version = _version(dist)
        optional = dist in ("moto", "nbval")
        if version:
            checks.append(Check(dist, "ok", version))
        else:
            checks.append(
                Check(
                    dist,
                    "warn" if optional else "fail",
                    "not installed"
                    + (
                        " (only the tests need it: pip install -e '.[dev]')"
                        if optional
                        else "; run pip install -e . in the kit's folder"
                    ),
                )
            )
    try:
        check_endpoint(backend.endpoint)
    except LabError as refused:
        checks.append(Check("emulator", "fail", str(refused)))
        checks.append(host_runtime_check(backend))
        return checks
    doc = health(backend.endpoint)
    if doc is not None:
        checks.append(
            Check("emulator", "ok", f"{emulator_name(doc)} {doc.get('version', '')} healthy at {backend.endpoint}")
        )
    elif backend.kind == "url" or port_in_use(backend.port):
        from .emulator import diagnose

        checks.append(Check("emulator" if backend.kind == "url" else "port", "fail", diagnose(backend)))
    else:
        checks.append(Check("port", "ok", f"{backend.port} is free; `lambda-lab up` will start the emulator there"))
    if backend.kind == "localstack":
        from . import localstack

        docker = localstack.docker_problem()
        checks.append(Check("docker", "fail" if docker else "ok", docker or "Docker engine is running"))
        token = localstack.token_problem()
        checks.append(
            Check(
                "localstack token",
                "fail" if token else "ok",
                token or f"image {localstack.image()} needs no token, or one is set",
            )
        )
    checks.append(host_runtime_check(backend, emulator=emulator_name(doc) if doc is not None else None))
    return checks
