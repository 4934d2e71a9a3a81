"""A learner who never clones the repository: `pip install` the built wheel, `lambda-lab init`, run 00_setup.

The sdist is built from this tree and the wheel from the sdist (so the sdist is proven
complete), with the build tools already installed (no isolation: tests never reach
the internet). The wheel goes into a fresh virtual environment that sees its
dependencies through a path file but not the source tree; the notebook then runs
from the folder `lambda-lab init` made, against the session's emulator.
"""

import json
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*command, cwd, env=None):
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{command}: {result.stdout[-2000:]}{result.stderr[-2000:]}"
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT), cwd=out)
    return out


def test_the_wheel_carries_the_course_and_the_sdist_its_sources(dist):
    wheel = next(dist.glob("lambda_lab-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "reference_app/_course/notebooks/00_setup.ipynb" in names
    assert "reference_app/_course/exercises/02_handler/create_user.py" in names
    assert "reference_app/_course/solutions/02_handler/create_user.py" in names
    assert "reference_app/course/course.yml" in names and "reference_app/events/s3_put.json" in names
    assert "reference_app/py.typed" in names
    assert not any(n.startswith(("tests/", "lessons/")) for n in names)
    sdist = next(dist.glob("lambda_lab-*.tar.gz"))
    assert sdist.stat().st_size > 10_000


def test_pip_install_then_init_then_00_setup(dist, backend, tmp_path):
    venv = tmp_path / "venv"
    # Every command runs outside the checkout, so nothing can import the source tree by accident.
    run(sys.executable, "-m", "venv", str(venv), cwd=tmp_path)
    python = venv / "bin" / "python"
    purelib = Path(
        run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path).stdout.strip()
    )
    # The dependencies come from this environment (no network); the kit itself only from the wheel.
    (purelib / "_lab_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(dist.glob("lambda_lab-*.whl"))
    run(str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel), cwd=tmp_path)
    where = run(
        str(python),
        "-c",
        "import reference_app, reference_app.lab.course as c; "
        "print(reference_app.__file__); print(c.installed_from_wheel())",
        cwd=tmp_path,
    ).stdout.split()
    assert where[0].startswith(str(venv)) and where[1] == "True"

    course_dir = tmp_path / "my-workshop"
    cli = str(venv / "bin" / "lambda-lab")
    made = run(cli, "init", str(course_dir), cwd=tmp_path)
    assert "lambda-lab lab" in made.stdout
    assert (course_dir / "exercises" / "02_handler" / "create_user.py").is_file()
    assert not (course_dir / "solutions").exists()  # the solutions stay inside the package
    again = subprocess.run([cli, "init", str(course_dir)], capture_output=True, text=True)
    assert again.returncode == 1 and "already holds a course" in again.stderr

    executed = course_dir / "notebooks" / "00_setup.out.ipynb"
    run(
        str(python),
        "-m",
        "jupyter",
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--ExecutePreprocessor.timeout=300",
        "--output",
        executed.name,
        "00_setup.ipynb",
        cwd=course_dir / "notebooks",
    )
    cells = json.loads(executed.read_text())["cells"]
    errors = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors, errors[0]
    text = "".join("".join(o.get("text", "")) for c in cells if c["cell_type"] == "code" for o in c.get("outputs", []))
    assert "exercises load from" in text

    hint = run(cli, "hint", "handler-validation", "--level", "3", cwd=course_dir)
    assert "solution: create_user.py" in hint.stdout  # found inside the installed package
