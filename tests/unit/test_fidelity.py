"""The fidelity list, the README's section and the lessons agree."""

import importlib
from pathlib import Path

import pytest

from reference_app.lab.errors import LabError

fidelity = importlib.import_module("reference_app.lab.known_differences")
README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
SECTION = README[README.index("## What the emulator does differently from AWS") : README.index("## Layout")]


@pytest.mark.parametrize("row", fidelity.DIFFERENCES, ids=lambda d: d.id)
def test_every_difference_is_named_in_the_readme(row):
    assert f"`{row.id}`" in SECTION
    assert row.kit in fidelity.KIT_MEANINGS


@pytest.mark.parametrize("row", fidelity.differences("lambda runtime"), ids=lambda d: d.id)
def test_every_runtime_difference_the_kit_leaves_says_why(row):
    assert row.kit == "closed" or row.note


def test_a_lesson_gets_the_rows_of_its_area():
    rows = fidelity.differences("lambda runtime")
    assert {"error-type", "root-logger", "init-duration", "request-id", "memory-size"} <= {d.id for d in rows}
    assert fidelity.fidelity("lambda runtime").loc["error-type", "kit"] == "closed"
    with pytest.raises(LabError, match="No fidelity notes for 'lambda'"):
        fidelity.differences("lambda")
