"""Checks on the kit's own files, shared by the test suite and the pre-commit hooks.

    python -m tools.repo_checks outputs FILE...    notebooks committed with outputs
    python -m tools.repo_checks runtimes FILE...   a deprecated Lambda runtime declared

Each prints one line per problem and exits 1 when there is any.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from reference_app.lab.generate import clean_solution

# Lambda runtimes AWS has deprecated (no more security patches), from the "Deprecated
# runtimes" table of https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
DEPRECATED_RUNTIMES = (
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "python3.9",
    "nodejs",
    "nodejs4.3",
    "nodejs4.3-edge",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "nodejs18.x",
    "java8",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet5.0",
    "dotnet6",
    "dotnet7",
    "ruby2.5",
    "ruby2.7",
    "go1.x",
    "provided",
)
_RUNTIME_NAMES = "|".join(re.escape(r) for r in sorted(DEPRECATED_RUNTIMES, key=len, reverse=True))
# Where a runtime is *declared* (`Runtime:`, `"Runtime":`, `runtime =` or `Runtime=` followed by the
# identifier); prose that names an old runtime to say it is deprecated is not a declaration.
DECLARATION = re.compile(
    rf"""\b[Rr]untime["']?\s*[:=]\s*["']?(?P<runtime>{_RUNTIME_NAMES})(?![\w.])""",
)
#: Files kept verbatim to be criticised by a lesson (the seed's own templates).
QUOTED = re.compile(r"(^|/)seed/")
#: Learners' stubs and deliberately wrong variants carry the bugs a debug exercise plants; their
#: solutions are checked instead (with the planted ``# BROKEN`` sections removed).
PLANTED = re.compile(r"(^|/)(exercises|exercise_variants)/")
#: A line that quotes an old runtime on purpose (an example, a test case) says so.
ALLOW = "runtime-check: allow"


def notebooks_with_outputs(paths: list[Path]) -> list[str]:
    problems = []
    for path in paths:
        if path.suffix != ".ipynb":
            continue
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError) as exc:
            problems.append(f"{path}: not a readable notebook ({exc})")
            continue
        for index, cell in enumerate(cells):
            if cell.get("cell_type") == "code" and (cell.get("outputs") or cell.get("execution_count")):
                problems.append(f"{path}: cell {index} has outputs; regenerate it with `lambda-lab generate`")
                break
    return problems


def deprecated_runtime_declarations(paths: list[Path]) -> list[str]:
    problems = []
    for path in paths:
        posix = path.as_posix()
        if QUOTED.search(posix) or PLANTED.search(posix):
            continue
        if path.suffix not in (".py", ".yaml", ".yml", ".json", ".tf", ".ipynb"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if re.search(r"(^|/)solutions/", posix):
            text = clean_solution(text)
        lines = text.splitlines()
        for match in DECLARATION.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            if ALLOW in lines[line - 1]:
                continue
            problems.append(f"{path}:{line}: declares the deprecated runtime {match['runtime']}; use python3.13")
    return problems


CHECKS = {"outputs": notebooks_with_outputs, "runtimes": deprecated_runtime_declarations}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in CHECKS:
        print(f"usage: python -m tools.repo_checks {{{','.join(CHECKS)}}} FILE...", file=sys.stderr)
        return 2
    problems = CHECKS[argv[0]]([Path(a) for a in argv[1:]])
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
