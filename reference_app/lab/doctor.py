"""Environment checks behind ``lambda-lab doctor`` and the first notebook."""

from __future__ import annotations

import importlib.metadata as md
import os
import sys
from dataclasses import dataclass

from . import localstack, rendering
from .accounts import membership
from .config import DEFAULT_RUNTIME, Backend, account_id, resolve_backend
from .emulator import diagnose
from .errors import LabError
from .net import check_endpoint, emulator_name, health, port_in_use

PACKAGES = ("boto3", "botocore", "ministack", "aws-lambda-powertools", "jupyterlab", "moto", "nbval")


@dataclass
class Check:
    name: str
    level: str  # "ok" | "warn" | "fail"
    detail: str


class Checks(list):
    """The doctor's checks (a list of :class:`Check`), shown whole in a notebook and as text."""

    @property
    def ok(self) -> bool:
        """True when nothing failed (warnings are information)."""
        return all(c.level != "fail" for c in self)

    def _level(self) -> str:
        return "fail" if not self.ok else "warn" if any(c.level == "warn" for c in self) else "ok"

    def __repr__(self) -> str:
        mark = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}
        width = max((len(c.name) for c in self), default=0)
        return "\n".join(f"[{mark[c.level]}] {c.name.ljust(width)}  {c.detail}" for c in self)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        rows = [(rendering.ICONS[c.level], c.name, c.detail) for c in self]
        title = "Your lab is ready." if self.ok else "Something needs fixing (see ❌)."
        return rendering.html_grid(("", "check", "detail"), rows, self._level(), title)

    def to_frame(self):
        """The checks as a pandas DataFrame, indexed by name."""
        import pandas as pd

        return pd.DataFrame([{"level": c.level, "check": c.name, "detail": c.detail} for c in self]).set_index("check")


def _version(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


def host_runtime_check(
    backend: Backend | None = None, runtime: str = DEFAULT_RUNTIME, emulator: str | None = None
) -> Check:
    """Whether functions run on the runtime they declare, for the selected backend.

    ``emulator`` is what answers there (``"ministack"``, ``"localstack"``), when known.
    """
    backend = backend or resolve_backend()
    host = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if emulator == "localstack" or (emulator is None and backend.kind == "localstack"):
        return Check(
            "runtime",
            "ok",
            f"functions declare {runtime}; LocalStack runs them in the {runtime} image, whatever this host's Python",
        )
    if backend.kind == "url":
        return Check(
            "runtime",
            "warn",
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


def run_checks(backend: Backend | None = None) -> Checks:
    backend = backend or resolve_backend()
    checks = Checks()
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
        checks.append(Check("emulator" if backend.kind == "url" else "port", "fail", diagnose(backend)))
    else:
        checks.append(Check("port", "ok", f"{backend.port} is free; `lambda-lab up` will start the emulator there"))
    if backend.kind == "localstack":
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
    checks.extend(room_checks(backend))
    return checks


def room_checks(backend: Backend) -> list[Check]:
    """Whether the learner joined a room (and so reports there), and their account on a shared emulator."""
    member = membership.load()
    if member is None:
        rows = [Check("room", "ok", "not in a room: nothing is sent anywhere")]
    else:
        rows = [
            Check(
                "room",
                "ok",
                f"joined {member.url} as {member.name}: your check results are reported there "
                "(`lambda-lab room leave` stops it)",
            )
        ]
    if backend.kind == "url":
        try:
            account = account_id(backend)
        except LabError as exc:
            rows.append(Check("account", "fail", str(exc)))
            return rows
        # "Yours alone" only where it is true: the room's emulator checks every request against the
        # secret it issued to this learner; any other emulator takes an account id on trust.
        issued = (
            member is not None
            and member.emulator == backend.endpoint
            and member.account == account
            and bool(member.secret)
        )
        if issued:
            rows.append(
                Check(
                    "account",
                    "ok",
                    f"{account}: yours alone on the room's emulator at {backend.endpoint} "
                    "(it checks every request against the secret the room gave you)",
                )
            )
        else:
            rows.append(
                Check(
                    "account",
                    "warn",
                    f"{account}: your own on {backend.endpoint}, but that emulator "
                    "takes an account id on trust: anyone who learns it can use it. "
                    "A room's shared emulator does not (join the room)",
                )
            )
    elif os.environ.get("LAMBDA_LAB_EMULATOR_GATE") == "owner":
        rows.append(
            Check(
                "account",
                "ok",
                f"{account_id(backend)}: yours alone (your emulator answers only the credentials in your home folder)",
            )
        )
    return rows
