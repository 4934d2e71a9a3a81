"""A read-only or full home folder is one sentence naming the folder, and nothing is left half-written (issue 8.18)."""

import errno

import pytest
from typer.testing import CliRunner

from reference_app.lab import deploy, packaging
from reference_app.lab.cli import app
from reference_app.lab.errors import LabError

runner = CliRunner()


@pytest.fixture
def home(tmp_path, monkeypatch):
    path = tmp_path / "lab-home"
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(path))
    return path


def test_paths_works_with_a_read_only_home(home, refuse_writes):
    refuse_writes(home)
    result = runner.invoke(app, ["paths"])
    assert result.exit_code == 0, result.output
    assert str(home / "builds") in result.output and result.exception is None


def test_a_deploy_into_a_read_only_home_is_one_sentence(home, refuse_writes, free_port):
    from reference_app.lab.config import resolve_backend

    refuse_writes(home)
    with pytest.raises(LabError) as error:
        deploy.deploy_function("ro", "reference_app.handlers.hello", backend=resolve_backend("embedded", free_port))
    assert str(error.value) == (
        f"Cannot write to {home}: it is on a read-only file system; set LAMBDA_LAB_HOME to a writable folder."
    )


def test_a_full_disk_leaves_no_half_written_build(home, disk_full):
    disk_full(home)
    with pytest.raises(LabError, match=rf"Cannot write to {home}: the disk is full; free some space"):
        packaging.build_checked("reference_app.handlers.hello")
    left = sorted(p.name for p in (home / "builds").glob("*")) if (home / "builds").exists() else []
    assert left == [], left


def test_the_build_cache_is_whole_after_a_build(home):
    packaging.build_zip("reference_app.handlers.hello")
    names = sorted(p.suffix for p in (home / "builds").iterdir())
    assert names == [".unzipped", ".zip"]
    assert all(p.stat().st_size > 0 for p in (home / "builds").iterdir())


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_every_write_error_names_the_folder_and_what_to_do(home, tmp_path, code):
    from reference_app.lab.config import write_error

    inside = str(write_error(home / "builds", OSError(code, "x")))
    assert inside.startswith(f"Cannot write to {home / 'builds'}: ") and "set LAMBDA_LAB_HOME" in inside
    # a folder outside the kit's home (the system's temp folder): moving the home would not help
    outside = str(write_error(tmp_path / "elsewhere", OSError(code, "x")))
    assert outside.startswith(f"Cannot write to {tmp_path / 'elsewhere'}: ") and "LAMBDA_LAB_HOME" not in outside
    for message in (inside, outside):
        assert message.endswith(".") and "\n" not in message
