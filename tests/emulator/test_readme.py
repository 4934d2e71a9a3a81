"""The README's "Using the kit from Python" snippet runs, twice in a row, against the emulator (issue 8.9)."""

import json
import re
from pathlib import Path

from reference_app.lab import http

README = Path(__file__).resolve().parents[2] / "README.md"


def _snippet() -> str:
    text = README.read_text()
    section = text.split("## Using the kit from Python", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_python_snippet_runs_twice(backend):
    code = _snippet()
    for run in (1, 2):
        # WHEN a learner pastes the snippet (again)
        namespace: dict = {}
        exec(compile(code, f"README.md snippet, run {run}", "exec"), namespace)
        # THEN it creates one user and reads that same user back, every time
        created, fetched = namespace["created"], namespace["fetched"]
        assert created.status == 201, (run, created)
        assert fetched.status == 200 and fetched.json()["user_id"] == "ada", (run, fetched)
        listed = namespace["listed"]
        assert listed.ok and any(u["user_id"] == "ada" for u in json.loads(listed.payload["body"])["items"])
    http.http_call(namespace["url"] + "users/ada", "DELETE")  # leave the table as other tests expect it
