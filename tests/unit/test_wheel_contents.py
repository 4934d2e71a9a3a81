"""The wheel carries what a learner runs, not the kit's development tools (read from the config, no build)."""

import ast
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _names(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def dev_only_distributions() -> set[str]:
    """What the ``dev`` extra adds to the runtime and the room: pytest, hypothesis, playwright, ruff..."""
    project = PYPROJECT["project"]
    extras = project["optional-dependencies"]
    return _names(extras["dev"]) - _names(project["dependencies"]) - _names(extras["room"]) - {"lambda-lab"}


def shipped_packages() -> list[str]:
    find = PYPROJECT["tool"]["setuptools"]["packages"]["find"]
    return find_packages(str(ROOT), include=find["include"], exclude=find.get("exclude", ()))


def _guarded(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Inside a ``try`` whose handler catches ImportError: an optional feature that says what to install."""
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.Try) and any(
            isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError") for h in node.handlers
        ):
            return True
    return False


def dev_only_imports(folder: Path, dev_only: set[str], root: Path = ROOT) -> list[str]:
    """``file:line imports X`` for each unguarded import of a development-only distribution under ``folder``."""
    owners = {top: {canonicalize_name(d) for d in dists} for top, dists in packages_distributions().items()}
    found = []
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if owners.get(top, {top.replace("_", "-")}) & dev_only and not _guarded(node, parents):
                    found.append(f"{path.relative_to(root)}:{node.lineno} imports {module}")
    return found


def test_the_dev_only_list_is_read_from_pyproject():
    assert {"pytest", "hypothesis", "playwright", "ruff", "cosmic-ray", "nbval"} <= dev_only_distributions()
    assert not {"boto3", "jupyterlab", "jupyterhub", "dockerfile"} & dev_only_distributions()


def test_the_wheel_ships_reference_app_only():
    packages = shipped_packages()
    assert "reference_app" in packages and "reference_app.lab" in packages
    assert all(p == "reference_app" or p.startswith("reference_app.") for p in packages)


def test_no_shipped_module_imports_a_development_tool():
    assert dev_only_imports(ROOT / "reference_app", dev_only_distributions()) == []


def test_the_guard_sees_an_unguarded_test_import_and_lets_a_guarded_one_pass(tmp_path):
    (tmp_path / "plain.py").write_text("import hypothesis.strategies\nfrom pytest import fixture\n")
    (tmp_path / "optional.py").write_text("try:\n    import ruff\nexcept ImportError:\n    ruff = None\n")
    assert dev_only_imports(tmp_path, {"pytest", "hypothesis", "ruff"}, root=tmp_path) == [
        "plain.py:1 imports hypothesis.strategies",
        "plain.py:2 imports pytest",
    ]


def test_the_repository_checks_and_the_wrong_variants_live_outside_the_package():
    assert (ROOT / "tools" / "repo_checks.py").is_file() and (ROOT / "tools" / "variants.py").is_file()
    assert not list((ROOT / "reference_app").rglob("repo_checks.py"))
    assert not (ROOT / "reference_app" / "lab" / "grader" / "variants.py").exists()


def test_no_build_output_is_committed():
    tracked = subprocess.run(
        ["git", "ls-files", "build", "dist", "*.egg-info"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert tracked == ""


def test_the_build_starts_clean_and_leaves_the_tools_out(tmp_path):
    # GIVEN a build folder an older build left a module in (setuptools ships whatever build/lib holds)
    stale = tmp_path / "lib" / "reference_app" / "lab" / "repo_checks.py"
    stale.parent.mkdir(parents=True)
    stale.write_text("print('from an old build')\n")
    # WHEN the package is built into it (what the wheel is made of; the egg-info kept out of the checkout)
    subprocess.run(
        [
            sys.executable,
            "setup.py",
            "-q",
            "egg_info",
            "--egg-base",
            str(tmp_path),
            "build_py",
            "--build-lib",
            str(tmp_path / "lib"),
        ],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    # THEN the old module is gone, the package and its course are there, and no development tool
    built = {p.relative_to(tmp_path / "lib").as_posix() for p in (tmp_path / "lib").rglob("*") if p.is_file()}
    assert "reference_app/lab/course.py" in built and "reference_app/_course/exercises/.generated.json" in built
    assert not [p for p in built if p.endswith(("repo_checks.py", "/variants.py", ".pyc")) or p.startswith("tools/")]
