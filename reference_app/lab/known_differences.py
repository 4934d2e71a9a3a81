"""Where the embedded emulator (ministack) differs from AWS, as data (``known_differences.yml``).

One list, read by the README's fidelity table test, by the lessons
(``lab.fidelity("api gateway")`` shows the rows a lesson meets) and by the
doctor. Each row says what AWS does, what the emulator does, and what the kit
does about it: ``closed`` (the kit makes the emulator behave as AWS),
``guarded`` (the kit checks it before the call, on every backend) or ``stated``
(a known difference the lesson that meets it states). Source paths are under
``ministack/`` (version pinned in ``pyproject.toml``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from importlib import resources

from .errors import LabError

EMULATOR_VERSION = "1.5.33"


@dataclass(frozen=True)
class Difference:
    id: str
    area: str
    aws: str
    emulator: str
    kit: str  # "closed" | "guarded" | "stated"
    note: str = ""
    source: str = ""


def _load() -> tuple[Difference, ...]:
    import yaml

    rows = yaml.safe_load(resources.files(__package__).joinpath("known_differences.yml").read_text(encoding="utf-8"))
    return tuple(Difference(**row) for row in rows)


#: The rows, kept as data in known_differences.yml beside this module.
DIFFERENCES: tuple[Difference, ...] = _load()

KIT_MEANINGS = {
    "closed": "the kit makes the emulator behave as AWS",
    "guarded": "the kit checks it itself, on every backend",
    "stated": "a known difference; the lesson that meets it says so",
}


def differences(area: str | None = None) -> list[Difference]:
    """Every known difference, or those of one ``area`` ("api gateway", "event sources" …)."""
    if area is None:
        return list(DIFFERENCES)
    found = [d for d in DIFFERENCES if d.area == area.lower()]
    if not found:
        areas = sorted({d.area for d in DIFFERENCES})
        raise LabError(f"No fidelity notes for {area!r}; the areas are: {', '.join(areas)}.")
    return found


def fidelity(area: str | None = None):
    """The differences as a table for a notebook (pandas DataFrame, indexed by id)."""
    import pandas as pd

    rows = [asdict(d) for d in differences(area)]
    return pd.DataFrame(rows).set_index("id")[["area", "aws", "emulator", "kit", "note"]]
