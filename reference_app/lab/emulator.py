"""Finding, starting and stopping the emulator, whichever backend is selected.

The backends sit side by side: :mod:`.embedded` (ministack, started by the kit),
:mod:`.localstack` (Docker Compose) and a plain URL (someone else's emulator).
This module dispatches to them; the probes they share live in the leaf module
:mod:`.net`, so no backend imports another.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import embedded, localstack
from .config import Backend, resolve_backend
from .errors import LabError
from .net import check_endpoint, emulator_name, health, is_remote, port_in_use, post

# Kept importable from here: notebooks and tests use these names.
__all__ = ["Memory", "Status", "down", "health", "port_in_use", "require", "reset", "run_dir", "status", "up"]

run_dir = embedded.run_dir


@dataclass(frozen=True)
class Memory:
    """Resident memory of an emulator the kit started: its own, and its function workers'."""

    emulator_mb: float
    workers: int
    workers_mb: float

    @property
    def total_mb(self) -> float:
        return self.emulator_mb + self.workers_mb

    def __str__(self) -> str:
        return (f"{self.total_mb:,.0f} MB (emulator {self.emulator_mb:,.0f} MB, "
                f"{self.workers} worker{'s' if self.workers != 1 else ''} {self.workers_mb:,.0f} MB)")


def memory(pid: int) -> Memory | None:
    """What the emulator process ``pid`` and every process it started hold in memory now."""
    import psutil

    try:
        proc = psutil.Process(pid)
        own = proc.memory_info().rss
        children = proc.children(recursive=True)
    except psutil.Error:
        return None
    workers = 0
    total = 0
    for child in children:
        try:
            total += child.memory_info().rss
            workers += 1
        except psutil.Error:
            continue
    return Memory(own / 2**20, workers, total / 2**20)


@dataclass
class Status:
    backend: Backend
    healthy: bool
    emulator: str | None = None  # "ministack", "localstack", ...
    version: str | None = None
    pid: int | None = None  # set when this kit started the process
    functions: list[str] | None = field(default_factory=list)  # None: not listed (``up`` does not)
    memory: Memory | None = None  # when this kit started the process (``up`` does not measure it)


def require(backend: Backend | None = None) -> dict:
    """The health document of a running emulator, or a LabError saying how to start one."""
    backend = backend or resolve_backend()
    doc = health(backend.endpoint)
    if doc is not None:
        return doc
    if backend.kind != "url" and port_in_use(backend.port):
        raise embedded.port_taken_error(backend)
    hint = {
        "embedded": "run `lambda-lab up`",
        "localstack": "run `lambda-lab --backend localstack up`",
        "url": "check the URL, or ask whoever runs that emulator",
    }[backend.kind]
    raise LabError(f"No emulator at {backend.endpoint} — {hint}.")


def up(backend: Backend | None = None) -> Status:
    """Make sure an emulator answers on the backend's endpoint; start one if the kit can."""
    backend = backend or resolve_backend()
    if backend.kind == "embedded":
        embedded.start(backend)
    elif backend.kind == "localstack":
        localstack.up(backend)
    else:
        require(backend)
    return status(backend, details=False)  # functions and memory take the SDK and a process scan: `up` skips them


def down(backend: Backend | None = None) -> str:
    """Stop the emulator this kit started; never one it did not start."""
    backend = backend or resolve_backend()
    if backend.kind == "localstack":
        return localstack.down(backend)
    pid = embedded.stop(backend) if backend.kind == "embedded" else None
    if pid is not None:
        return f"Stopped the emulator at {backend.endpoint} (pid {pid})."
    if health(backend.endpoint) is not None:
        return f"The emulator at {backend.endpoint} was not started by lambda-lab; left running."
    return f"No emulator is running at {backend.endpoint}."


def status(backend: Backend | None = None, doc: dict | None = None, details: bool = True) -> Status:
    """What answers on the backend's endpoint; with ``details``, its functions and (kit-started) its memory."""
    backend = backend or resolve_backend()
    doc = doc if doc is not None else health(backend.endpoint)
    pid = embedded.owned_pid(backend) if backend.kind == "embedded" else None
    if doc is None:
        return Status(backend, healthy=False, pid=pid)
    names: list[str] | None = None
    if details:
        from .clients import client

        names = []
        for page in client("lambda", backend).get_paginator("list_functions").paginate():
            names += [f["FunctionName"] for f in page["Functions"]]
        names.sort()
    return Status(
        backend,
        healthy=True,
        emulator=emulator_name(doc),
        version=str(doc.get("version", "")) or None,
        pid=pid,
        functions=names,
        memory=memory(pid) if pid and details else None,
    )


def reset(backend: Backend | None = None, *, confirm_host: str | None = None) -> str:
    """Delete every resource in the emulator: ministack's reset, else a restart.

    An emulator that is not on this machine holds other people's resources too,
    so it is reset only when ``confirm_host`` repeats its host name.
    """
    backend = backend or resolve_backend()
    check_endpoint(backend.endpoint)
    if is_remote(backend) and confirm_host != backend.host:
        raise LabError(
            f"The emulator at {backend.endpoint} is not on this machine and resetting it deletes "
            f"everyone's resources there; pass confirm_host={backend.host!r} if you mean it."
        )
    doc = require(backend)
    if emulator_name(doc) == "ministack":
        post(backend.endpoint + "/_ministack/reset", timeout=30)
        return f"Reset the emulator at {backend.endpoint}: every resource is gone."
    if backend.kind == "localstack":
        return localstack.restart(backend)
    raise LabError(
        f"The emulator at {backend.endpoint} has no reset the kit can call; restart it to start clean."
    )
