"""Emulator lifecycle commands: up, down, status, doctor, reset, paths, lab."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .. import course, embedded, emulator, net
from ..config import HOME_ENV, account_id, lab_home_path, resolve_backend
from ..errors import LabError
from . import supervise
from .base import app, err, friendly, lazy_module, out, plain

doctor_mod = lazy_module("reference_app.lab.doctor")
packaging = lazy_module("reference_app.lab.packaging")
import_check = lazy_module("reference_app.lab.import_check")
runtime_sdk = lazy_module("reference_app.lab.runtime_sdk")
preflight = lazy_module("reference_app.lab.room.preflight")

_MARK = {"ok": "[green]✓[/]", "warn": "[yellow]![/]", "fail": "[red]✗[/]"}


@app.command()
@friendly
def up() -> None:
    """Start the emulator (or find one already running) and wait until it is healthy."""
    backend = resolve_backend()
    with out.status(f"Starting the {backend.kind} emulator at {backend.endpoint} ..."):
        st = emulator.up(backend)
    owner = f"started by lambda-lab, pid {st.pid}" if st.pid else "already running"
    out.print(f"[green]✓[/] {plain(st.emulator)} {plain(st.version or '')} healthy at {backend.endpoint} ({owner})")
    if st.notice:
        err.print(f"[yellow]note:[/] {plain(st.notice)}")


@app.command()
@friendly
def down() -> None:
    """Stop the emulator that lambda-lab started (never one it did not start)."""
    out.print(plain(emulator.down()))


@app.command()
@friendly
def status() -> None:
    """Show the backend, its endpoint and health, and the functions deployed."""
    backend = resolve_backend()
    st = emulator.status(backend)
    table = Table(show_header=False, box=None)
    table.add_row("backend", backend.kind)
    table.add_row("endpoint", backend.endpoint)
    table.add_row("health", "[green]healthy[/]" if st.healthy else "[red]not healthy[/] (see below)")
    if st.healthy:
        table.add_row("emulator", f"{st.emulator} {st.version or ''}")
        table.add_row("started by", f"lambda-lab (pid {st.pid})" if st.pid else "someone else")
        table.add_row("functions", ", ".join(st.functions or []) or "none")  # details: always listed
        table.add_row("memory", str(st.memory) if st.memory else "unknown (not started by lambda-lab)")
    out.print(table)
    if st.notice:
        err.print(f"[yellow]note:[/] {plain(st.notice)}")
    if not st.healthy:
        err.print(plain(st.problem))
        raise typer.Exit(1)


@app.command()
@friendly
def doctor(
    instructor: Annotated[
        bool, typer.Option("--instructor", help="Also check what serving a room needs here.")
    ] = False,
    hub: Annotated[
        bool, typer.Option("--hub", help="With --instructor: the classroom hub, not a shared emulator.")
    ] = False,
) -> None:
    """Check Python, packages, the port or emulator, Docker and token (localstack), and runtimes."""
    checks = doctor_mod.run_checks()
    if instructor or hub:
        checks.extend(preflight.instructor_checks(hub=hub))
    table = Table(show_header=False, box=None)
    for check in checks:
        table.add_row(_MARK[check.level], plain(check.name), plain(check.detail))
    out.print(table)
    if any(c.level == "fail" for c in checks):
        raise typer.Exit(1)


@app.command()
@friendly
def reset(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete every resource in the emulator (on one a room shares: only yours)."""
    backend = resolve_backend()
    if backend.kind == "url":
        # Maybe a room's: only the learner's own account is emptied, never anyone else's.

        net.check_endpoint(backend.endpoint)
        emulator.require(backend)
        question = (
            f"Delete every resource of yours (account {account_id(backend)}) in the emulator at "
            f"{backend.endpoint}? Nobody else's are touched"
        )
        if not yes and not typer.confirm(question):
            out.print("Nothing was reset.")
            return
    elif emulator.stopped_with_saved_state(backend):
        question = f"The emulator on port {backend.port} is stopped; delete the state it saved (every resource)?"
        if not yes and not typer.confirm(question):
            out.print("Nothing was reset.")
            return
    else:
        emulator.require(backend)
        if not yes and not typer.confirm(f"Delete every resource in the emulator at {backend.endpoint}?"):
            out.print("Nothing was reset.")
            return
    with out.status("Resetting ..."):
        out.print(plain(emulator.reset(backend)))


@app.command()
@friendly
def paths() -> None:
    """Show where the kit keeps emulator state, logs and caches (it creates nothing)."""
    backend = resolve_backend()
    rows = [("home", lab_home_path(), f"everything below; move it with {HOME_ENV}")]
    if backend.kind == "embedded":
        run = embedded.run_path(backend)
        rows += [
            ("emulator", run, f"the embedded emulator on port {backend.port}"),
            ("state", run / "state", "functions, tables, queues ...: kept across down/up"),
            ("S3 objects", run / "s3", "kept across down/up; `lambda-lab reset` empties both"),
            ("log", embedded.log_file(backend), "the emulator's output"),
            ("pid file", embedded.pid_file(backend), "the emulator lambda-lab started"),
        ]
    rows += [
        ("drill progress", lab_home_path() / "drill.json", "interview drill and notebook quiz answers"),
        ("course progress", lab_home_path() / "progress.json", "`lambda-lab check` attempts and hints"),
        ("build cache", packaging.build_cache_dir(), "zips, reused while source and packages match"),
        ("import checks", import_check.import_check_dir(), "zips that passed the isolated import check"),
        ("runtime SDK", runtime_sdk.runtime_sdk_dir(), "boto3 as the Lambda runtime provides it"),
    ]
    for name, path, note in rows:  # one line each, never cut: the terminal wraps, a path stays copyable
        out.print(f"{name:<14} {plain(path)}  [dim]# {plain(note)}[/]", soft_wrap=True, highlight=False)


def _course_dir() -> Path:
    """The folder JupyterLab opens: the one holding ``notebooks/`` and ``exercises/`` side by side."""
    here = Path.cwd()
    if (here / "notebooks").is_dir():
        return here
    if here.name == "notebooks" and (here.parent / "exercises").is_dir():
        return here.parent
    if course.installed_from_wheel():
        raise LabError(
            "There is no notebooks/ folder here; run `lambda-lab init my-workshop`, then "
            "`lambda-lab lab` inside my-workshop."
        )
    root = course.kit_root()
    if (root / "notebooks").is_dir():
        return root
    raise LabError("Cannot find the notebooks/ folder; run `lambda-lab lab` from the kit's checkout.")


# JupyterLab's "announcements" plugin asks "Would you like to get notified about official Jupyter
# news?" on every page (whatever news_url says) and checks for updates online: the kit disables it.
NO_ANNOUNCEMENTS = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
DEFAULT_HIDDEN = ["__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*~", ".ipynb_checkpoints"]


def terminal_rc(bin_dir: Path) -> str:
    """The startup file of JupyterLab's terminal: the learner's own ~/.bashrc, then the kit's
    environment first on PATH (a login shell's /etc/profile would have reset it)."""
    return (
        "# lambda-lab: JupyterLab's terminal. Your ~/.bashrc first, then the kit's environment first on PATH.\n"
        '[ -r "$HOME/.bashrc" ] && . "$HOME/.bashrc"\n'
        f'export PATH={shlex.quote(str(bin_dir))}:"$PATH"\n'
    )


def jupyter_config(folder: Path, solutions: bool) -> dict:
    """What ``lambda-lab lab`` tells JupyterLab (written to a config folder of its own, see ``lab``):
    a terminal with the kit on PATH however JupyterLab was started, no extension manager that asks
    PyPI, the solutions not in the file browser in learner mode."""
    bin_dir = Path(sys.executable).parent
    rc = folder / "terminal.bashrc"
    rc.write_text(terminal_rc(bin_dir), encoding="utf-8")
    bash = shutil.which("bash")
    # Without shell_command, jupyter_server_terminals starts `$SHELL -l` when it has no terminal
    # itself (a background job, a devcontainer, a hub), and /etc/profile resets PATH.
    shell = [bash, "--rcfile", str(rc), "-i"] if bash else [os.environ.get("SHELL") or "sh", "-i"]
    return {
        "ServerApp": {"terminado_settings": {"shell_command": shell}},
        "ContentsManager": {"hide_globs": DEFAULT_HIDDEN + ([] if solutions else ["solutions"])},
        "LabApp": {"extension_manager": "readonly"},  # the "pypi" manager looks up the index at start
        # Kernels talk to JupyterLab over CurveZMQ-encrypted sockets where the kernel supports it (ipykernel
        # does): no "Kernel is running over TCP without encryption" warning for each kernel.
        "KernelManager": {"transport_encryption": "auto"},
    }


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
@friendly
def lab(
    ctx: typer.Context,
    keep: Annotated[bool, typer.Option("--keep", help="Leave the emulator running when JupyterLab exits.")] = False,
) -> None:
    """Bring the emulator up, then run JupyterLab on the course folder (extra options go to JupyterLab).

    The course folder holds notebooks/ and exercises/ side by side. --no-browser starts it without
    opening a browser (a headless machine: open the printed URL yourself). --port is the emulator's,
    as for every command; JupyterLab's own port is --ServerApp.port=8889. However JupyterLab ends
    (File > Shut Down, Ctrl-C and y, closing the terminal, kill), the emulator this command started
    is stopped, unless --keep.
    """
    backend = resolve_backend()
    folder = _course_dir()  # fail before starting anything
    config_dir = Path(tempfile.mkdtemp(prefix="lambda-lab-jupyter-"))
    (config_dir / "labconfig").mkdir()
    (config_dir / "labconfig" / "page_config.json").write_text(json.dumps(NO_ANNOUNCEMENTS), encoding="utf-8")
    (config_dir / "jupyter_server_config.json").write_text(
        json.dumps(jupyter_config(config_dir, course.solutions_mode()), indent=1), encoding="utf-8"
    )
    # JupyterLab, its terminals and kernels: the kit's environment first, its config folder read too
    # (after the learner's own ~/.jupyter, which still wins).
    bin_dir = str(Path(sys.executable).parent)
    os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])
    if sys.prefix != sys.base_prefix:
        os.environ["VIRTUAL_ENV"] = sys.prefix
    os.environ["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        p for p in (str(config_dir), os.environ.get("JUPYTER_CONFIG_PATH", "")) if p
    )
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        f"--ServerApp.root_dir={folder}",
        # The kit works offline and asks nothing of the internet: no news feed, no update check.
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI often run as root; Jupyter refuses otherwise
    started = None
    code = 1
    # From here on a signal is recorded, not fatal: however the session ends, the emulator
    # this command started is stopped (see supervise for what each signal does).
    with supervise.watching() as signals:
        try:
            already_running = net.health(backend.endpoint) is not None
            with out.status(f"Starting the {backend.kind} emulator ..."):
                st = emulator.up(backend)
            started = st.pid if st.pid and not already_running else None  # stop only what this command started
            _say(f"[green]✓[/] {plain(st.emulator)} healthy at {backend.endpoint}")
            if st.notice:
                _say(f"[yellow]note:[/] {plain(st.notice)}")
            pending = signals.pop()
            code = 128 + pending if pending else supervise.run([*command, *ctx.args], signals, _say)
        finally:
            if started and not keep:
                _say(plain(emulator.down(backend)))
            shutil.rmtree(config_dir, ignore_errors=True)
    raise typer.Exit(code)


def _say(text: str) -> None:
    """Print, unless the terminal is gone (closed: SIGHUP); stopping must go on regardless."""
    try:
        out.print(text)
    except OSError:
        pass
