"""The LocalStack backend: ``localstack/docker-compose.yml`` driven through Docker Compose."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from .config import Backend
from .errors import LabError
from .net import health, port_in_use
from .poll import attempts

DEFAULT_IMAGE = "localstack/localstack:4.14.0"
LAST_TOKENLESS = (4, 14, 0)
COMPOSE_FILE_ENV = "LAMBDA_LAB_LOCALSTACK_COMPOSE"


def compose_file() -> Path:
    override = os.environ.get(COMPOSE_FILE_ENV)
    path = Path(override) if override else Path(__file__).resolve().parents[2] / "localstack" / "docker-compose.yml"
    if not path.is_file():
        raise LabError(f"LocalStack's compose file is not at {path}; set {COMPOSE_FILE_ENV} to its path.")
    return path


def image() -> str:
    return os.environ.get("LOCALSTACK_IMAGE", DEFAULT_IMAGE)


def image_needs_token(name: str) -> bool:
    """True when the image tag is newer than 4.14.0 (or ``latest``), which needs an auth token."""
    tag = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else "latest"
    match = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", tag)
    if not match:
        return True
    version = tuple(int(part or 0) for part in match.groups())
    return version > LAST_TOKENLESS


def _docker_state() -> str | None:
    """``"missing"`` (no docker binary), ``"stopped"`` (no engine answers), or None (usable)."""
    if shutil.which("docker") is None:
        return "missing"
    try:
        result = subprocess.run(["docker", "info"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        result = None
    if result is None or result.returncode != 0:
        return "stopped"
    return None


def docker_problem() -> str | None:
    """One sentence on why Docker cannot run LocalStack here, or None when it can."""
    return {
        "missing": "Docker is not installed; install Docker, or use the embedded backend (the default).",
        "stopped": "Docker is installed but its engine is not running; start Docker, or use the embedded backend.",
        None: None,
    }[_docker_state()]


def token_problem() -> str | None:
    name = image()
    if image_needs_token(name) and not os.environ.get("LOCALSTACK_AUTH_TOKEN"):
        return (
            f"The image {name} needs LOCALSTACK_AUTH_TOKEN (free at app.localstack.cloud); "
            f"export it, or unset LOCALSTACK_IMAGE to use {DEFAULT_IMAGE}."
        )
    return None


def _compose(*args: str) -> None:
    env = {**os.environ, "LOCALSTACK_IMAGE": image()}
    result = subprocess.run(
        ["docker", "compose", "-f", str(compose_file()), *args], env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise LabError(f"docker compose {args[0]} failed: {last}")


def port_taken_message(backend: Backend) -> str:
    other = backend.port + 1 if backend.port < 65535 else backend.port - 1
    return (
        f"Port {backend.port} is in use by something that is not an AWS emulator; pick another: "
        f"`lambda-lab up --backend localstack --port {other}` (or set LAMBDA_LAB_PORT={other})."
    )


def up(backend: Backend, deadline_s: float = 120.0) -> None:
    """Start the LocalStack container unless a healthy emulator already answers."""
    if health(backend.endpoint) is not None:
        return
    for problem in (docker_problem(), token_problem()):
        if problem:
            raise LabError(problem)
    if port_in_use(backend.port):
        raise LabError(port_taken_message(backend))
    _compose("up", "-d")
    for _ in attempts(deadline_s, first=1.0, cap=1.0):
        if health(backend.endpoint) is not None:
            return
    raise LabError(
        f"LocalStack did not become healthy within {deadline_s:.0f} s; see `docker logs lambda-lab-localstack`."
    )


def down(backend: Backend) -> str:
    """Stop lambda-lab's LocalStack container (its resources go with it)."""
    state = _docker_state()
    if state is not None:
        reason = "Docker is not installed" if state == "missing" else "Docker's engine is not running"
        if health(backend.endpoint) is not None:
            return f"{reason}, so the emulator at {backend.endpoint} is not lambda-lab's LocalStack; left running."
        return f"{reason}, so no LocalStack container of lambda-lab's is running; nothing to stop."
    _compose("down")
    return (
        f"Stopped LocalStack at {backend.endpoint}; its resources are gone "
        "(LocalStack's free image keeps none across a restart)."
    )


def restart(backend: Backend) -> str:
    down(backend)
    up(backend)
    return f"Restarted LocalStack at {backend.endpoint}: every resource is gone."
