"""How long a learner's install takes, and how big it is (the README's figures).

    python benchmarks/install.py [--extras "" dev] [--cold] [--keep]

For each extra ("" is the plain `pip install -e .`), into a fresh virtual environment:

* **warm cache**: `pip install -e .[extra]` with pip's usual cache (run once first if the
  cache is empty, so the timed run is the second one, as for a learner who installed before);
* **cold cache** (``--cold``): the same with an empty pip cache of its own (``PIP_CACHE_DIR``
  in a temp folder): every wheel is fetched (from wherever pip's index is configured)
  and built again;
* the environment's size on disk (``du`` of the venv), and whether pip backtracked
  (its "looking at multiple versions" notes).

Goals (issue 21): `pip install -e .` <= 90 s with a warm cache, <= 700 MB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOALS = {"warm_s": 90.0, "size_mb": 700.0}


def _size_mb(path: Path) -> float:
    total = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total / 1e6


def install(extra: str, cache: Path | None, keep: bool) -> dict:
    """A fresh venv, `pip install -e .[extra]` into it; seconds, MB, backtracking notes."""
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
    started = time.perf_counter()
    run = subprocess.run([str(python), "-m", "pip", "install", "-e", target], env=env,
                         capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"pip install -e {target} failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    backtracks = (run.stdout + run.stderr).count("is looking at multiple versions")
    size = _size_mb(env_dir)
    if keep:
        print(f"  kept {env_dir}")
    else:
        shutil.rmtree(where, ignore_errors=True)
    return {"seconds": seconds, "size_mb": size, "backtracks": backtracks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--extras", nargs="*", default=["", "dev"], help='extras to measure ("" is plain)')
    parser.add_argument("--cold", action="store_true", help="also install with an empty pip cache")
    parser.add_argument("--keep", action="store_true", help="keep the virtual environments")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; pip index as configured on this machine")
    for extra in args.extras:
        name = f".[{extra}]" if extra else "."
        install(extra, None, keep=False)  # fills pip's cache, so the timed run below is warm
        warm = install(extra, None, args.keep)
        line = (f"pip install -e {name:<8} warm cache {warm['seconds']:6.1f} s, {warm['size_mb']:6.0f} MB, "
                f"backtracking notes: {warm['backtracks']}")
        if args.cold:
            with tempfile.TemporaryDirectory(prefix="lambda-lab-pip-cache-") as cache:
                cold = install(extra, Path(cache), keep=False)
            line += f"; cold cache {cold['seconds']:6.1f} s"
        print(line)
        if not extra:
            ok_time = warm["seconds"] <= GOALS["warm_s"]
            ok_size = warm["size_mb"] <= GOALS["size_mb"]
            print(f"  goal: <= {GOALS['warm_s']:.0f} s warm ({'met' if ok_time else 'MISSED'}), "
                  f"<= {GOALS['size_mb']:.0f} MB ({'met' if ok_size else 'MISSED'})")


if __name__ == "__main__":
    main()
