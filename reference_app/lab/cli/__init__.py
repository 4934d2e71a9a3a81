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

from . import course, drill, lifecycle, room, sam  # noqa: F401  (register their commands)
from .base import app

__all__ = ["app"]
