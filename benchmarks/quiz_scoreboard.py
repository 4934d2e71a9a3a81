"""Why quiz.scoreboard() could hang in a headless run, measured: the old panel against the new one.

The old scoreboard rendered into an ipywidgets Output widget. Entering and leaving an Output widget
flushes sys.stdout and sys.stderr, and ipykernel's flush, called off the IOPub thread, waits for that
thread (up to 10 s per flush, ``OutStream.flush_timeout``). When the IOPub thread is busy (a headless
client reading slowly on a loaded machine, a burst of widget messages), every scoreboard call waits.
The new scoreboard is an HTML widget whose value is set: a message queued for the IOPub thread, no wait.

This runs both in a real kernel (nbclient), once with the IOPub thread free and once with it busy for
3 seconds, and prints the time each call took.

    python benchmarks/quiz_scoreboard.py
"""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

OLD = """
import ipywidgets as w
from IPython.display import HTML, display

def old_scoreboard(quiz):
    output = w.Output()
    output.clear_output(wait=True)
    with output:
        display(quiz.plot())
        display(HTML(quiz.missed_html()))
    return w.VBox([output])
"""

MEASURE = """
import time
from IPython import get_ipython

def timed(build, busy):
    if busy:
        get_ipython().kernel.iopub_thread.schedule(lambda: time.sleep(3))
        time.sleep(0.1)
    start = time.monotonic()
    build()
    return time.monotonic() - start

for busy in (False, True):
    old = timed(lambda: old_scoreboard(quiz), busy)
    time.sleep(3.5 if busy else 0)
    new = timed(lambda: quiz.scoreboard(), busy)
    time.sleep(3.5 if busy else 0)
    print(f"IOPub thread {'busy 3 s' if busy else 'free'}: old scoreboard {old:.2f} s, new scoreboard {new:.3f} s")
"""


def main() -> None:
    cells = [
        "from reference_app import lab\nquiz = lab.quiz(count=12, shuffle=True, seed=1, record=False)\n"
        "quiz.plot(); None",
        OLD,
        MEASURE,
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    for output in nb.cells[-1].outputs:
        if output.get("name") == "stdout":
            print(output["text"].strip())


if __name__ == "__main__":
    main()
