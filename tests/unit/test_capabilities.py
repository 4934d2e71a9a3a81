"""Backend differences are capabilities of the emulator that answers, never the backend's name."""

import importlib

import pytest

from reference_app import lab
from reference_app.lab import emulator_patch, net
from reference_app.lab.config import Backend
from reference_app.lab.deploy import function_environment
from reference_app.lab.errors import LabError

LOCALSTACK_DOC = {"services": {"lambda": "running"}, "edition": "community", "version": "4.14.0"}
MINISTACK_DOC = {
    "services": {"lambda": "running"},
    "version": "1.5.33",
    emulator_patch.HEALTH_KEY: {"emulator": "1.5.33"},
}
URL = Backend("url", "http://10.0.0.5:4566")
capabilities = importlib.import_module("reference_app.lab.emulator_capabilities")


def test_lab_capabilities_stays_the_function_once_its_module_is_imported():
    # deploy imports the module at its top; a notebook then calls lab.capabilities()
    importlib.import_module("reference_app.lab.deploy")
    assert lab.capabilities is capabilities.capabilities


@pytest.mark.parametrize(
    ("doc", "in_containers", "lab_runtime"),
    [
        (LOCALSTACK_DOC, True, False),
        (MINISTACK_DOC, False, True),
        ({"services": {}}, False, False),
    ],
)
def test_what_answers_decides_not_the_backends_name(doc, in_containers, lab_runtime):
    caps = capabilities.of(URL, doc=doc)
    assert (caps.functions_in_containers, caps.lab_runtime) == (in_containers, lab_runtime)


def test_a_localstack_named_by_url_sets_the_functions_endpoint_itself(monkeypatch):
    # The old rule (backend.kind != "localstack") gave a URL LocalStack the learner's address,
    # which inside the function's container is wrong.
    monkeypatch.setattr(capabilities, "health", lambda endpoint, timeout=1.0: LOCALSTACK_DOC)
    assert "AWS_ENDPOINT_URL" not in function_environment(URL, {"A": "1"})
    monkeypatch.setattr(capabilities, "health", lambda endpoint, timeout=1.0: MINISTACK_DOC)
    assert function_environment(URL, {"A": "1"}) == {"A": "1", "AWS_ENDPOINT_URL": URL.endpoint}


def test_nothing_answering_falls_back_on_what_the_kit_would_start(monkeypatch):
    monkeypatch.setattr(capabilities, "health", lambda endpoint, timeout=1.0: None)
    assert capabilities.of(Backend("localstack", "http://127.0.0.1:4566")).functions_in_containers
    assert not capabilities.of(Backend("embedded", "http://127.0.0.1:4566")).functions_in_containers


def test_a_missing_capability_is_one_sentence():
    caps = capabilities.of(URL, doc=LOCALSTACK_DOC)
    with pytest.raises(LabError, match="This step needs an emulator with lab runtime; the localstack here has not"):
        caps.require("lab_runtime", "This step")
    assert "functions in containers" in repr(caps) and "<table" in caps._repr_html_()


@pytest.mark.parametrize(
    ("doc", "paid"),
    [
        (LOCALSTACK_DOC, False),
        ({**LOCALSTACK_DOC, "edition": "pro"}, True),
        (MINISTACK_DOC, True),
    ],
)
def test_layers_and_http_apis_follow_the_localstack_edition(doc, paid):
    caps = capabilities.of(URL, doc=doc)
    assert (caps.layers, caps.http_apis) == (paid, paid)


def test_a_step_the_emulator_cannot_do_is_skipped_with_one_sentence(capsys):
    community = capabilities.of(URL, doc=LOCALSTACK_DOC)
    assert community.supports("layers", "Section 8's layer") is False
    said = capsys.readouterr().out.strip()
    assert said.startswith("Skipped: Section 8's layer needs an emulator with layers")
    assert "LOCALSTACK_AUTH_TOKEN" in said and "\n" not in said
    assert capabilities.of(URL, doc=MINISTACK_DOC).supports("layers", "Section 8's layer") is True
    assert capsys.readouterr().out == ""


def test_every_step_a_community_localstack_lacks_is_guarded_in_its_lesson():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert 'supports("layers"' in (root / "lessons/02_handler.py").read_text()
    assert 'supports("http_apis"' in (root / "lessons/04_triggers.py").read_text()


def test_no_lesson_or_lesson_helper_branches_on_the_backends_name():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sources = [
        *root.glob("lessons/*.py"),
        *root.glob("reference_app/lab/lesson_helpers/**/*.py"),
        *root.glob("reference_app/lab/grader/checks/*.py"),
    ]
    offenders = [
        str(p.relative_to(root))
        for p in sources
        if any(s in p.read_text() for s in (".kind ==", ".kind !=", '"localstack"', "'localstack'"))
    ]
    assert sources and offenders == []


assert net  # the health probe the capabilities read is the guarded one
