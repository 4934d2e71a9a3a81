"""The Typer app, its global options, and the one-sentence error wrapper every command uses."""

from __future__ import annotations

import functools
import os
from typing import Annotated

import typer
from botocore.exceptions import EndpointConnectionError
from rich.console import Console

from ..config import BACKEND_ENV, PORT_ENV, resolve_backend
from ..errors import LabError

app = typer.Typer(
    help="Run the AWS Lambda workshop: a local emulator, JupyterLab, and checks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


def friendly(func):
    """Turn LabError (and an unreachable endpoint) into one line on stderr and exit 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except LabError as exc:
            err.print(f"[red]error:[/] {exc}")
            raise typer.Exit(1) from None
        except EndpointConnectionError:
            backend = resolve_backend()
            err.print(f"[red]error:[/] No emulator at {backend.endpoint} — run `lambda-lab up`.")
            raise typer.Exit(1) from None

    return wrapper


@app.callback()
def main(
    backend: Annotated[
        str | None,
        typer.Option("--backend", "-b", help="embedded (default), localstack, or an emulator URL.", envvar=BACKEND_ENV),
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", "-p", help="Local port of the emulator (default 4566).", envvar=PORT_ENV)
    ] = None,
) -> None:
    """Choose the backend once; every command below uses it."""
    if backend:
        os.environ[BACKEND_ENV] = backend
    if port:
        os.environ[PORT_ENV] = str(port)


