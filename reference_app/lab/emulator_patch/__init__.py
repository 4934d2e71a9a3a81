"""The embedded emulator runs Python functions the way AWS's Python runtime does.

ministack runs each Python function in a worker process of its own design: every
error reaches the caller as ``Runtime.HandlerError`` without a stack trace (so a
Step Functions ``Catch`` on a business error never matches), the root logger has
no handler (``logging`` output is dropped), the ``REPORT`` line has no ``Init
Duration`` and no real memory figure, the caller's request id is not the one the
function sees, tracebacks show the emulator's worker script, the function can
import every package of the host, and an invocation that logs nothing waits 50 ms
for output that never comes. Learners write handlers from AWS's documentation, so
the kit makes the worker behave as AWS's runtime does.

Because the kit starts the emulator itself, it starts it through
:mod:`.run_ministack`, which applies :mod:`.host` inside the emulator process and
then runs ministack unchanged. :mod:`.host` gives the Python worker a new bootstrap
(:mod:`.bootstrap`: AWS's runtime contract, following ``awslambdaric``, the runtime
interface client AWS's own Python runtime is built on) and turns its answers into
what Lambda returns and logs. Handlers, zips and the deploy code know nothing of
this: the same zip behaves the same here, on LocalStack and on AWS.

It reaches into ministack's internals, so it applies only to the version it was
tested against (:data:`SUPPORTED_EMULATOR`, pinned in ``pyproject.toml``); with any
other version the kit warns once and runs ministack as it is. ``LAMBDA_LAB_RAW_EMULATOR=1``
turns it off, to compare with the raw emulator. What it cannot match is listed in
:mod:`reference_app.lab.known_differences`.

Settings (read by the emulator when it starts; defaults suit a laptop):

``LAMBDA_LAB_WARM_IDLE_S`` (300)
    seconds an idle worker stays warm (AWS keeps an idle environment for minutes);
    workers beyond a function's first are reclaimed after ``LAMBDA_LAB_BURST_IDLE_S`` (30).
``LAMBDA_LAB_WARM_WORKERS`` (8)
    idle workers kept at most, least recently used reclaimed first. Each holds 15 to
    70 MB; for one emulator a room shares, allow about two per learner.
``LAMBDA_LAB_LOG_GROUP_MAX_MB`` (16)
    what one CloudWatch log group keeps at most, oldest events dropped first
    (:mod:`.log_store`; retention applies as on AWS).
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

SUPPORTED_EMULATOR = "1.5.33"
RAW_ENV = "LAMBDA_LAB_RAW_EMULATOR"
# Marks the health document of an emulator that runs with this module (see host.py).
HEALTH_KEY = "lambda_lab_runtime"

_warned = False


class EmulatorVersionWarning(UserWarning):
    """The installed emulator is not the version the kit's runtime was tested against."""


def installed_version() -> str | None:
    """ministack's installed version (read from its ``.dist-info`` folder: ``up`` pays for every import)."""
    import importlib.util

    spec = importlib.util.find_spec("ministack")
    if spec is None or not spec.origin:
        return None
    folders = list(Path(spec.origin).parent.parent.glob("ministack-*.dist-info"))
    if len(folders) == 1:
        return folders[0].name[len("ministack-") : -len(".dist-info")]
    from importlib import metadata

    try:
        return metadata.version("ministack")
    except metadata.PackageNotFoundError:
        return None


def wanted() -> bool:
    """True unless ``LAMBDA_LAB_RAW_EMULATOR`` asks for the raw emulator."""
    return os.environ.get(RAW_ENV, "").strip().lower() in ("", "0", "false", "no")


def applies(version: str | None = None) -> bool:
    """Whether the kit's runtime will run in the embedded emulator; warns once when the version rules it out."""
    global _warned
    if not wanted():
        return False
    version = version if version is not None else installed_version()
    if version == SUPPORTED_EMULATOR:
        return True
    if not _warned:
        _warned = True
        warnings.warn(
            f"ministack {version} is installed but the kit's Lambda runtime was tested with {SUPPORTED_EMULATOR}, "
            f"so functions run as ministack runs them; `pip install ministack=={SUPPORTED_EMULATOR}` restores it.",
            EmulatorVersionWarning,
            stacklevel=2,
        )
    return False


def emulator_command() -> list[str]:
    """The command that starts the embedded emulator: ministack, through this module when it applies."""
    if applies():
        return [sys.executable, "-m", "reference_app.lab.emulator_patch.run_ministack"]
    return [sys.executable, "-m", "ministack"]


def active(health_doc: dict | None) -> bool:
    """Whether the emulator that answered with ``health_doc`` runs with the kit's runtime."""
    return health_doc is not None and HEALTH_KEY in health_doc
