"""ARCHITECTURE.md's table of layers says what the import contract says, module for module."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _contract_layers() -> list[set[str]]:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["id"] == "one-direction")["layers"]
    return [{name.strip() for name in re.split(r"[:|]", layer)} for layer in layers]


def _documented_layers() -> list[set[str]]:
    text = (ROOT / "ARCHITECTURE.md").read_text()
    table = text[text.index("| layer | modules of `reference_app/lab/` |") :].split("\n\n")[0]
    rows = [line for line in table.splitlines()[2:] if line.startswith("|")]
    return [{m.rstrip("/") for m in re.findall(r"`([\w/]+)`", row.split("|")[2])} for row in rows]


def test_the_documented_layers_are_the_contracts_in_the_same_order():
    assert _documented_layers() == _contract_layers()


def test_every_module_of_the_lab_has_a_documented_layer():
    lab = ROOT / "reference_app" / "lab"
    modules = {p.stem for p in lab.glob("*.py") if p.stem != "__init__"} | {
        p.name for p in lab.iterdir() if p.is_dir() and (p / "__init__.py").is_file()
    }
    assert modules == set().union(*_documented_layers())
