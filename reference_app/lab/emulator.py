"""Finding, starting and stopping the emulator, whichever backend is selected.

The backends sit side by side: :mod:`.embedded` (ministack, started by the kit),
:mod:`.localstack` (Docker Compose) and a plain URL (someone else's emulator).
This module dispatches to them; the probes they share live in the leaf module
:mod:`.net`, so no backend imports another.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import embedded, localstack, rendering
from .accounts.credentials import admin_headers
from .config import Backend, account_id, lab_home, resolve_backend
from .emulator_patch import environment as emulator_env
from .errors import LabError
from .net import check_endpoint, emulator_name, health, port_in_use, post

# Kept importable from here: notebooks and tests use these names.
__all__ = [
    "Memory",
    "Status",
    "check_answering",
    "diagnose",
    "down",
    "health",
    "port_in_use",
    "require",
    "reset",
    "run_dir",
    "status",
    "stopped_with_saved_state",
    "unreachable",
    "up",
]

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
        return (
            f"{self.total_mb:,.0f} MB (emulator {self.emulator_mb:,.0f} MB, "
            f"{self.workers} worker{'s' if self.workers != 1 else ''} {self.workers_mb:,.0f} MB)"
        )


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
    problem: str | None = None  # when not healthy: what is wrong and what to do, one sentence
    notice: str | None = None  # something the learner should know, e.g. the last stop lost state

    @property
    def started_by(self) -> str:
        if self.pid:
            return f"lambda-lab (pid {self.pid})"
        return "someone else" if self.healthy else ""

    def _rows(self) -> list[tuple[str, str]]:
        rows = [("backend", self.backend.kind), ("endpoint", self.backend.endpoint)]
        if self.healthy:
            rows += [
                ("emulator", f"{self.emulator} {self.version or ''}".strip()),
                ("started by", self.started_by),
            ]
            if self.functions is not None:
                rows.append(("functions", ", ".join(self.functions) or "none"))
            if self.memory is not None:
                rows.append(("memory", str(self.memory)))
        else:
            rows.append(("problem", self.problem or "not running"))
        rows.append(("note", self.notice or ""))
        return rows

    def _title(self) -> str:
        return f"Emulator {'healthy' if self.healthy else 'not healthy'} at {self.backend.endpoint}"

    def __repr__(self) -> str:
        return rendering.text(self._title(), self._rows())

    __str__ = __repr__

    def _repr_html_(self) -> str:
        level = "fail" if not self.healthy else "warn" if self.notice else "ok"
        return rendering.html(self._title(), self._rows(), level)


def diagnose(backend: Backend) -> str:
    """One sentence on why nothing healthy answers at the backend's endpoint, and what to do.

    Tells apart: the kit's own emulator that no longer answers (paused or hung; its
    pid file names it), a port held by something that is not an emulator, nothing
    at all, and a URL backend (which the kit cannot start).
    """
    if backend.kind == "url":
        return f"Nothing healthy answers at {backend.endpoint} — check the URL, or ask whoever runs that emulator."
    if backend.kind == "embedded":
        pid = embedded.owned_pid(backend)
        if pid is not None and embedded.busy(backend):
            return (
                f"The emulator at {backend.endpoint} (pid {pid}) is starting or stopping; try again in a few seconds."
            )
        if pid is not None:
            return str(embedded.not_answering_error(backend, pid))
    if port_in_use(backend.port):
        if backend.kind == "localstack":
            return localstack.port_taken_message(backend)
        return str(embedded.port_taken_error(backend))
    start = {"embedded": "`lambda-lab up`", "localstack": "`lambda-lab up --backend localstack`"}[backend.kind]
    return f"No emulator at {backend.endpoint} — run {start}."


def unreachable(backend: Backend, exc: BaseException | None = None) -> LabError:
    """A LabError for a call that got no answer (refused, timed out, connection dropped)."""
    if health(backend.endpoint, timeout=2.0) is not None:
        what = f" ({type(exc).__name__})" if exc is not None else ""
        return LabError(
            f"The emulator at {backend.endpoint} is healthy but did not answer that call in time{what}; "
            "try again, and see `lambda-lab status` if it keeps happening."
        )
    return LabError(diagnose(backend))


def check_answering(backend: Backend) -> None:
    """Raise what is wrong when something holds the emulator's port but no emulator answers
    there (the kit's own, paused or hung; a stranger). Nothing listening is left to the call
    itself, whose "no emulator" error is already one sentence."""
    if backend.kind == "url" or health(backend.endpoint) is not None:
        return
    if port_in_use(backend.port):
        raise LabError(diagnose(backend))


def require(backend: Backend | None = None) -> dict:
    """The health document of a running emulator, or a LabError saying what is wrong and what to do."""
    backend = backend or resolve_backend()
    doc = health(backend.endpoint)
    if doc is not None:
        return doc
    raise LabError(diagnose(backend))


def up(backend: Backend | None = None) -> Status:
    """Make sure an emulator answers on the backend's endpoint; start one if the kit can.

    The embedded emulator keeps every resource across a clean ``down``/``up``; when
    its last run ended without saving (killed, crashed), ``Status.notice`` says what
    came back and what did not.
    """
    backend = backend or resolve_backend()
    notice = None
    if backend.kind == "embedded":
        notice = embedded.last_stop_notice(backend)
        embedded.start(backend)
    elif backend.kind == "localstack":
        localstack.up(backend)
    else:
        require(backend)
    st = status(backend, details=False)  # functions and memory take the SDK and a process scan: `up` skips them
    st.notice = notice
    return st


def down(backend: Backend | None = None) -> str:
    """Stop the emulator this kit started; never one it did not start."""
    backend = backend or resolve_backend()
    if backend.kind == "localstack":
        return localstack.down(backend)
    stopped = embedded.stop(backend) if backend.kind == "embedded" else None
    if stopped is not None:
        message = f"Stopped the emulator at {backend.endpoint} (pid {stopped.pid})"
        if stopped.note:
            return f"{message}, but {stopped.note}."
        if emulator_env.persistence_enabled():
            return f"{message}; `lambda-lab up` brings back every resource (`lambda-lab reset` starts clean)."
        return f"{message}."
    if health(backend.endpoint) is not None:
        return f"The emulator at {backend.endpoint} was not started by lambda-lab; left running."
    return f"No emulator is running at {backend.endpoint}."


def status(backend: Backend | None = None, doc: dict | None = None, details: bool = True) -> Status:
    """What answers on the backend's endpoint; with ``details``, its functions and (kit-started) its memory."""
    backend = backend or resolve_backend()
    doc = doc if doc is not None else health(backend.endpoint)
    pid = embedded.owned_pid(backend) if backend.kind == "embedded" else None
    if doc is None:
        notice = embedded.last_stop_notice(backend) if backend.kind == "embedded" else None
        return Status(backend, healthy=False, pid=pid, problem=diagnose(backend), notice=notice)
    names: list[str] | None = None
    if details:
        names = []
        from .clients import client  # boto3: +65 ms on `lambda-lab up`'s quick path (benchmarks/import_time.py)

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
        notice=embedded.last_stop_notice(backend) if pid else None,
    )


def reset(backend: Backend | None = None) -> str:
    """Delete every resource the learner has in the emulator.

    The learner's own emulator (embedded, localstack) is theirs alone: ministack's reset
    deletes everything, LocalStack is restarted, and the embedded emulator's saved state
    goes too, so the next ``up`` starts clean (when it is not running, its saved state is
    deleted directly). A URL backend may be shared by a room: there the kit deletes the
    learner's own resources only, kind by kind, in the learner's own account
    (:mod:`reference_app.lab.own_resources`), and never calls the emulator's reset,
    which would delete everyone's.
    """
    backend = backend or resolve_backend()
    check_endpoint(backend.endpoint)
    if backend.kind == "url":
        from .own_resources import delete_own  # it builds boto3 clients: see status()

        require(backend)
        deleted = delete_own(backend)
        return (
            f"Deleted your resources (account {account_id(backend)}) in the emulator at {backend.endpoint}: "
            f"{deleted}; nobody else's were touched."
        )
    if stopped_with_saved_state(backend):
        embedded.wipe_saved_state(backend)
        return (
            f"Deleted the saved state of the stopped emulator on port {backend.port}: "
            "the next `lambda-lab up` starts clean."
        )
    doc = require(backend)
    if emulator_name(doc) == "ministack":
        # A room's emulator opens its reset to the instructor's secret only (emulator_patch/room_signatures.py).
        post(backend.endpoint + "/_ministack/reset", timeout=30, headers=admin_headers(lab_home()))
        if backend.kind == "embedded":
            (embedded.run_path(backend) / embedded.UNSAVED_NAME).unlink(missing_ok=True)
        return f"Reset the emulator at {backend.endpoint}: every resource is gone."
    if backend.kind == "localstack":
        return localstack.restart(backend)
    raise LabError(f"The emulator at {backend.endpoint} has no reset the kit can call; restart it to start clean.")


def stopped_with_saved_state(backend: Backend) -> bool:
    """True when the embedded emulator is not running (nothing on its port) but left saved state."""
    return (
        backend.kind == "embedded"
        and health(backend.endpoint) is None
        and not port_in_use(backend.port)
        and embedded.has_saved_state(backend)
    )
