"""Helpers that read facts from the installed SDK instead of stating them (lessons 01 and 05).

GIVEN a learner's shell with a profile that does not exist here and its own retry settings
WHEN the lesson helpers read runtimes and retry defaults from botocore
THEN they answer from botocore's own data, read no profile, and say what the environment overrides.
"""

from __future__ import annotations

import pytest
from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES

from reference_app.lab.errors import LabError
from reference_app.lab.lesson_helpers import architecture, error_handling


@pytest.fixture
def learner_shell(monkeypatch, real_looking_env):
    monkeypatch.setenv("AWS_PROFILE", "prod-admin")  # named in the shell, absent from this machine
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")


def test_the_seed_languages_are_checked_against_the_api(learner_shell):
    languages = architecture.seed_languages()
    assert set(languages) == {"Python", "Node.js", "Java", "C#", "Go", "Ruby", "PHP", "Rust"}
    assert languages["PHP"].startswith("no managed runtime") and languages["Rust"].startswith("no managed runtime")
    assert languages["Python"].startswith("managed runtime") and "go1.x" in languages["Go"]


def test_runtime_families_group_the_api_identifiers():
    families = architecture.runtime_families()
    assert "python3.13" in families["python"] and "dotnetcore3.1" in families["dotnet"]
    assert "provided.al2023" in families["provided"] and "php" not in families and "rust" not in families


def test_a_runtime_identifier_that_names_no_language_is_refused_in_one_sentence():
    assert architecture.runtimes.family("python3.13") == "python"
    with pytest.raises(LabError, match="not a Lambda runtime identifier"):  # it was an AttributeError
        architecture.runtimes.family("3.13")


def test_retry_defaults_come_from_botocore_not_the_environment(learner_shell):
    seen = error_handling.sdk_retry_defaults()
    assert seen["default retry mode"] == BOTOCORE_DEFAUT_SESSION_VARIABLES["retry_mode"][2]
    assert seen["attempts in that mode"] == {"legacy": 5, "standard": 3, "adaptive": 3}[seen["default retry mode"]]
    assert seen["AWS_RETRY_MODE in this environment"] == "adaptive"
    assert seen["read timeout (s)"] > 0 and "retries" in seen["the kit's Lambda client"]
