"""In a kernel, the kit's results display as labelled tables, not dataclass reprs (issue 8.7).

The cells are the recommended forms of 00_setup's cells (see the issue note): the
status from ``lab.up()``, the checks, the deployment, and a failed invocation.
"""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

FAILING = Path(__file__).resolve().parents[1] / "emulator" / "fixtures" / "failing_handler.py"


def _outputs(cell) -> dict:
    data = {}
    for output in cell.outputs:
        data.update(output.get("data", {}))
    return data


def test_results_display_as_tables_in_a_kernel(backend):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("from reference_app import lab\nlab.up()"),
            nbformat.v4.new_code_cell("lab.show_checks()"),
            nbformat.v4.new_code_cell(
                'dep = lab.deploy_function("nb-display-hello", "reference_app.handlers.hello")\ndep'
            ),
            nbformat.v4.new_code_cell(
                f'lab.deploy_function("nb-display-fails", {str(FAILING)!r})\n'
                'lab.invoke("nb-display-fails", {"order": 1})'
            ),
        ]
    )
    NotebookClient(nb, kernel_name="python3", timeout=180).execute()
    status, checks, deployment, failure = (_outputs(c) for c in nb.cells)
    for shown in (status, checks, deployment, failure):
        assert "text/html" in shown and "<table>" in shown["text/html"]
    assert "Backend(" not in status["text/plain"] and f"Emulator healthy at {backend.endpoint}" in status["text/plain"]
    runtime = next(line for line in checks["text/plain"].splitlines() if " runtime " in line)
    assert runtime.rstrip().endswith("do not load on AWS") or "python3.13, the host runs python3.13" in runtime
    assert deployment["text/plain"].startswith("nb-display-hello: ")
    assert "RuntimeError: always fails" in failure["text/plain"] and "\\n" not in failure["text/plain"]
    assert len(failure["text/plain"].splitlines()) > 5
