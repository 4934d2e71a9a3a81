"""Room commands: ``lambda-lab room`` (the instructor's live table), ``room serve``, ``room join``, ``room leave``."""

from __future__ import annotations

import os
import signal
import socket
import time
from typing import Annotated

import typer
from rich.live import Live
from rich.table import Table

from .. import emulator as emulator_mod
from ..accounts.credentials import FILE, PATH_ENV, Registry
from ..config import resolve_backend
from ..emulator_patch.room_accounts import SHARED_BIND_ENV, SHARED_ENV
from ..errors import LabError
from .base import app, friendly, lazy_module, out, plain

# The room's server, view and reports load when a room command runs, not on every `lambda-lab` call.
collector = lazy_module("reference_app.lab.room.collector")
reporting = lazy_module("reference_app.lab.room.reporting")
view_mod = lazy_module("reference_app.lab.room.view")

room_app = typer.Typer(
    help="A room: the instructor's live table (no subcommand), serve, join, leave.",
    invoke_without_command=True,
)
app.add_typer(room_app, name="room")

UrlOption = Annotated[str | None, typer.Option("--url", help="The room's address (default: this machine's room).")]
KeyOption = Annotated[str | None, typer.Option("--key", help="The instructor's key (default: this machine's room).")]

# What a room's shared emulator uses to give memory back when learners go idle (see classroom/GUIDE.md):
# an idle function's worker stops after a minute, a burst's extra workers after ten seconds, and at most
# two idle workers per expected learner stay warm. Set any of them to override.
ROOM_RUNTIME = {"LAMBDA_LAB_WARM_IDLE_S": "60", "LAMBDA_LAB_BURST_IDLE_S": "10"}
WARM_WORKERS_PER_LEARNER = 2


def _table(view) -> Table:
    """Learners by exercise. A course has some twenty exercises: their columns are numbered (the
    table below names each number), so names and marks stay whole on a terminal."""
    rows = view.rows()
    # Everything a learner sent is shown as text: names and check names are cleaned by the collector
    # (no escape sequences) and escaped here (no rich markup, no links).
    table = Table(title=plain(f"{len(view.learners)} learners · {view.where_stuck()}"), title_justify="left")
    table.add_column("learner", no_wrap=True, min_width=max([7, *(len(plain(r["learner"])) for r in rows)]))
    table.add_column("done", justify="right", no_wrap=True)
    for number, _ in enumerate(view.exercises, 1):
        table.add_column(str(number), justify="center", no_wrap=True)
    table.add_column("last seen", no_wrap=True)
    for row in rows:
        table.add_row(
            plain(row["learner"]), str(row["done"]), *(row[ex] or "·" for ex in view.exercises), row["last seen"]
        )
    number_of = {ex: str(n) for n, ex in enumerate(view.exercises, 1)}
    stuck = Table(show_header=True, box=None)
    for column in ("#", "exercise", "passed", "failing", "started", "not tried", "most failed check"):
        stuck.add_column(column)
    for s in view.stuck():
        top = f"{plain(s.top_failure)} ({s.top_failure_count})" if s.top_failure else ""
        stuck.add_row(
            number_of.get(s.exercise, ""),
            plain(s.exercise),
            str(s.passed),
            str(s.failing),
            str(s.started),
            str(s.not_tried),
            top,
        )
    grid = Table.grid()
    grid.add_row(table)
    grid.add_row(stuck)
    return grid


@room_app.callback()
@friendly
def room(
    ctx: typer.Context,
    url: UrlOption = None,
    key: KeyOption = None,
    once: Annotated[bool, typer.Option("--once", help="Print the table once and exit.")] = False,
    every: Annotated[float, typer.Option("--every", help="Seconds between refreshes.")] = 2.0,
) -> None:
    """The instructor's live table: who finished which exercise, and where the room is stuck."""
    if ctx.invoked_subcommand is not None:
        return

    view = view_mod.RoomView.from_collector(url, key)
    if once:
        out.print(_table(view))
        return
    try:
        with Live(_table(view), console=out, refresh_per_second=4, screen=False) as live:
            while True:
                time.sleep(every)
                live.update(_table(view_mod.RoomView.from_collector(url, key)))
    except KeyboardInterrupt:
        pass


@room_app.command()
@friendly
def serve(
    host: Annotated[
        str, typer.Option("--host", help="The address to listen on; 0.0.0.0 for the room's network.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="The room's port.")] = 8765,
    emulator: Annotated[bool, typer.Option("--emulator", help="Also run one emulator the room shares.")] = False,
    emulator_port: Annotated[int, typer.Option("--emulator-port", help="The shared emulator's port.")] = 4566,
    learners: Annotated[int, typer.Option("--learners", help="Learners expected (sizes the shared emulator).")] = 30,
    title: Annotated[str, typer.Option("--title", help="The room's name, shown to learners.")] = "lambda-lab",
) -> None:
    """Instructor: open the room. Learners join it; their check results show in `lambda-lab room`."""
    backend, started = None, False
    shared_url = None
    if emulator:
        from ..emulator_patch import room_sandbox

        missing = room_sandbox.available()
        if missing and os.environ.get(room_sandbox.UNSANDBOXED_ENV) != "1":
            raise LabError(
                f"Cannot share an emulator safely: {missing}. "
                f"(Or set {room_sandbox.UNSANDBOXED_ENV}=1 to run "
                "learners' functions with your rights, on a machine with nothing else on it.)"
            )
        credentials = collector.room_dir() / FILE
        Registry(credentials)  # the instructor's secret exists before the emulator reads it
        os.environ[PATH_ENV] = str(credentials)
        os.environ[SHARED_ENV] = "1"
        os.environ[SHARED_BIND_ENV] = host
        settings = {**ROOM_RUNTIME, "LAMBDA_LAB_WARM_WORKERS": str(WARM_WORKERS_PER_LEARNER * learners)}
        for name, value in settings.items():
            os.environ.setdefault(name, value)
        backend = resolve_backend("embedded", port=emulator_port)
        with out.status(f"Starting the room's emulator on port {emulator_port} ..."):
            st = emulator_mod.up(backend)
        started = bool(st.pid)
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        shared_url = f"http://{shown}:{emulator_port}"
    try:
        server, me = collector.make_server(host, port, shared_url, title)
    except OSError as exc:
        if started:
            emulator_mod.down(backend)
        raise LabError(f"Cannot listen on {host}:{port} ({exc.strerror}); pick another port with --port.") from None
    address = socket.gethostname() if host in ("0.0.0.0", "::") else host
    out.print(f"[green]✓[/] Room open at {me.url}" + (f", sharing the emulator at {shared_url}" if shared_url else ""))
    out.print(
        f"  learners:   lambda-lab room join http://{address}:{server.server_port} --code {me.code} --name YOUR-NAME"
    )
    out.print(f"  join code:  {me.code}   (give it to the room only)")
    out.print("  instructor: lambda-lab room   (or lab.room_view() in a notebook)")
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if started:
            out.print(plain(emulator_mod.down(backend)))


@room_app.command()
@friendly
def join(
    url: Annotated[str, typer.Argument(help="The room's address, as the instructor gave it.")],
    name: Annotated[str, typer.Option("--name", help="Your name, as the instructor will see it.")],
    code: Annotated[str, typer.Option("--code", help="The room's join code, as the instructor gave it.")],
) -> None:
    """Learner: join a room. From now on your check results are reported there (`room leave` stops it)."""
    out.print(f"[green]✓[/] {plain(reporting.join_room(url, name, code))}")
    out.print("Your `lambda-lab check` results now go to the room; `lambda-lab room leave` stops that.")


@room_app.command()
@friendly
def leave() -> None:
    """Learner: leave the room; nothing is sent there any more."""
    out.print(plain(reporting.leave()))
