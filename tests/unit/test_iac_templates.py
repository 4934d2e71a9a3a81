"""Every template the kit ships is cfn-lint clean; the seed's verbatim copies report what the lesson says."""

from pathlib import Path

import pytest

from reference_app.lab import iac, terraform
from reference_app.lab.lesson_helpers import seed_iac as seed

IAC = iac.iac_dir()
SHIPPED = sorted(p for p in IAC.glob("*.yaml"))
SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions" / "03_infrastructure_as_code"


def test_the_kit_ships_its_templates():
    assert {p.name for p in SHIPPED} == {"users-api.yaml", "users-api-sam.yaml"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_template_is_cfn_lint_clean(path):
    assert iac.lint(path).clean, str(iac.lint(path))
    assert iac.lint(path, informational=True).clean, str(iac.lint(path, informational=True))


def test_the_sam_template_expands_to_a_clean_template():
    expanded = iac.sam_translate(IAC / "users-api-sam.yaml")
    types = set(iac.resource_types(expanded)["type"])
    assert {"AWS::Lambda::Function", "AWS::IAM::Role", "AWS::ApiGateway::Stage", "AWS::Lambda::Permission"} <= types
    assert iac.lint(expanded).clean


def test_sam_expansion_ignores_the_learners_aws_profile(monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    assert iac.sam_translate(IAC / "users-api-sam.yaml")["Resources"]
    import os

    assert os.environ["AWS_PROFILE"] == "no-such-profile"


def test_the_seed_template_is_kept_verbatim_and_does_not_parse():
    text = seed.template()
    assert text.startswith("# lambda-function.yaml\nAWSTemplateFormatVersion")
    assert seed.top_level_keys(text).count("Parameters") == 2
    assert iac.lint(text).rules == ["E0000"]


def test_a_plain_yaml_parser_silently_keeps_the_last_parameters_block():
    assert seed.parameters_a_plain_parser_keeps(seed.template()) == ["NotificationEmail"]


def test_merging_the_duplicate_leaves_the_runtime_warning_and_the_informational_rules():
    merged = seed.merge_duplicate_sections(seed.template())
    assert seed.top_level_keys(merged) == [
        "AWSTemplateFormatVersion",
        "Description",
        "Parameters",
        "Resources",
        "Outputs",
    ]
    assert seed.parameters_a_plain_parser_keeps(merged) == ["Environment", "FunctionName", "NotificationEmail"]
    assert iac.lint(merged).rules == ["W2531"]
    assert iac.lint(merged, informational=True).rules == ["I3011", "I3042", "W2531"]


def test_the_seed_snippets_use_a_property_that_does_not_exist_and_undefined_references():
    performance = iac.lint(seed.snippet_template("performance"))
    assert {"E3002", "W2531"} <= set(performance.rules)
    assert any(f.where.endswith("ReservedConcurrencyLimit") for f in performance)
    assert {"E1019", "E1020"} <= set(iac.lint(seed.snippet_template("security")).rules)


def test_findings_show_as_a_table():
    findings = iac.lint(seed.snippet_template("performance"))
    table = findings.table()
    assert list(table.columns) == ["rule", "severity", "where", "line", "message"]
    assert "<table" in findings._repr_html_() and "reports nothing" in iac.Findings()._repr_html_()


def test_merge_duplicate_sections_leaves_a_template_without_repeats_unchanged():
    text = (IAC / "users-api.yaml").read_text()
    assert seed.merge_duplicate_sections(text) == text


def test_an_unknown_template_name_says_which_exist():
    with pytest.raises(iac.LabError, match="users-api.yaml"):
        iac.template_path("user-api.yaml")


def test_the_corrected_terraform_parses_and_reviews_clean():
    path = IAC / "terraform" / "main.tf"
    declared = terraform.resources(path)
    assert ("aws_api_gateway_stage", "users") in declared and ("aws_lambda_function", "users") in declared
    assert not any(rtype.startswith(("random_", "archive_")) for rtype, _ in declared)
    assert terraform.review(path) == []
    tree = terraform.parse(path)
    assert set(terraform.required_providers(tree)) == {"aws"}


def test_the_seed_terraform_uses_what_provider_6_removed():
    problems = {(p.where, p.problem.split()[0]) for p in terraform.review(IAC / "seed" / "lambda.tf")}
    assert ("aws_api_gateway_deployment.main", "stage_name") in problems
    assert ("aws_api_gateway_deployment.*.invoke_url", "invoke_url") in problems
    assert ("aws_lambda_function.main", "runtime") in problems
    wheres = {w for w, _ in problems}
    assert {
        "random_* blocks",
        "archive_* blocks",
        "aws_s3_bucket_notification.main",
        "aws_lambda_event_source_mapping.*",
    } <= wheres


def test_terraform_can_be_switched_off(monkeypatch):
    monkeypatch.setenv(terraform.SWITCH_ENV, "0")
    available = terraform.availability()
    assert not available and "switched off" in str(available)


def test_without_terraform_the_reason_is_one_sentence(monkeypatch):
    monkeypatch.delenv(terraform.SWITCH_ENV, raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    available = terraform.availability()
    assert not available and str(available).count(". ") == 0 and "never" in str(available)


def test_the_terraform_environment_passes_on_nothing_of_the_learners(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "prod-admin")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-looking")
    monkeypatch.setattr(terraform, "provider_mirror", lambda: tmp_path / "mirror")
    from reference_app.lab.config import resolve_backend

    env = terraform._environment(tmp_path, resolve_backend())
    assert "AWS_PROFILE" not in env and env["AWS_SECRET_ACCESS_KEY"] == "test"
    assert env["CHECKPOINT_DISABLE"] == "1" and env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    rc = (tmp_path / "terraform.rc").read_text()
    assert "filesystem_mirror" in rc and "direct" not in rc
