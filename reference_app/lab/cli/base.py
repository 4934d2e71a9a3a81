"""The Typer app, its global options, and the one-sentence error wrapper every command uses.

``--backend`` and ``--port`` work before the command (``lambda-lab --port 4567 up``)
and after it (``lambda-lab up --port 4567``): hints print the second form, which
is what people type. :class:`LabTyper` adds both options to every command it
registers, so a command module only declares its own options.
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ParamValidationError,
    ReadTimeoutError,
)
from rich.console import Console
from rich.markup import escape

from ..config import BACKEND_ENV, PORT_ENV, WRITE_ERRNOS, resolve_backend, write_error
from ..emulator import unreachable
from ..errors import LabError

BackendOption = Annotated[
    str | None,
    typer.Option("--backend", "-b", help="embedded (default), localstack, or an emulator URL.", envvar=BACKEND_ENV),
]
PortOption = Annotated[
    int | None, typer.Option("--port", "-p", help="Local port of the emulator (default 4566).", envvar=PORT_ENV)
]


def lazy_module(name: str):
    """``name``, imported when a command first uses it (importlib's LazyLoader recipe): every
    ``lambda-lab`` call builds the whole command table, and ``lambda-lab up`` should not pay for
    the grader, the notebook builder or boto3 (benchmarks/lab_startup.py, the `up` ratio)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)  # as `import` says it
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def select_backend(backend: str | None, port: int | None) -> None:
    """Make ``--backend``/``--port`` the environment every command (and its children) reads."""
    if backend:
        os.environ[BACKEND_ENV] = backend
    if port:
        os.environ[PORT_ENV] = str(port)


def with_backend_options(func):
    """``func`` plus keyword options ``--backend``/``--port``, applied before it runs."""
    signature = inspect.signature(func, eval_str=True)
    added = {
        "backend": inspect.Parameter("backend", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=BackendOption),
        "port": inspect.Parameter("port", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=PortOption),
    }

    @functools.wraps(func)
    def wrapper(*args: Any, backend: str | None = None, port: int | None = None, **kwargs: Any):
        select_backend(backend, port)
        return func(*args, **kwargs)

    # inspect (and so Typer) reads __signature__; typeshed's functools._Wrapped does not declare it
    parameters = [*signature.parameters.values(), *added.values()]
    setattr(wrapper, "__signature__", signature.replace(parameters=parameters))  # noqa: B010
    wrapper.__annotations__ = {**func.__annotations__, "backend": BackendOption, "port": PortOption}
    return wrapper


class LabTyper(typer.Typer):
    """A Typer app whose every command also takes ``--backend`` and ``--port``."""

    def command(self, *args: Any, **kwargs: Any):
        register = super().command(*args, **kwargs)
        return lambda func: register(with_backend_options(func))


app = LabTyper(
    help="Run the AWS Lambda workshop: a local emulator, JupyterLab, and checks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


def plain(text: object) -> str:
    """The kit's own text, shown as it is: rich must not read "pip install -e '.[dev]'" as markup."""
    return escape(str(text))


def friendly(func):
    """Turn LabError (and an endpoint that does not answer) into one line on stderr and exit 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except LabError as exc:
            err.print(f"[red]error:[/] {plain(exc)}")
            raise typer.Exit(1) from None
        except (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError) as exc:
            err.print(f"[red]error:[/] {plain(unreachable(resolve_backend(), exc))}")
            raise typer.Exit(1) from None
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code, message = error.get("Code", "Error"), " ".join(str(error.get("Message", "")).split())
            err.print(f"[red]error:[/] The emulator refused {exc.operation_name} ({code}): {plain(message[:300])}")
            raise typer.Exit(1) from None
        except ParamValidationError as exc:
            err.print(f"[red]error:[/] {plain(' '.join(str(exc).split()))}")
            raise typer.Exit(1) from None
        except OSError as exc:  # a write the kit did not expect to fail (disk full, read-only)
            if exc.errno not in WRITE_ERRNOS or not exc.filename:
                raise
            err.print(f"[red]error:[/] {plain(write_error(Path(os.fsdecode(exc.filename)).parent, exc))}")
            raise typer.Exit(1) from None

    return wrapper


@app.callback()
def main(backend: BackendOption = None, port: PortOption = None) -> None:
    """Choose the backend once; every command below uses it (each also takes --backend/--port)."""
    select_backend(backend, port)
