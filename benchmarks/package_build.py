"""How long packaging each reference handler takes: first build, cached rebuild, import check.

    python benchmarks/package_build.py

Uses a fresh home folder, so the first build and the first isolated import
check are real; the second build of the same sources comes from the build cache,
which is what re-running a notebook cell costs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time

HANDLERS = [
    "hello",
    "users_api",
    "users_api_powertools",
    "s3_processor",
    "stream_processor",
    "queue_worker",
    "notifier",
    "scheduled_report",
    "order_saga",
]


def main() -> None:
    home = tempfile.mkdtemp(prefix="lambda-lab-bench-")
    os.environ["LAMBDA_LAB_HOME"] = home
    from reference_app.lab import import_check, packaging

    print(f"{'handler':<22}{'zip MB':>8}{'build s':>9}{'cached s':>10}{'check s':>9}{'rechk s':>9}")
    try:
        for handler in HANDLERS:
            module = f"reference_app.handlers.{handler}"
            t0 = time.perf_counter()
            package = packaging.build_zip(module)
            t1 = time.perf_counter()
            packaging.build_zip(module)
            t2 = time.perf_counter()
            import_check.check_imports(package)
            t3 = time.perf_counter()
            import_check.check_imports(package)
            t4 = time.perf_counter()
            print(
                f"{handler:<22}{package.size / 2**20:>8.1f}{t1 - t0:>9.2f}"
                f"{t2 - t1:>10.3f}{t3 - t2:>9.2f}{t4 - t3:>9.3f}"
            )
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
