"""boto3 as Lambda's Python runtime provides it: which distributions, and a folder of links to them.

Packaging leaves these out of a zip (:mod:`.packaging`); the isolated import check
(:mod:`.import_check`) and the emulator's workers (:mod:`.emulator_patch.workers`) put
:func:`sdk_dir` on the function's path instead of the host's site-packages, as the
runtime does. A platform module: the emulator's patch needs it, so it sits below both.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import os
import shutil
import tempfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .errors import LabError
from .locations import lab_home, lab_home_path, writing

# What the Lambda Python runtime provides: boto3 and its dependency closure.
RUNTIME_PROVIDED = ("boto3",)


def closure(requirements: tuple[str, ...] | list[str]) -> dict[str, md.Distribution]:
    """Every installed distribution the requirements need, keyed by canonical name."""
    found: dict[str, md.Distribution] = {}
    queue = [Requirement(r) for r in requirements]
    seen: set[tuple[str, frozenset[str]]] = set()
    while queue:
        req = queue.pop()
        key = (canonicalize_name(req.name), frozenset(req.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = md.distribution(req.name)
        except md.PackageNotFoundError:
            raise LabError(
                f"The requirement {req.name!r} is not installed in this environment; "
                f"`pip install {req.name}` first, then package again."
            ) from None
        found[key[0]] = dist
        for raw in dist.requires or []:
            sub = Requirement(raw)
            envs = [{"extra": e} for e in (req.extras or {""})] + [{"extra": ""}]
            if sub.marker is None or any(sub.marker.evaluate(env) for env in envs):
                queue.append(sub)
    return found


def runtime_provided() -> dict[str, md.Distribution]:
    return closure(RUNTIME_PROVIDED)


def runtime_sdk_dir() -> Path:
    """Where the import check's stand-in for the Lambda runtime's boto3 lives (links, by version)."""
    return lab_home_path() / "runtime-sdk"


def sdk_dir() -> Path:
    """A folder that holds links to boto3 and its dependencies, and nothing else."""
    dists = runtime_provided()
    stamp = hashlib.sha256(",".join(sorted(f"{n}={d.version}" for n, d in dists.items())).encode()).hexdigest()[:12]
    target = runtime_sdk_dir() / stamp
    if target.is_dir():
        return target
    with writing(lab_home_path()):
        staging = Path(tempfile.mkdtemp(dir=lab_home()))
        try:
            for dist in dists.values():
                for rel in dist.files or []:
                    top = rel.parts[0]
                    if top == ".." or (staging / top).exists():
                        continue
                    located = dist.locate_file(top)
                    if not isinstance(located, os.PathLike):
                        raise LabError(
                            f"{dist.name} is installed inside a zip archive, which the import check "
                            "cannot stage: reinstall it with pip."
                        )
                    src = Path(located)
                    if src.exists():
                        (staging / top).symlink_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                staging.rename(target)
            except OSError:  # another process made it first
                pass
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # gone after the rename; half-made after a failure
    return target
