"""Committed notebooks carry no outputs and no execution counts, and no path hacks."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PATH_HACK = re.compile(r"sys\.path\.(append|insert)")
NOTEBOOKS = sorted(
    p
    for d in ("notebooks", "exercises", "solutions")
    for p in (ROOT / d).glob("**/*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_clean(path):
    nb = json.loads(path.read_text())
    for index, cell in enumerate(nb["cells"]):
        source = "".join(cell["source"])
        assert not PATH_HACK.search(source), f"cell {index}: install the package instead of editing the import path"
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"cell {index} has outputs: run `nbstripout {path.name}`"
            assert cell.get("execution_count") is None, f"cell {index} has an execution count"
