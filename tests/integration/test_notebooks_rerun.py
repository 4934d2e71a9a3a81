"""Every notebook can be run twice in a row: nothing fails on resources that already exist.

nbval (``pytest notebooks/``) runs each notebook once; this runs each one again,
in a fresh kernel, right after a first full run, against the same emulator.
"""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_twice_in_a_row(backend, path):
    for attempt in (1, 2):
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
        assert not errors, f"run {attempt}: {errors[0]['ename']}: {errors[0]['evalue']}"
