"""Prove a deployment zip imports on its own before anything is deployed.

The embedded emulator runs functions on the host's interpreter, so a handler that imports a
package missing from its zip works locally and fails on AWS with ``Runtime.ImportModuleError``.
:func:`check_imports` imports the module in an isolated interpreter (``python -I -S``: no
site-packages, no PYTHON* variables) that sees only the zip, the function's layers and boto3 with
its dependencies (what Lambda's Python runtime provides), and proves the handler function exists,
is callable and takes (event, context). :mod:`.packaging` builds the zip; its
:func:`~reference_app.lab.packaging.build_checked` does both.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Protocol

from ..config import lab_home_path, writing
from ..errors import LabError
from ..runtime_sdk import sdk_dir
from . import handler_probe


class Package(Protocol):
    """What the check reads of a built zip (:class:`reference_app.lab.packaging.Package`): packaging
    builds the zip and then calls this check, so the check names no more of it than it uses."""

    module: str
    function: str
    source: Path
    zip_bytes: bytes


def import_check_dir() -> Path:
    """Where passed import checks are remembered, by zip digest."""
    return lab_home_path() / "import-checks"


def _check_marker(package: Package, layers: tuple[bytes, ...] = ()) -> Path:
    digest = hashlib.sha256(package.zip_bytes)
    for layer in layers:
        digest.update(hashlib.sha256(layer).digest())
    return import_check_dir() / f"{digest.hexdigest()}-{package.function}"


def layer_paths(root: str) -> list[str]:
    """Where Lambda's Python runtime looks inside an extracted layer (python-layers.html):
    ``python/`` and ``python/lib/python3.x/site-packages/``."""
    python = os.path.join(root, "python")
    paths = [python]
    lib = os.path.join(python, "lib")
    if os.path.isdir(lib):
        paths += [os.path.join(lib, v, "site-packages") for v in sorted(os.listdir(lib)) if v.startswith("python")]
    return paths


def check_imports(
    package: Package, env: dict[str, str] | None = None, timeout: float = 120, layers: tuple[bytes, ...] = ()
) -> None:
    """Import the handler module in an isolated interpreter that sees only the zip,
    its ``layers`` (zip contents, in order) and boto3, and prove that its handler
    function (``package.function``) exists, is callable and takes (event, context);
    raise a LabError naming the first problem.

    A passing result is remembered by the digests of the zip and its layers and the
    function's name, so re-deploying the same code costs nothing.
    """
    marker = _check_marker(package, layers)
    if marker.exists():
        return
    with writing(Path(tempfile.gettempdir())), tempfile.TemporaryDirectory(prefix="lambda-lab-check-") as tmp:
        code_dir = os.path.join(tmp, "task")
        with zipfile.ZipFile(io.BytesIO(package.zip_bytes)) as zf:
            zf.extractall(code_dir)
        search = [code_dir]
        for n, layer in enumerate(layers):
            with zipfile.ZipFile(io.BytesIO(layer)) as zf:
                zf.extractall(os.path.join(tmp, "opt", str(n)))
            search += layer_paths(os.path.join(tmp, "opt", str(n)))
        code = (
            "import importlib, sys\n"
            f"sys.path[:0] = [*{search!r}, {str(sdk_dir())!r}]\n"
            f"module = importlib.import_module({package.module!r})\n" + handler_probe.probe(package.function)
        )
        run_env = {
            "PATH": os.environ.get("PATH", ""),
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            **(env or {}),
        }
        try:
            result = subprocess.run(
                [sys.executable, "-I", "-S", "-c", code],
                cwd=code_dir,
                env=run_env,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise LabError(
                f"Importing {package.module} took over {timeout:.0f} s; does it do work at import time?"
            ) from None
    if result.returncode == 0:
        with writing(lab_home_path()):
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()  # empty by design: its name is the digest
        return
    handler_problem = handler_probe.problem(package.source.name, package.module, package.function, result.stderr)
    if handler_problem is not None:
        raise handler_problem
    lines = result.stderr.strip().splitlines() or ["no error output"]
    missing = re.search(r"No module named '([^']+)'", result.stderr)
    if missing:
        raise LabError(
            f"{package.module} would fail on Lambda: it imports {missing.group(1)!r}, which is not in its zip"
            f"{' or its layers' if layers else ''}; "
            f"add the distribution that provides it to REQUIREMENTS in {package.source.name}."
        )
    raise LabError(f"{package.module} fails to import on its own: {lines[-1]}")
