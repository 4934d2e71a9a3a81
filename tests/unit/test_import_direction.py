"""Imports run one way (platform, AWS wiring, course and room, CLI), with no circle, and at module top.

The layers are import-linter contracts in ``pyproject.toml`` (``[tool.importlinter]``); grimp
reads every import statement, those made inside functions too. An import inside a function is
allowed only where the list below says why (a measured start-up cost, or code that runs in the
emulator's process).
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "reference_app" / "lab"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# file (under reference_app/lab) -> (the kit modules it may import inside a function, why)
ALLOWED_IN_FUNCTIONS = {
    "cli/main.py": (
        {"cli", "config", "errors", "emulator"},
        "the console script's quick path: `lambda-lab up` starts the emulator without Typer, rich "
        "and the command table (~0.25 s, benchmarks/import_time.py)",
    ),
    "cli/__init__.py": ({"cli.base"}, "the command table is built on first use, for the same quick path"),
    "emulator.py": (
        {"clients", "own_resources"},
        "boto3: `lambda-lab up` (quick path) and `status` never build a client (~65 ms)",
    ),
    "questions/__init__.py": (
        {"questions.widget", "questions.mock"},
        "ipywidgets and IPython (~95 ms) that `lambda-lab drill` never needs",
    ),
    "emulator_patch/workers.py": (
        {"runtime_sdk"},
        "in the emulator's process: loaded at the first invoke, not at every start",
    ),
    "emulator_patch/room_accounts.py": (
        {
            "accounts.credentials",
            "emulator_patch.room_sandbox",
            "emulator_patch.workers",
            "emulator_patch.room_signatures",
        },
        "in the emulator's process, and only in one a room shares (POSIX: pwd, bubblewrap)",
    ),
    "cli/room.py": ({"emulator_patch.room_sandbox"}, "POSIX only (pwd): every `lambda-lab` call imports cli/room.py"),
    "room/preflight.py": ({"emulator_patch.room_sandbox"}, "POSIX only (pwd): `lambda-lab doctor` imports preflight"),
}


def _kit_imports_in_functions(lab: Path) -> dict[str, set[str]]:
    """file -> the kit modules it imports inside a function (``from . import x``: the module x when it is one)."""
    found: dict[str, set[str]] = {}
    for path in sorted(lab.rglob("*.py")):
        rel = path.relative_to(lab).as_posix()
        package = rel.split("/")[:-1]  # the package a relative import starts from (also for __init__.py)
        for func in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                for target in _targets(node, package, lab):
                    found.setdefault(rel, set()).add(target)
    return found


def _targets(node: ast.AST, package: list[str], lab: Path) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name.removeprefix("reference_app.lab.") for a in node.names if a.name.startswith("reference_app.lab")]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
        parts = base + (node.module.split(".") if node.module else [])
    elif (node.module or "").startswith("reference_app.lab"):
        parts = node.module.split(".")[2:]
    else:
        return []
    out = []
    for alias in node.names:
        sub = lab.joinpath(*parts, alias.name)
        is_module = sub.with_suffix(".py").is_file() or (sub / "__init__.py").is_file()
        out.append(".".join([*parts, alias.name] if is_module else parts))
    return out


def test_imports_inside_functions_are_the_listed_ones_only():
    found = _kit_imports_in_functions(LAB)
    new = {f: sorted(t - ALLOWED_IN_FUNCTIONS.get(f, (set(), ""))[0]) for f, t in found.items()}
    new = {f: t for f, t in new.items() if t}
    assert not new, (
        f"Imports of the kit inside functions: {new}. Move them to the module's top; if a measured start-up "
        "cost or the emulator's process forbids it, add them to ALLOWED_IN_FUNCTIONS with the reason."
    )


def test_the_count_sees_an_import_inside_a_function(tmp_path):
    (tmp_path / "grader").mkdir()
    (tmp_path / "grader" / "__init__.py").write_text("")
    (tmp_path / "config.py").write_text("")
    (tmp_path / "grader" / "x.py").write_text("def f():\n    from .. import config\n    from ..config import y\n")
    assert _kit_imports_in_functions(tmp_path) == {"grader/x.py": {"config"}}


def _lint(pyproject: Path, pythonpath: Path) -> subprocess.CompletedProcess:
    if not LINT_IMPORTS.exists():
        pytest.fail(f"{LINT_IMPORTS} is missing: pip install -e '.[dev]' (import-linter)")
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run(
        [str(LINT_IMPORTS), str(pyproject), "--no-cache"],
        cwd=pythonpath,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_imports_run_one_way_with_no_circle():
    result = _lint(ROOT / "pyproject.toml", ROOT)
    assert result.returncode == 0, result.stdout[result.stdout.find("Broken contracts") :] or result.stderr


def test_an_upward_import_inside_a_function_breaks_the_layers_contract(tmp_path):
    # a copy of the package, where the platform's errors.py reaches up into the room, in a function
    shutil.copytree(
        ROOT / "reference_app",
        tmp_path / "reference_app",
        ignore=shutil.ignore_patterns("__pycache__", "course", "events", "iac"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    errors = tmp_path / "reference_app" / "lab" / "errors.py"
    errors.write_text(errors.read_text() + "\n\ndef _up():\n    from .room import view\n\n    return view\n")
    result = _lint(tmp_path / "pyproject.toml", tmp_path)
    assert result.returncode == 1
    assert "One direction: platform, then AWS wiring" in result.stdout and "BROKEN" in result.stdout
    assert "reference_app.lab.errors -> reference_app.lab.room.view" in result.stdout.replace("\n", " ")


def test_the_lab_never_imports_its_own_facade():
    # ``from reference_app.lab import x`` inside the kit must name a module: the package's lazy
    # exports (reference_app/lab/__init__.py) are for notebooks, the top of the house
    import grimp

    graph = grimp.build_graph("reference_app", cache_dir=None)
    importers = {
        m for m in graph.find_modules_that_directly_import("reference_app.lab") if m.startswith("reference_app.lab.")
    }
    assert not importers, f"{sorted(importers)} import names from reference_app.lab's lazy exports"
