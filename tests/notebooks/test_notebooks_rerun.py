"""Every notebook can be run twice in a row: nothing fails on resources that already exist.

nbval (``pytest notebooks/``) runs each notebook once; this test runs it once more,
in a fresh kernel, against the same emulator. The root conftest orders the
session so that this second run comes right after nbval's run of the same
notebook; when nbval did not run it in this session (``pytest tests/notebooks``),
the test runs it twice itself. Either way each notebook runs exactly twice.
"""

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def run(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    try:
        client.execute()
    finally:
        keep = os.environ.get("LAMBDA_LAB_EXECUTED_DIR")  # CI uploads these when a run fails
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, Path(keep) / path.name)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, f"{errors[0]['ename']}: {errors[0]['evalue']}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_twice_in_a_row(backend, request, path):
    runs = 1 if path.resolve() in getattr(request.config, "lambda_lab_nbval_ran", set()) else 2
    for _ in range(runs):
        run(path)
