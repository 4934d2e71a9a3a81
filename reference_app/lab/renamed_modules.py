"""Old module paths that notebooks from an earlier release import, answered by the modules' new names.

``lambda-lab init`` copies the notebooks into a learner's folder once, and 0.2.0's notebooks import
their helpers from ``reference_app.lab.lessons`` (now ``reference_app.lab.lesson_helpers``). So that
such a folder keeps running after the kit is upgraded, the old name is an alias of the new one (the same
module objects, no second copy), with a FutureWarning that says what to change. Aliases go at 1.0.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings
from types import ModuleType

#: old package -> its new name (every module below it follows)
RENAMED = {"reference_app.lab.lessons": "reference_app.lab.lesson_helpers"}


def new_name(name: str) -> str | None:
    """The module ``name`` now lives at, or None when it was not renamed."""
    for old, new in RENAMED.items():
        if name == old or name.startswith(old + "."):
            return new + name[len(old) :]
    return None


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds an old name and loads it as the module under its new name."""

    warned = False

    def find_spec(self, fullname, path, target=None):
        if new_name(fullname) is None:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec) -> ModuleType:
        new = new_name(spec.name)
        assert new is not None  # find_spec answered for this name only
        if not self.warned:  # one sentence per notebook is enough, however many old names it imports
            self.warned = True
            self._warn(spec.name, new)
        return importlib.import_module(new)

    @staticmethod
    def _warn(name: str, new: str) -> None:
        old = name.split(".")[2]
        warnings.warn(
            f"{name} is now {new}: this notebook came from an earlier lambda-lab; the old name works "
            f"until 1.0 (replace 'lab.{old}' with 'lab.{new.split('.')[2]}' in its import cell).",
            FutureWarning,
            stacklevel=4,
        )

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module is the one already imported under its new name."""


def install() -> None:
    """Answer the old names from now on (once per interpreter)."""
    if not any(isinstance(finder, _Alias) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Alias())  # before the path finder, which would load a second copy
