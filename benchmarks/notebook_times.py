"""How long a learner waits for each notebook's first run (solutions mode), and on which cells.

    python benchmarks/notebook_times.py [03_infrastructure_as_code 09_patterns ...] [--no-terraform]

Each run gets a fresh home folder and a fresh emulator on a free port (nothing cached: no
built zip, no import check, no deployed function), as on a learner's first day. The
notebooks run one after another through nbclient, in solutions mode with every check
required to pass (as the test suite runs them), with Terraform applies on unless
``--no-terraform`` (the suite turns them off). Prints each notebook's wall time and its three
slowest cells.

Goal (issue 21): every notebook's first run <= 45 s on a quiet 2-core machine. Figures from a
shared, busy machine are noisy: report the load average beside them (printed first).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_S = 45.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_notebook(path: Path) -> tuple[float, list[tuple[float, str]]]:
    """Execute ``path`` in a fresh kernel; its wall time and every code cell's (seconds, first line)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    client.execute()
    total = time.perf_counter() - started
    cells = []
    for cell in nb.cells:
        timing = cell.get("metadata", {}).get("execution", {})
        begin, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        if cell.cell_type == "code" and begin and end:
            from datetime import datetime

            seconds = (
                datetime.fromisoformat(end.replace("Z", "+00:00"))
                - datetime.fromisoformat(begin.replace("Z", "+00:00"))
            ).total_seconds()
            cells.append((seconds, cell.source.strip().splitlines()[0][:70] if cell.source.strip() else ""))
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    if errors:
        raise SystemExit(f"{path.name}: {errors[0]['ename']}: {errors[0]['evalue']}")
    return total, cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="notebook names (default: all)")
    parser.add_argument("--no-terraform", action="store_true", help="skip lesson 03's Terraform apply")
    args = parser.parse_args()
    names = args.notebooks or sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    home = tempfile.mkdtemp(prefix="lambda-lab-nbtimes-")
    os.environ.update(
        LAMBDA_LAB_HOME=home,
        LAMBDA_LAB_PORT=str(_free_port()),
        LAMBDA_LAB_BACKEND="embedded",
        LAMBDA_LAB_SOLUTIONS="1",
        LAMBDA_LAB_CHECKS_MUST_PASS="1",
    )
    if args.no_terraform:
        os.environ["LAMBDA_LAB_TERRAFORM"] = "0"
    else:
        os.environ.pop("LAMBDA_LAB_TERRAFORM", None)
    cli = str(Path(sys.executable).with_name("lambda-lab"))
    print(
        f"{os.cpu_count()} cores, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
        f"Terraform {'off' if args.no_terraform else 'on'}; home {home}"
    )
    subprocess.run([cli, "up"], check=True, capture_output=True)
    try:
        for name in names:
            path = ROOT / "notebooks" / f"{name.removesuffix('.ipynb')}.ipynb"
            total, cells = run_notebook(path)
            slowest = ", ".join(f"{s:.1f} s `{line}`" for s, line in sorted(cells, reverse=True)[:3])
            verdict = "ok" if total <= GOAL_S else "OVER"
            print(f"{path.stem:<28} {total:6.1f} s  {verdict:<4}  slowest: {slowest}", flush=True)
    finally:
        subprocess.run([cli, "down"], capture_output=True)
        print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
