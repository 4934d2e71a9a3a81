"""The environment the kit starts the embedded emulator (ministack) with.

It, and the function workers it spawns, never see the learner's AWS identity or endpoints;
the kit alone decides where it listens and keeps its files (:data:`PROTECTED_ENV`); and its
resources persist across a clean stop unless ``LAMBDA_LAB_PERSIST=0``.
:mod:`.embedded` starts and stops the process.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..config import Backend
from ..errors import LabError
from .room_accounts import SHARED_BIND_ENV, shared

PERSIST_ENV = "LAMBDA_LAB_PERSIST"


def persistence_env() -> dict[str, str]:
    """ministack's switches that keep every resource across a clean stop (``LAMBDA_LAB_PERSIST=0``: off)."""
    value = "1" if persistence_enabled() else "0"
    return {"PERSIST_STATE": value, "S3_PERSIST": value}


def persistence_enabled() -> bool:
    return os.environ.get(PERSIST_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def bind_host() -> str:
    """Where the emulator listens: 127.0.0.1, unless it is a room's shared emulator that
    ``lambda-lab room serve --emulator --host ...`` opens to the room's network."""
    return os.environ.get(SHARED_BIND_ENV, "127.0.0.1") if shared() else "127.0.0.1"


# What the kit itself decides about the emulator's process: where it listens, where it keeps its
# files, and that it never sees the learner's AWS identity. ``extra_env`` may not change these.
PROTECTED_ENV = frozenset(
    {
        "GATEWAY_PORT",
        "BIND_HOST",
        "IOT_MTLS_ENABLED",
        "SFTP_ENABLED",
        "STATE_DIR",
        "S3_DATA_DIR",
        "TMPDIR",
    }
)


def emulator_env(backend: Backend, home: Path, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """The emulator's environment. It, and the function workers it spawns, must not
    see the learner's AWS identity or endpoints, so every AWS_* variable is dropped.

    ``extra_env`` adds ministack settings for one emulator (lesson 06 starts one with
    ``AUTH=true`` and ``PERSIST_STATE=0``); it may not touch the kit's own settings
    (:data:`PROTECTED_ENV`, ``AWS_*``), so an emulator stays on loopback, in its folder,
    without the learner's identity.
    """
    refused = sorted(k for k in extra_env or {} if k in PROTECTED_ENV or k.startswith("AWS_"))
    if refused:
        raise LabError(f"The emulator's {', '.join(refused)} are the kit's to set, not extra_env's.")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        GATEWAY_PORT=str(backend.port),
        BIND_HOST=bind_host(),
        IOT_MTLS_ENABLED="0",
        SFTP_ENABLED="0",
        STATE_DIR=str(home / "state"),
        S3_DATA_DIR=str(home / "s3"),
        TMPDIR=str(home / "tmp"),
        LOG_LEVEL=os.environ.get("LAMBDA_LAB_EMULATOR_LOG_LEVEL", "WARNING"),
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        PYTHONUNBUFFERED="1",
    )
    env.update(persistence_env())
    env.update(extra_env or {})
    return env
