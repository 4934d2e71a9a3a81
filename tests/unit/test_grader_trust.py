"""A grader a learner can trust, without an emulator: seeded inputs, a complete policy evaluator,
messages that are whole, the learner's output apart from the verdict, hints and attempts.

Unit checks only (live checks are skipped without an emulator, which the reports say).
"""

import hashlib
import json
from urllib.parse import quote_plus

import pytest

from reference_app.lab import course, grader
from reference_app.lab import progress_store as progress
from reference_app.lab.generate import clean_solution
from reference_app.lab.grader import framework, policy
from reference_app.lab.grader.inputs import for_check


@pytest.fixture
def learner(tmp_path, monkeypatch):
    import shutil

    shutil.copytree(course.kit_root() / "exercises", tmp_path / "exercises")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.setenv("LAMBDA_LAB_COURSE_DIR", str(tmp_path))
    monkeypatch.setenv("LAMBDA_LAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LAMBDA_LAB_EMULATOR", "http://127.0.0.1:9")  # nothing there: live checks skip
    monkeypatch.delenv("LAMBDA_LAB_SOLUTIONS", raising=False)
    return tmp_path


def _unit(report):
    return [r for r in report.results if r.kind == "unit"]


# --- seeds ------------------------------------------------------------------------------------


def test_the_same_seed_draws_the_same_inputs_and_another_seed_others():
    assert for_check(7, "a check").s3_key("uploads/") == for_check(7, "a check").s3_key("uploads/")
    assert {for_check(seed, "a check").user_id() for seed in range(20)}.__len__() > 15
    key = for_check(7, "a check").s3_key("uploads/")
    assert any(c in key for c in " +") or not key.isascii()


def test_a_report_prints_its_seed_and_the_command_that_replays_it(learner, tmp_path):
    wrong = tmp_path / "wrong.py"
    wrong.write_text(
        clean_solution(course.solution_path("sqs-partial-batch").read_text(encoding="utf-8")).replace(
            'failures.append({"itemIdentifier": record["messageId"]})', "pass"
        ),
        encoding="utf-8",
    )
    report = grader.run("sqs-partial-batch", wrong, seed=424242)
    assert report.seed == 424242 and "seed 424242" in report.headline()
    assert "lambda-lab check sqs-partial-batch --seed 424242" in str(report)
    again = grader.run("sqs-partial-batch", wrong, seed=424242)
    assert [r.reason for r in _unit(again)] == [r.reason for r in _unit(report)]  # the same inputs, the same verdict


def test_an_answer_that_hard_codes_one_runs_keys_passes_that_run_and_fails_the_next(learner, tmp_path):
    # GIVEN the keys one run sent, as a learner could read them from the solution's own log lines
    solution = clean_solution(course.solution_path("debug-s3-keys").read_text(encoding="utf-8"))
    first = grader.run("debug-s3-keys", course.solution_path("debug-s3-keys"), seed=1111)
    seen = [json.loads(line)["key"] for line in _unit(first)[0].output.splitlines() if line.startswith("{")]
    assert len(seen) >= 4
    # WHEN an answer maps exactly those encoded keys back instead of decoding
    table = {quote_plus(k, safe="/"): k for k in seen}
    fake = solution.replace(
        'key = unquote_plus(record["s3"]["object"]["key"])',
        f'key = {table!r}.get(record["s3"]["object"]["key"], record["s3"]["object"]["key"])',
    )
    assert fake != solution
    path = tmp_path / "fake.py"
    path.write_text(fake, encoding="utf-8")
    # THEN it passes the run it copied, and fails a run with another seed
    assert all(r.status == "passed" for r in _unit(grader.run("debug-s3-keys", path, seed=1111)))
    other = grader.run("debug-s3-keys", path, seed=2222)
    assert other.status == "failed" and "uploads/" in other.failed_checks[0].reason


def test_a_check_written_before_seeds_still_runs(tmp_path):
    spec = framework.Exercise("old-style")
    calls = []

    @spec.unit("ignores the seed")
    def old(ctx):
        calls.append(ctx.exercise.id)

    ctx = framework.Context(spec, tmp_path / "x.py")
    result = framework.run_check(spec.checks[0], ctx)
    assert result.status == "passed" and calls == ["old-style"]


# --- the learner's output, apart from the verdict --------------------------------------------


def test_what_the_code_prints_or_logs_comes_after_the_verdict(tmp_path, capsys):
    import sys

    spec = framework.Exercise("noisy")

    @spec.unit("prints and logs")
    def noisy(ctx):
        print("a print")
        print("a log line", file=sys.stderr)  # where logging's handlers write

    result = framework.run_check(spec.checks[0], framework.Context(spec, tmp_path / "x.py"))
    assert "a print" in result.output and "a log line" in result.output
    assert "a print" not in capsys.readouterr().out


# --- messages ---------------------------------------------------------------------------------


def test_a_long_value_is_cut_at_a_word_boundary_and_says_how_long_it_was():
    text = " ".join(["word"] * 100)
    shown = framework.shown(text, 50)
    assert shown.endswith("characters in all)") and "wor …" not in shown and "word …" in shown
    assert framework.shown({"a": 1}) == '{"a": 1}'


# --- policies ---------------------------------------------------------------------------------

TABLE = "arn:aws:dynamodb:us-east-1:000000000000:table/users"
LOGS = "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/fn"
JOB = {**{a: [TABLE] for a in ("dynamodb:GetItem", "dynamodb:PutItem")}, "logs:PutLogEvents": [f"{LOGS}:*"]}


def _doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_a_service_wildcard_allows_every_action_of_the_service():
    doc = _doc({"Effect": "Allow", "Action": "dynamodb:*", "Resource": TABLE})
    assert policy.allows(doc, "dynamodb:PutItem", TABLE) and policy.action_matches("dynamodb:*", "DynamoDB:PutItem")
    beyond = policy.grants_beyond(doc, JOB)
    assert f"dynamodb:DeleteTable on {TABLE}" in beyond and f"dynamodb:PutItem on {TABLE}" not in beyond


def test_a_policy_that_does_its_job_only_has_nothing_beyond_it():
    doc = _doc(
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"], "Resource": TABLE},
        {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": f"{LOGS}:log-stream:*"},
    )
    assert policy.grants_beyond(doc, JOB) == []


@pytest.mark.parametrize(
    ("statement", "widest"),
    [
        ({"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}, "dynamodb:GetItem on *"),
        ({"Effect": "Allow", "Action": "dynamodb:Get*", "Resource": TABLE}, f"dynamodb:GetResourcePolicy on {TABLE}"),
        (
            {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "arn:aws:logs:*:*:*"},
            "logs:PutLogEvents on arn:aws:logs:*:*:*",
        ),
        ({"Effect": "Allow", "Action": "*", "Resource": TABLE}, f"every action of every service ('*') on {TABLE}"),
        ({"Effect": "Allow", "NotAction": "iam:*", "Resource": TABLE}, f"every action but iam:* on {TABLE}"),
    ],
)
def test_every_grant_beyond_the_job_is_found_whatever_a_probe_would_try(statement, widest):
    assert widest in policy.grants_beyond(_doc(statement), JOB)


def test_an_unconditional_deny_removes_what_it_covers():
    doc = _doc(
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Scan"], "Resource": TABLE},
        {"Effect": "Deny", "Action": "dynamodb:Scan", "Resource": "*"},
    )
    assert policy.grants_beyond(doc, JOB) == [] and not policy.allows(doc, "dynamodb:Scan", TABLE)


def test_pattern_inclusion():
    assert policy.covers("arn:aws:logs:*:*:*", f"{LOGS}:*")
    assert not policy.covers(f"{LOGS}:*", "arn:aws:logs:*:*:*")
    assert policy.covers(f"{LOGS}:*", f"{LOGS}:log-stream:*") and not policy.covers(TABLE, TABLE + "*")


# --- attempts and hints -----------------------------------------------------------------------


def test_run_all_on_an_untouched_stub_is_one_attempt(learner, monkeypatch):
    monkeypatch.delenv("LAMBDA_LAB_CHECKS_MUST_PASS", raising=False)
    for _ in range(3):
        grader.check("init-once")
    assert progress.load()["init-once"]["attempts"] == 1


def test_hint_three_on_an_answer_that_passes_lists_nothing_to_remove(learner):
    mine = course.exercise_path("handler-validation")
    answer = clean_solution(course.solution_path("handler-validation").read_text(encoding="utf-8"))
    mine.write_text(answer.replace("for field in FIELDS:", "for field in FIELDS:  # mine"), encoding="utf-8")
    data = progress.load()  # as a passing check leaves it for this version of the file
    data["handler-validation"] = {
        "attempts": 1,
        "status": "passed",
        "source_sha": hashlib.sha256(mine.read_bytes()).hexdigest()[:16],
    }
    progress.save(data)
    text = grader.hint("handler-validation", 3).text
    assert "already passes" in text and "Lines to remove" not in text


# --- a race judged on moto --------------------------------------------------------------------


def test_the_voucher_race_judges_the_solution_right_when_threads_switch_constantly(learner):
    """saga-voucher's race runs two redeems in two threads on moto. Moto does not apply a request
    atomically: with threads switching every microsecond, both of the solution's conditional writes
    passed the condition in 138 of 300 tries (and once moto's own item copy raised). The check runs
    one request at a time, as DynamoDB applies them, so the solution must win exactly once every time,
    while a read-then-write answer still fails."""
    import sys

    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for seed in range(12):
            race = [
                r
                for r in _unit(grader.run("saga-voucher", course.solution_path("saga-voucher"), seed=seed))
                if "same moment" in r.name
            ]
            assert race and race[0].status == "passed", race[0].reason if race else "no race check"
    finally:
        sys.setswitchinterval(before)
