"""How long a learner's install takes, and how big it is (the README's figures).

    python benchmarks/install.py [--extras "" dev] [--cold] [--keep] [--breakdown] [--floor]

For each extra ("" is the plain `pip install -e .`), into a fresh virtual environment:

* **warm cache**: `pip install -e .[extra]` with pip's usual cache (run once first if the
  cache is empty, so the timed run is the second one, as for a learner who installed before);
* **cold cache** (``--cold``): the same with an empty pip cache of its own (``PIP_CACHE_DIR``
  in a temp folder): every wheel is fetched (from wherever pip's index is configured)
  and built again;
* the environment's size: the apparent size of every file in the venv (pip, setuptools and
  the .pyc files pip compiles included; ``du -sm`` says about 10% more: it counts whole disk
  blocks), and whether pip backtracked (its "looking at multiple versions" notes);
* ``--breakdown``: the 15 largest distributions of that environment (the files each one's
  RECORD lists, .pyc included: they add up to the environment less pip's own venv files), each
  with the dependency of pyproject.toml that brings it, then what each dependency adds alone:
  the MB its removal would take away (what nothing else needs), then its whole tree;
* ``--floor``: the same for the part of the kit it cannot drop (the developers' guide's core:
  JupyterLab, ipywidgets, pandas, altair, boto3, ministack, moto with the grader's extras,
  at pyproject's pins), so the distance between the floor and `.` is measured, not guessed.

Goals (issue 21): `pip install -e .` <= 90 s with a warm cache, <= 700 MB.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOALS = {"warm_s": 90.0, "size_mb": 700.0}
# the developers' guide's core: what a learner's lessons and the grader cannot do without
FLOOR = ("jupyterlab", "ipywidgets", "pandas", "altair", "boto3", "ministack", "moto")


def _size_mb(path: Path) -> float:
    total = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total / 1e6


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def floor_requirements() -> list[str]:
    """The guide's core, at the pins pyproject.toml gives them."""
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return [d for d in deps if _name(d) in FLOOR]


def install(
    extra: str, cache: Path | None, keep: bool, breakdown: bool = False, requirements: list[str] | None = None
) -> dict:
    """A fresh venv, `pip install -e .[extra]` (or ``requirements``) into it; seconds, MB,
    backtracking notes, and with ``breakdown`` what makes up the MB."""
    where = Path(tempfile.mkdtemp(prefix="lambda-lab-install-"))
    env_dir = where / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    if cache is not None:
        env["PIP_CACHE_DIR"] = str(cache)
    target = f"{ROOT}[{extra}]" if extra else str(ROOT)
    what = requirements if requirements is not None else ["-e", target]
    started = time.perf_counter()
    run = subprocess.run([str(python), "-m", "pip", "install", *what], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"pip install {' '.join(what)} failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    backtracks = (run.stdout + run.stderr).count("is looking at multiple versions")
    size = _size_mb(env_dir)
    parts = None
    if breakdown:
        roots = requirements if requirements is not None else [f"lambda-lab[{extra}]" if extra else "lambda-lab"]
        parts = _breakdown(env_dir, roots)
    if keep:
        print(f"  kept {env_dir}")
    else:
        shutil.rmtree(where, ignore_errors=True)
    return {"seconds": seconds, "size_mb": size, "backtracks": backtracks, "breakdown": parts}


def _breakdown(env_dir: Path, roots: list[str]) -> dict:
    """Each installed distribution's MB (the files its RECORD lists) and the top-level requirements
    that bring it: those of ``roots`` (the kit with its extra, or the floor's list)."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    site = next(env_dir.glob("lib/python*/site-packages"))
    dists = {canonicalize_name(d.metadata["Name"]): d for d in metadata.distributions(path=[str(site)])}
    sizes = {}
    for name, dist in dists.items():
        files = {os.path.normpath(dist.locate_file(f)) for f in dist.files or []}
        sizes[name] = sum(os.lstat(f).st_size for f in files if os.path.lexists(f)) / 1e6

    def requires(name: str, extras: frozenset[str]) -> list[tuple[str, frozenset[str]]]:
        found = []
        for text in dists[name].requires or [] if name in dists else []:
            req = Requirement(text)
            if req.marker and not any(req.marker.evaluate({"extra": e}) for e in {"", *extras}):
                continue
            found.append((canonicalize_name(req.name), frozenset(req.extras)))
        return found

    def tree(name: str, extras: frozenset[str]) -> set[str]:
        seen, todo, done = set(), [(name, extras)], set()
        while todo:
            item = todo.pop()
            if item not in done:
                done.add(item)
                seen.add(item[0])
                todo.extend(requires(*item))
        return seen

    top: list[tuple[str, frozenset[str]]] = []
    todo = [(canonicalize_name(Requirement(r).name), frozenset(Requirement(r).extras)) for r in roots]
    kit = {canonicalize_name("lambda-lab")}
    while todo:  # the kit's own requirements; "lambda-lab[room]" in [dev] is its [room] extra's
        name, extras = todo.pop()
        if name in kit:
            todo.extend(requires(name, extras))
        elif (name, extras) not in top:
            top.append((name, extras))
    reach = {f"{n}[{','.join(sorted(e))}]" if e else n: tree(n, e) for n, e in top}
    brings: dict[str, list[str]] = {}
    for dep, names in reach.items():
        for name in names:
            brings.setdefault(name, []).append(dep)
    largest = [
        (n, sizes[n], sorted(brings.get(n, ["pip's own venv"])))
        for n in sorted(sizes, key=sizes.get, reverse=True)[:15]
    ]
    alone = []
    for dep, names in reach.items():
        only = sorted((n for n in names if len(brings[n]) == 1 and n in sizes), key=sizes.get, reverse=True)
        alone.append((dep, sum(sizes[n] for n in only), sum(sizes.get(n, 0) for n in names), only))
    alone.sort(key=lambda row: -row[1])
    return {"largest": largest, "alone": alone, "sizes": sizes}


def print_breakdown(parts: dict) -> None:
    print("  15 largest distributions (MB; the dependency of pyproject.toml that brings each):")
    for name, mb, via in parts["largest"]:
        shown = ", ".join(via) if len(via) <= 3 else f"{len(via)} dependencies"
        print(f"    {name:28s} {mb:6.1f}  {shown}")
    print(
        "  what each dependency adds alone (MB its removal takes away / its whole tree; the largest it alone brings):"
    )
    for dep, mb, whole, only in parts["alone"][:15]:
        names = ", ".join(f"{n} {parts['sizes'][n]:.0f}" for n in only[:5])
        print(f"    {dep[:60]:60s} {mb:6.1f} / {whole:6.1f}  {names}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--extras", nargs="*", default=["", "dev"], help='extras to measure ("" is plain)')
    parser.add_argument("--cold", action="store_true", help="also install with an empty pip cache")
    parser.add_argument("--keep", action="store_true", help="keep the virtual environments")
    parser.add_argument("--breakdown", action="store_true", help="the largest distributions and who brings them")
    parser.add_argument("--floor", action="store_true", help="also measure the guide's core alone")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; pip index as configured on this machine")
    plain = None
    for extra in args.extras:
        name = f".[{extra}]" if extra else "."
        install(extra, None, keep=False)  # fills pip's cache, so the timed run below is warm
        warm = install(extra, None, args.keep, breakdown=args.breakdown)
        plain = warm if not extra else plain
        line = (
            f"pip install -e {name:<8} warm cache {warm['seconds']:6.1f} s, {warm['size_mb']:6.0f} MB, "
            f"backtracking notes: {warm['backtracks']}"
        )
        if args.cold:
            with tempfile.TemporaryDirectory(prefix="lambda-lab-pip-cache-") as cache:
                cold = install(extra, Path(cache), keep=False)
            line += f"; cold cache {cold['seconds']:6.1f} s"
        print(line)
        if not extra:
            ok_time = warm["seconds"] <= GOALS["warm_s"]
            ok_size = warm["size_mb"] <= GOALS["size_mb"]
            print(
                f"  goal: <= {GOALS['warm_s']:.0f} s warm ({'met' if ok_time else 'MISSED'}), "
                f"<= {GOALS['size_mb']:.0f} MB ({'met' if ok_size else 'MISSED'})"
            )
        if warm["breakdown"]:
            print_breakdown(warm["breakdown"])
    if args.floor:
        requirements = floor_requirements()
        install("", None, keep=False, requirements=requirements)  # warm the cache, as above
        floor = install("", None, args.keep, breakdown=args.breakdown, requirements=requirements)
        line = f"the floor ({', '.join(requirements)}): {floor['seconds']:.1f} s, {floor['size_mb']:.0f} MB"
        if plain is not None:
            line += f"; `.` is {plain['size_mb'] - floor['size_mb']:.0f} MB above it"
        print(line)
        if floor["breakdown"]:
            print_breakdown(floor["breakdown"])


if __name__ == "__main__":
    main()
