"""The console script starts ``lambda-lab up`` without building the command line, and leaves every
other command (and every error it does not word itself) to the full one."""

import subprocess
import sys
from types import SimpleNamespace

import pytest

from reference_app.lab import emulator
from reference_app.lab.cli import main as quick
from reference_app.lab.errors import LabError


def test_the_console_script_loads_no_typer_rich_or_boto3_before_up():
    code = (
        "import sys, reference_app.lab.cli.main, reference_app.lab.emulator; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'typer', 'rich', 'boto3', 'botocore'}))"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_up_says_what_the_full_command_says(monkeypatch, capsys):
    monkeypatch.setenv("LAMBDA_LAB_BACKEND", "embedded")
    monkeypatch.setenv("LAMBDA_LAB_PORT", "4999")
    status = SimpleNamespace(pid=42, emulator="ministack", version="1.5.33", notice="state restored")
    monkeypatch.setattr(emulator, "up", lambda backend: status)
    assert quick._up() is True
    said = capsys.readouterr()
    assert said.out == "✓ ministack 1.5.33 healthy at http://127.0.0.1:4999 (started by lambda-lab, pid 42)\n"
    assert said.err == "note: state restored\n"


def test_a_lab_error_is_one_sentence_and_exit_1(monkeypatch, capsys):
    monkeypatch.setenv("LAMBDA_LAB_BACKEND", "embedded")

    def refuse(backend):
        raise LabError("Port 4566 is held by another program; pass --port.")

    monkeypatch.setattr(emulator, "up", refuse)
    with pytest.raises(SystemExit) as exit_:
        quick._up()
    assert exit_.value.code == 1
    assert capsys.readouterr().err == "error: Port 4566 is held by another program; pass --port.\n"


@pytest.mark.parametrize("argv", [["status"], ["up", "--port", "4600"], ["--help"]])
def test_everything_else_is_the_full_command_line(monkeypatch, argv):
    ran = []
    monkeypatch.setattr(sys, "argv", ["lambda-lab", *argv])
    monkeypatch.setattr(quick, "_up", lambda: ran.append("quick") or True)
    import reference_app.lab.cli as cli

    monkeypatch.setattr(cli, "app", lambda: ran.append("full"), raising=False)
    quick.main()
    assert ran == ["full"]


def test_other_backends_and_unexpected_errors_go_to_the_full_command(monkeypatch):
    monkeypatch.setenv("LAMBDA_LAB_BACKEND", "localstack")
    assert quick._up() is False
    monkeypatch.setenv("LAMBDA_LAB_BACKEND", "embedded")
    monkeypatch.setattr(emulator, "up", lambda backend: (_ for _ in ()).throw(OSError("disk full")))
    assert quick._up() is False
