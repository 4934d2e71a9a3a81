"""The code base passes ruff with the configuration in pyproject.toml (CI runs it here)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _ruff() -> str:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.fail("ruff is not installed: pip install -e '.[dev]'")
    return ruff


def test_ruff_is_clean():
    result = subprocess.run([_ruff(), "check", "--output-format", "concise", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _branches(count: int) -> str:
    """A function of McCabe complexity ``count`` (one path, plus one per ``if``)."""
    body = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(count - 1))
    return "def f(x):\n" + body + "    return -1\n"


@pytest.mark.parametrize(
    "path",
    [
        "reference_app/lab/x.py",
        "reference_app/handlers/x.py",
        "tests/unit/test_x.py",
        "lessons/00_x.py",
        "solutions/01_x/x.py",
        "benchmarks/x.py",
        "tools/x.py",
    ],
)
def test_the_complexity_cap_applies_everywhere(path):
    # GIVEN pyproject's rules and cap, as ruff reads them for a file at ``path`` (no per-file ignore drops C901)
    def c901(source: str) -> bool:
        result = subprocess.run(
            [_ruff(), "check", "--output-format", "concise", "--stdin-filename", str(ROOT / path), "-"],
            input=source,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        return "C901" in result.stdout

    # THEN one branch over the cap is flagged, the cap itself is not
    assert c901(_branches(16)) and not c901(_branches(15))


def test_no_line_switches_the_complexity_check_off():
    found = subprocess.run(
        ["git", "grep", "-n", "-i", "-E", "noqa:[^#]*C90"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    assert found == ""
