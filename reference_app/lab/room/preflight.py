"""The instructor's pre-flight (``lambda-lab doctor --instructor``): what serving a room needs here.

For both setups: the ports the room uses are free, the address it listens on is what the
instructor means, and the sandbox the room relies on works. For the hub (``--hub``): JupyterHub
and its proxy are installed and the hub will run as root (it makes a Unix user per learner);
for a shared emulator: who its functions' workers will run as.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
from pathlib import Path

from ..doctor import Check
from ..net import port_in_use

ROOT = Path(__file__).resolve().parents[3]


def _port(name: str, port: int) -> Check:
    if port_in_use(port):
        return Check(f"port {port}", "fail", f"{name}: something already listens on {port}; stop it or pick another")
    return Check(f"port {port}", "ok", f"{name}: free")


def _bind(host: str) -> Check:
    if host in ("0.0.0.0", "::", ""):
        return Check(
            "bind address",
            "warn",
            f"{host or '0.0.0.0'}: every network this machine is on can reach the "
            "room, over plain HTTP; use it on the classroom's network only",
        )
    if host in ("127.0.0.1", "localhost", "::1"):
        return Check("bind address", "ok", f"{host}: this machine only; learners on other machines cannot reach it")
    return Check("bind address", "ok", f"{host}: the network that address is on")


def instructor_checks(
    hub: bool = False, host: str | None = None, room_port: int = 8765, emulator_port: int = 4566
) -> list[Check]:
    from ..emulator_patch import room_sandbox

    rows: list[Check] = []
    root = os.geteuid() == 0
    missing = room_sandbox.available()
    rows.append(
        Check(
            "sandbox",
            "fail" if missing else "ok",
            missing or f"bubblewrap works here ({room_sandbox.bwrap()}): learners' code runs in a sandbox",
        )
    )
    if hub:
        host = host or os.environ.get("LAMBDA_LAB_HUB_IP", "0.0.0.0")
        try:
            rows.append(Check("jupyterhub", "ok", importlib.metadata.version("jupyterhub")))
        except importlib.metadata.PackageNotFoundError:
            rows.append(
                Check("jupyterhub", "fail", "not installed: classroom/setup installs it (pip install -e '.[room]')")
            )
        proxy = shutil.which("configurable-http-proxy") or (
            ROOT / "classroom/node_modules/.bin/configurable-http-proxy"
        )
        rows.append(
            Check(
                "proxy",
                "ok" if Path(proxy).exists() else "fail",
                str(proxy)
                if Path(proxy).exists()
                else "configurable-http-proxy is not installed: npm install -g configurable-http-proxy",
            )
        )
        rows.append(
            Check(
                "root",
                "ok" if root else "fail",
                "the hub runs as root: each learner's server runs as a Unix user of their own, never root"
                if root
                else "run the hub as root (sudo): it makes a Unix user per learner; as you, every learner would be you",
            )
        )
        for tool in ("useradd", "groupadd", "setpriv"):
            if shutil.which(tool) is None:
                rows.append(Check(tool, "fail", f"{tool} is missing (Debian: util-linux, passwd)"))
        ports = {
            "the hub": int(os.environ.get("LAMBDA_LAB_HUB_PORT", "8000")),
            "the hub's API": int(os.environ.get("LAMBDA_LAB_HUB_API_PORT", "8081")),
            "the proxy's API": int(os.environ.get("LAMBDA_LAB_PROXY_API_PORT", "8001")),
            "the room's collector": int(os.environ.get("LAMBDA_LAB_ROOM_PORT", str(room_port))),
        }
    else:
        host = host or "127.0.0.1"
        rows.append(
            Check(
                "workers' user",
                "ok" if root else "warn",
                "functions run as lambda-lab-worker (made on first use), never as you"
                if root
                else "functions run as your user inside the sandbox: it hides your home and the room's files, "
                "but a file of yours elsewhere on this machine they could read; serve as root to give "
                "them a user of their own",
            )
        )
        ports = {"the room's collector": room_port, "the shared emulator": emulator_port}
    rows.append(_bind(host))
    rows.extend(_port(name, port) for name, port in ports.items())
    return rows
