"""The one polling loop of the kit: try now, then back off until a deadline.

Every wait (a function becoming Active, a mapping settling, log lines arriving,
the emulator answering) is written as::

    for _ in attempts(deadline_s=60):
        conf = lam.get_function_configuration(FunctionName=name)
        if conf["State"] == "Active":
            return conf
    raise LabError("... still not Active after 60 s.")

The first attempt runs at once; later ones follow after ``first`` seconds,
doubling up to ``cap``; the last one runs at the deadline, so a condition that
becomes true just in time is still seen.
"""

from __future__ import annotations

import time
from collections.abc import Iterator


def attempts(deadline_s: float, first: float = 0.05, cap: float = 1.0, factor: float = 2.0) -> Iterator[int]:
    """Yield attempt numbers 0, 1, 2 … with exponential back-off between them until
    ``deadline_s`` seconds have passed (the loop body decides when it is done)."""
    end = time.monotonic() + deadline_s
    delay = first
    attempt = 0
    while True:
        yield attempt
        attempt += 1
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(delay, left))
        delay = min(delay * factor, cap)
