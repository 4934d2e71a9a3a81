"""In a notebook, the kit's errors read as one sentence; other errors keep their traceback."""

import nbformat
from nbclient import NotebookClient


def test_kit_errors_are_one_sentence_in_a_kernel(free_port):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                f"import os\nos.environ['LAMBDA_LAB_PORT'] = '{free_port}'\nfrom reference_app import lab"
            ),
            nbformat.v4.new_code_cell("lab.invoke('anything', {})"),  # nothing listens on that port
            nbformat.v4.new_code_cell("lab.deploy_function('x', 'reference_app.handlers.nope')"),
            nbformat.v4.new_code_cell("1 / 0"),
        ]
    )
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=120).execute()
    no_emulator, no_module, other = ([o for o in c.outputs if o.output_type == "error"] for c in nb.cells[1:])
    assert len(no_emulator[0].traceback) == 1
    assert f"No emulator at http://127.0.0.1:{free_port} — run `lab.up()`" in no_emulator[0].traceback[0]
    assert no_module[0].ename == "LabError" and len(no_module[0].traceback) == 1
    assert "no handler module named 'reference_app.handlers.nope'" in no_module[0].traceback[0]
    assert other[0].ename == "ZeroDivisionError" and len(other[0].traceback) > 1
