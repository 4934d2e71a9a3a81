"""Where the kit reads and writes: the per-user home folder and the kit's own files.

* **the home folder** (:func:`lab_home`): emulator state, logs, pid files, build caches, progress,
  the room's membership; ``LAMBDA_LAB_HOME`` moves it. A failed write under it becomes one
  sentence that says what to do (:func:`writing`).
* **the kit's files** (:func:`kit_root`): its checkout, or the course files a wheel ships.

A leaf of the platform layer: everything that keeps or reads a file imports it, it imports
only :mod:`.errors`.
"""

from __future__ import annotations

import errno
import os
from contextlib import contextmanager
from pathlib import Path

import platformdirs

from .errors import LabError

HOME_ENV = "LAMBDA_LAB_HOME"


def lab_home_path() -> Path:
    """The per-user folder for emulator state, logs, pid files and build caches (not created)."""
    override = os.environ.get(HOME_ENV)
    if not override:
        return Path(platformdirs.user_state_dir("lambda-lab"))
    home = Path(override).expanduser()
    if home.exists() and not home.is_dir():
        raise LabError(f"{HOME_ENV} points at {home}, which is a file; set it to a folder (new or existing).")
    return home


def lab_home() -> Path:
    """:func:`lab_home_path`, created if missing."""
    home = lab_home_path()
    with writing(home):
        home.mkdir(parents=True, exist_ok=True)
    return home


_WRITE_ERRORS = {
    errno.ENOSPC: ("the disk is full", "free some space{or_move}"),
    errno.EDQUOT: ("you are over your disk quota", "free some space{or_move}"),
    errno.EROFS: ("it is on a read-only file system", "{move}"),
    errno.EACCES: ("permission denied", "fix its permissions{or_move}"),
    errno.EPERM: ("permission denied", "fix its permissions{or_move}"),
    errno.ENOTDIR: ("a file stands where a folder should be", "move that file{or_move}"),
}
WRITE_ERRNOS = frozenset(_WRITE_ERRORS)


def write_error(folder: Path, exc: OSError) -> LabError:
    """One sentence for a failed write under ``folder``: what is wrong there and what to do."""
    reason, fix = _WRITE_ERRORS.get(exc.errno or 0, (exc.strerror or str(exc), "see its permissions and free space"))
    ours = Path(folder).is_relative_to(lab_home_path())
    move = f"set {HOME_ENV} to a writable folder" if ours else "make it writable"
    or_move = f", or set {HOME_ENV} to a folder on another disk" if ours else ""
    return LabError(f"Cannot write to {folder}: {reason}; {fix.format(move=move, or_move=or_move)}.")


@contextmanager
def writing(folder: Path):
    """Turn a failed write (disk full, read-only, no permission) under ``folder`` into a LabError."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in _WRITE_ERRORS:
            raise
        failed = Path(os.fsdecode(exc.filename)) if exc.filename else None
        if failed is not None and not failed.is_relative_to(folder):
            folder = failed.parent  # e.g. the system's temp folder: name the one that is full
        raise write_error(folder, exc) from None


SHIPPED = "_course"  # in a wheel: reference_app/_course/{notebooks,exercises,solutions}


def shipped_root() -> Path | None:
    """Where an installed wheel keeps the course's files (None in a checkout)."""
    path = Path(__file__).resolve().parents[1] / SHIPPED
    return path if path.is_dir() else None


def kit_root() -> Path:
    """The kit's checkout (the folder that holds ``reference_app/``), or, when the kit was
    installed from a wheel, the course files shipped inside the package."""
    checkout = Path(__file__).resolve().parents[2]
    shipped = shipped_root()
    if shipped is not None and not (checkout / "solutions").is_dir():
        return shipped
    return checkout
