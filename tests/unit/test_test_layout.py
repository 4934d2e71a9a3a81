"""Test files are collected by basename (no __init__.py in tests/): two with one name break collection.

GIVEN every test file under tests/
WHEN their basenames are compared
THEN none repeats (pytest's "import file mismatch" would stop the suite with one error).
"""

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def repeated_basenames(paths) -> list[str]:
    return sorted(name for name, count in Counter(p.name for p in paths).items() if count > 1)


def test_no_two_test_files_share_a_basename():
    assert repeated_basenames(TESTS.rglob("test_*.py")) == []


def test_a_repeated_basename_is_found():
    assert repeated_basenames([Path("unit/test_x.py"), Path("browser/test_x.py")]) == ["test_x.py"]
