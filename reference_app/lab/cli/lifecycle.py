"""Emulator lifecycle commands: up, down, status, doctor, reset, paths, lab."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .. import doctor as doctor_mod
from .. import embedded, emulator, net
from ..config import lab_home, resolve_backend
from ..errors import LabError
from .base import app, err, friendly, out

_MARK = {"ok": "[green]✓[/]", "warn": "[yellow]![/]", "fail": "[red]✗[/]"}


@app.command()
@friendly
def up() -> None:
    """Start the emulator (or find one already running) and wait until it is healthy."""
    backend = resolve_backend()
    with out.status(f"Starting the {backend.kind} emulator at {backend.endpoint} ..."):
        st = emulator.up(backend)
    owner = f"started by lambda-lab, pid {st.pid}" if st.pid else "already running"
    out.print(f"[green]✓[/] {st.emulator} {st.version or ''} healthy at {backend.endpoint} ({owner})")


@app.command()
@friendly
def down() -> None:
    """Stop the emulator that lambda-lab started (never one it did not start)."""
    out.print(emulator.down())


@app.command()
@friendly
def status() -> None:
    """Show the backend, its endpoint and health, and the functions deployed."""
    backend = resolve_backend()
    st = emulator.status(backend)
    table = Table(show_header=False, box=None)
    table.add_row("backend", backend.kind)
    table.add_row("endpoint", backend.endpoint)
    table.add_row("health", "[green]healthy[/]" if st.healthy else "[red]not running[/]")
    if st.healthy:
        table.add_row("emulator", f"{st.emulator} {st.version or ''}")
        table.add_row("started by", f"lambda-lab (pid {st.pid})" if st.pid else "someone else")
        table.add_row("functions", ", ".join(st.functions) or "none")
        table.add_row("memory", str(st.memory) if st.memory else "unknown (not started by lambda-lab)")
    out.print(table)
    if not st.healthy:
        err.print(f"No emulator at {backend.endpoint} — run `lambda-lab up`.")
        raise typer.Exit(1)


@app.command()
@friendly
def doctor() -> None:
    """Check Python, packages, the port or emulator, Docker and token (localstack), and runtimes."""
    checks = doctor_mod.run_checks()
    table = Table(show_header=False, box=None)
    for check in checks:
        table.add_row(_MARK[check.level], check.name, check.detail)
    out.print(table)
    if any(c.level == "fail" for c in checks):
        raise typer.Exit(1)


@app.command()
@friendly
def reset(
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (an emulator on this machine only).")
    ] = False,
) -> None:
    """Delete every resource in the emulator (ministack's reset; LocalStack is restarted)."""
    backend = resolve_backend()
    confirm_host = None
    if net.is_remote(backend):
        # Someone else's emulator: its resources are other people's work too. Always ask,
        # and make the learner type the host, before anything is sent there.
        net.check_endpoint(backend.endpoint)
        err.print(
            f"The emulator at {backend.endpoint} is not on this machine: a reset deletes everyone's resources there."
        )
        confirm_host = typer.prompt(f"Type its host name ({backend.host}) to reset it", default="", show_default=False)
        if confirm_host != backend.host:
            out.print("Nothing was reset.")
            return
    else:
        emulator.require(backend)
        if not yes and not typer.confirm(f"Delete every resource in the emulator at {backend.endpoint}?"):
            out.print("Nothing was reset.")
            return
    with out.status("Resetting ..."):
        out.print(emulator.reset(backend, confirm_host=confirm_host))


@app.command()
@friendly
def paths() -> None:
    """Show where the kit keeps emulator state, logs and caches."""
    backend = resolve_backend()
    out.print(f"home      {lab_home()}")
    if backend.kind == "embedded":
        out.print(f"emulator  {embedded.run_dir(backend)}")
        out.print(f"log       {embedded.log_file(backend)}")


def _notebooks_dir() -> Path:
    from .. import course

    here = Path.cwd() / "notebooks"
    if here.is_dir():
        return here
    if course.installed_from_wheel():
        raise LabError("There is no notebooks/ folder here; run `lambda-lab init my-workshop`, then "
                       "`lambda-lab lab` inside my-workshop.")
    repo = course.kit_root() / "notebooks"
    if repo.is_dir():
        return repo
    raise LabError("Cannot find the notebooks/ folder; run `lambda-lab lab` from the kit's checkout.")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
@friendly
def lab(
    ctx: typer.Context,
    keep: Annotated[bool, typer.Option("--keep", help="Leave the emulator running when JupyterLab exits.")] = False,
) -> None:
    """Bring the emulator up, then run JupyterLab on notebooks/ (extra options go to JupyterLab)."""
    backend = resolve_backend()
    notebooks = _notebooks_dir()  # fail before starting anything
    already_running = net.health(backend.endpoint) is not None
    with out.status(f"Starting the {backend.kind} emulator ..."):
        st = emulator.up(backend)
    out.print(f"[green]✓[/] {st.emulator} healthy at {backend.endpoint}")
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        f"--notebook-dir={notebooks}",
        # The kit works offline and asks nothing of the internet: no news feed, no update check.
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI often run as root; Jupyter refuses otherwise
    jupyter = subprocess.Popen([*command, *ctx.args])
    while True:
        try:
            code = jupyter.wait()
            break
        except KeyboardInterrupt:
            continue  # Ctrl-C reaches JupyterLab too; it asks, then exits, and we wait for it
    if st.pid and not already_running and not keep:  # stop only what this command started
        out.print(emulator.down(backend))
    raise typer.Exit(code)
