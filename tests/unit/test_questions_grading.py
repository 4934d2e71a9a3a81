"""The recall grader: a typed answer scored per key point, agreeing with an interviewer's verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reference_app.lab.questions import grading, load
from reference_app.lab.questions.bank import load_files

LABELS = Path(__file__).parent / "data" / "recall_labels.yml"


def labels() -> list[dict]:
    return yaml.safe_load(LABELS.read_text(encoding="utf-8"))


def test_the_labelled_set_is_big_and_varied():
    items = labels()
    assert len(items) >= 60
    verdicts = {item["verdict"] for item in items}
    assert verdicts == {"got", "partly", "missed"}
    assert sum(not item["answer"].strip() for item in items) >= 5, "blanks are part of the set"


def test_the_grader_agrees_with_the_interviewer_at_least_80_percent():
    items = labels()
    bank = load()
    agree = sum(grading.grade(bank.get(i["question"]), i["answer"]).verdict == i["verdict"] for i in items)
    assert agree / len(items) >= 0.80, f"agreement {agree}/{len(items)}"


def test_no_confident_wrong_answer_is_graded_got():
    bank = load()
    for item in labels():
        if item["verdict"] == "missed":
            assert grading.grade(bank.get(item["question"]), item["answer"]).verdict != "got", item["answer"]


def test_right_words_with_a_wrong_claim_are_not_hits():
    q = load().get("invocation-who-retries")
    wrong = grading.grade(q, "Lambda retries synchronous invocations three times, and async ones too.")
    assert not wrong.points[0].hit and wrong.verdict == "missed"
    says_opposite = grading.grade(q, "Synchronous: the caller does not retry, Lambda does.")
    assert not says_opposite.points[0].hit and says_opposite.points[0].problem == "says the opposite"
    wrong_number = grading.grade(q, "Async: Lambda retries five times by default, then a DLQ or a destination.")
    assert not wrong_number.points[1].hit and wrong_number.points[1].problem == "a different number"
    right = grading.grade(q, "Async: Lambda retries it twice by default, then sends it to a DLQ or destination.")
    assert right.points[1].hit and right.points[1].evidence


def test_blank_and_off_topic_answers_hit_nothing():
    q = load().get("handler-module-scope")
    for answer in ("", "   ", None, "I would use Kubernetes."):
        result = grading.grade(q, answer)
        assert result.hits == 0 and result.verdict == "missed"
    assert grading.grade(q, "").blank


def test_words_match_by_stem_and_typo_but_never_an_antonym():
    assert grading.same_word("retries", "retried") and grading.same_word("environment", "enviroment")
    assert not grading.same_word("synchronous", "asynchronous")
    assert grading.tokens("Lambda doesn't retry it twice (1,000 ms)") == [
        "lambda",
        "does",
        "retry",
        "it",
        "2",
        "1000",
        "millisecond",
    ]
    assert [w.negated for w in grading.words("no servers, and a bill")] == [True, False, False]


@pytest.fixture
def bank_file(tmp_path):
    def write(key_points: str):
        path = tmp_path / "00_setup.yml"
        path.write_text(
            f"""
- id: kp-demo
  module: 00_setup
  level: basic
  topic: setup
  kind: recall
  question: Where does state go?
  model_answer: Outside the function.
  key_points:
{key_points}
  sources: [https://docs.aws.amazon.com/lambda/latest/dg/welcome.html]
  proof: {{module: 00_setup, tag: proof-environment}}
""",
            encoding="utf-8",
        )
        return load_files([path]).get("kp-demo")

    return write


def test_plain_string_key_points_still_work_and_are_matched_from_their_text(bank_file):
    q = bank_file("    - State lives in DynamoDB or S3\n    - Nothing survives between invocations reliably\n")
    assert q.synonyms == ((), ())
    assert grading.grade(q, "Keep state in DynamoDB or S3.").points[0].hit


def test_mapping_key_points_match_their_synonyms(bank_file):
    q = bank_file(
        "    - point: State lives in DynamoDB or S3\n      synonyms: [an external store such as a table]\n"
        "    - Nothing survives between invocations reliably\n"
    )
    assert q.key_points[0] == "State lives in DynamoDB or S3"
    assert grading.grade(q, "Put it in an external store, a table for instance.").points[0].hit


def test_a_malformed_key_point_is_one_sentence(bank_file):
    from reference_app.lab.errors import LabError

    with pytest.raises(LabError, match="key_points needs at least two points"):
        bank_file("    - point: State lives in DynamoDB\n      synonyms: oops\n    - second point here\n")


def _session(lines, clock=None):
    from reference_app.lab.questions import drill

    shown: list[str] = []
    feed = iter(lines)
    kwargs = {"clock": clock} if clock else {}
    session = drill.Session(drill.Progress(path=None), shown.append, lambda _p: next(feed, None), **kwargs)
    return session, shown


def test_the_drill_shows_a_checklist_and_enter_confirms_the_suggested_rating():
    q = load().get("invocation-who-retries")
    session, shown = _session(["Sync: the caller retries. Async: Lambda retries twice, then a DLQ.", ""])
    answer = session.one(q, 1, 1, mock=False)
    text = "\n".join(shown)
    assert "Your answer against the key points[/] (2 of 4)" in text
    assert "✓[/] Sync: the caller retries" in text and "(not in your answer)" in text
    assert answer.rating == "partly" and answer.grade.hits == 2


def test_the_candidate_can_overrule_the_suggestion():
    q = load().get("invocation-who-retries")
    session, _ = _session(["Sync: the caller retries.", "g"])
    assert session.one(q, 1, 1, mock=False).rating == "got"


def test_a_confident_wrong_answer_scores_nothing_in_a_mock():
    from reference_app.lab.questions import drill

    q = load().get("invocation-who-retries")
    ticks = iter([0.0, 30.0])
    session, shown = _session(
        ["Lambda retries synchronous invocations three times, async ones forever."], clock=lambda: next(ticks)
    )
    answer = session.one(q, 1, 1, mock=True)
    assert answer.rating == "missed" and drill.score([answer]) == 0
    assert "Scored from the key points: [bold]missed[/] (0 of 4)" in "\n".join(shown)


def test_time_over_budget_lowers_a_mock_score():
    from reference_app.lab.questions import drill

    q = load().get("invocation-who-retries")  # intermediate: 3:00
    right = (
        "Sync: the caller retries. Async: Lambda retries twice, then a DLQ or destination. "
        "SQS: the visibility timeout and the queue's redrive policy. Streams: retries block the shard "
        "until expiry or configured limits."
    )
    fast, _ = _session([right], clock=iter([0.0, 100.0]).__next__)
    slow, _ = _session([right], clock=iter([0.0, 360.0]).__next__)
    on_time, late = fast.one(q, 1, 1, mock=True), slow.one(q, 1, 1, mock=True)
    assert on_time.rating == late.rating == "got"
    assert drill.score([on_time]) == 100 and drill.score([late]) == 50


def test_a_wrong_number_is_flagged_even_when_the_rest_of_the_point_is_left_out():
    q = load().get("invocation-who-retries")
    result = grading.grade(q, "Sync: the caller retries; Lambda retries async events three times.")
    assert result.points[0].hit
    assert result.points[1].problem == "a different number" and "three times" in result.points[1].evidence
    assert result.verdict == "missed"  # one of four, with a wrong claim
