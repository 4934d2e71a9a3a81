"""What a SnapStart function's runtime hooks see, and the uniqueness bug they exist for.

What it demonstrates
    With SnapStart, Lambda runs INIT once, when a version is published, runs the
    ``@register_before_snapshot`` hooks and snapshots the environment's memory; every new
    execution environment of that version is *restored* from the snapshot and runs the
    ``@register_after_restore`` hooks. Whatever INIT computed is therefore shared by every
    restored environment: this module seeds a random generator at INIT (as ``random.Random()``
    does, from ``os.urandom``) and deliberately does not re-seed it after a restore, so two
    environments restored from one snapshot hand out the same "random" request tokens. The
    exercise ``snapstart-hooks`` (module 12) is the fixed version.

    The hooks record the lifecycle (phase and process id) so a notebook can see which ran, where.

Trigger
    Any event; direct invoke of a published version (SnapStart applies to published versions only).

Environment
    None. ``AWS_LAMBDA_INITIALIZATION_TYPE`` is read: ``snap-start`` on AWS for a SnapStart version.

Notebooks
    12_beyond_the_zip (SnapStart for Python).
"""

from __future__ import annotations

import os
import random
from typing import Any

from snapshot_restore_py import register_after_restore, register_before_snapshot

REQUIREMENTS = ("snapshot-restore-py",)

LIFECYCLE: list[str] = [f"init pid={os.getpid()}"]
_tokens = random.Random()  # seeded once, at INIT: the seed is part of the snapshot


@register_before_snapshot
def _before_snapshot() -> None:
    LIFECYCLE.append(f"before_snapshot pid={os.getpid()}")


@register_after_restore
def _after_restore() -> None:
    LIFECYCLE.append(f"after_restore pid={os.getpid()}")  # and no re-seeding: the bug this module shows


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {
        "request_token": f"{_tokens.getrandbits(48):012x}",
        "lifecycle": list(LIFECYCLE),
        "initialization_type": os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE", ""),
    }
