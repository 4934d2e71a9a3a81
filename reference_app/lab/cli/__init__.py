"""``lambda-lab``: the kit's command line.

Every command takes ``--backend`` (``embedded``, ``localstack`` or a URL) and
``--port``; both default to ``LAMBDA_LAB_BACKEND`` / ``LAMBDA_LAB_PORT``. Problems a
learner can fix are printed as one sentence, never as a traceback.

The commands live in modules by what a reader looks for: :mod:`.lifecycle`
(up, down, status, doctor, reset, paths, lab), :mod:`.course` (check,
hint, exercise reset/list, generate), :mod:`.sam` (events, invoke, logs,
deploy: the SAM CLI's verbs) and :mod:`.drill` (the interview drill). Each
registers on :data:`app`,
defined in :mod:`.base`.
"""

from __future__ import annotations

__all__ = ["app"]


def __getattr__(name: str):
    # ``app`` is built on first use: the console script (:mod:`.quick`) starts ``lambda-lab up``
    # without loading Typer, rich and every command module.
    if name == "app":
        import importlib

        from .base import app

        # Registered in the order `lambda-lab --help` lists them: what a learner runs first, first.
        for module in ("lifecycle", "course", "sam", "drill", "room"):
            importlib.import_module(f"{__name__}.{module}")

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
