"""Session set-up shared by every test and by the notebooks nbval runs.

A root conftest, so `pytest notebooks/` gets it too.

The suite runs its own embedded emulator on a test port with a throw-away home
folder, so it never touches a learner's running lab. The variables are set in
``pytest_configure`` so that the Jupyter kernels nbval starts inherit them.

The suite runs two workers per core (pytest-xdist, ``-n auto --dist loadfile`` in
pyproject.toml; at least four, and as many as the cores beyond that): each worker has its own
emulator (the test port plus the worker's number) and its own home. Every notebook runs twice in a
row: nbval's run of its cells, then a second run in a fresh kernel (``SecondRun``,
collected from the notebook's own file so both go to the same worker) after the
emulator was stopped and started again with its state kept: the second run is the
learner's day two. The restart's seconds are printed at the end of the session.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

TEST_PORT = os.environ.get("LAMBDA_LAB_TEST_PORT", "4587")
# Copies `lambda-lab generate` saved of someone's edited notebook are theirs, not the course's.
collect_ignore_glob = ["notebooks/*.mine-*"]
WORKERS_PER_CORE = 2
MIN_WORKERS = 4


def worker_index() -> int:
    """0 for a run without workers and for xdist's gw0, 1 for gw1 ..."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else 0


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Two workers per core, at least four and at most one per core beyond that.

    The suite waits more than it computes (emulators starting, functions invoked, kernels and
    browsers answering). On a 2-core machine, December 2026: two workers 12 min 13 s, three
    9 min 51 s (CPU 83% busy by vmstat), four 7 min 16 s (85%). Each worker holds an emulator
    and kernels (under 1 GB)."""
    cores = os.cpu_count() or 1
    return min(WORKERS_PER_CORE * cores, max(MIN_WORKERS, cores))


# The whole session, notebooks included, runs with an AWS identity that looks real.
# Nothing may use it: the kit's clients ignore it, the emulator is started without
# it, and the socket guard (pyproject.toml) fails any connection outside loopback.
REAL_LOOKING_AWS = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_PROFILE": "prod-admin",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
    "AWS_ENDPOINT_URL": "https://lambda.eu-west-1.amazonaws.com",
}
_home: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _home
    _home = tempfile.mkdtemp(prefix="lambda-lab-tests-")
    os.environ.update(
        REAL_LOOKING_AWS,
        LAMBDA_LAB_BACKEND="embedded",
        LAMBDA_LAB_PORT=str(int(TEST_PORT) + worker_index()),
        LAMBDA_LAB_HOME=_home,
        # CI proves every notebook end to end: exercises load from solutions/, and a check that
        # does not pass fails its cell.
        LAMBDA_LAB_SOLUTIONS="1",
        LAMBDA_LAB_CHECKS_MUST_PASS="1",
        # A Terraform apply and destroy takes a minute; notebooks skip it in the suite and
        # tests/emulator/test_iac.py applies the same configuration instead.
        LAMBDA_LAB_TERRAFORM="0",
    )
    os.environ.pop("LAMBDA_LAB_ALLOW_REMOTE", None)


class SecondRun(pytest.Item):
    """A notebook run once more, in a fresh kernel, after nbval's run of it and a restart.

    Proves a learner can come back the next day and re-run a notebook: the emulator is
    stopped and started again (``down``/``up``, its state kept, as overnight), so what it
    restored must work, and nothing fails on resources that already exist. It belongs to
    the notebook's own file, so pytest-xdist (``--dist loadfile``) runs it on the worker,
    and against the emulator, that ran nbval's cells.
    """

    def runtest(self) -> None:
        import time

        import nbformat
        from nbclient import NotebookClient

        from reference_app.lab import emulator

        started = time.monotonic()
        said = emulator.down()
        assert ", but " not in said, f"day two: {said}"  # "Stopped ..., but it could not save ..."
        emulator.up()
        self.user_properties.append(("restart_s", round(time.monotonic() - started, 2)))
        nb = nbformat.read(self.path, as_version=4)
        client = NotebookClient(
            nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(self.path.parent)}}
        )
        try:
            client.execute()
        finally:
            keep = os.environ.get("LAMBDA_LAB_EXECUTED_DIR")  # CI uploads these when a run fails
            if keep:
                Path(keep).mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, Path(keep) / self.path.name)
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
        errors = [o for o in outputs if o.output_type == "error"]
        assert not errors, f"second run: {errors[0]['ename']}: {errors[0]['evalue']}"

    def repr_failure(self, excinfo, style=None):
        return str(excinfo.value)

    def reportinfo(self):
        return self.path, None, f"{self.path.name}: second run"


class SecondRunFile(pytest.File):
    def collect(self):
        yield SecondRun.from_parent(self, name="second run")


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    """Beside nbval's cells, each notebook in notebooks/ gets its second run."""
    if (
        file_path.suffix == ".ipynb"
        and file_path.parent.name == "notebooks"
        and ".ipynb_checkpoints" not in file_path.parts
        and (parent.config.getoption("nbval_lax", False) or parent.config.getoption("nbval", False))
    ):
        return SecondRunFile.from_parent(parent, path=file_path)
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put each notebook's second run right after nbval's last cell of it: "twice in a row"."""
    second = {item.path: item for item in items if isinstance(item, SecondRun)}
    rest = [item for item in items if not isinstance(item, SecondRun)]
    last_cell = {}
    for index, item in enumerate(rest):
        if item.path in second:
            last_cell[item.path] = index
    ordered = []
    for index, item in enumerate(rest):
        ordered.append(item)
        for path, last in last_cell.items():
            if last == index:
                ordered.append(second[path])
    ordered += [item for path, item in second.items() if path not in last_cell]
    items[:] = ordered


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """What the day-two restart before each notebook's second run cost."""
    times = [
        (report.nodeid, dict(report.user_properties).get("restart_s"))
        for report in terminalreporter.getreports("passed") + terminalreporter.getreports("failed")
        if report.when == "call" and "restart_s" in dict(report.user_properties)
    ]
    if times:
        terminalreporter.write_sep("-", "emulator restart before each notebook's second run (day two)")
        for nodeid, seconds in times:
            terminalreporter.write_line(f"{seconds:6.2f} s  {nodeid}")


def pytest_unconfigure(config: pytest.Config) -> None:
    from reference_app.lab import emulator
    from reference_app.lab.config import resolve_backend

    if _home:
        emulator.down(resolve_backend())
        shutil.rmtree(_home, ignore_errors=True)


@pytest.fixture(scope="session")
def backend():
    """The embedded emulator, started once for the whole session."""
    from reference_app.lab import emulator
    from reference_app.lab.config import resolve_backend

    backend = resolve_backend()
    emulator.up(backend)
    return backend
