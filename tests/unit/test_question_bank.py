"""The question bank (reference_app/course/questions/*.yml) is complete and tied to the course map.

Each rule is a function that returns the problems it finds; the bank must have none, and every rule
is also run on a deliberately broken bank to prove it can fail.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from reference_app.lab import course
from reference_app.lab.errors import LabError
from reference_app.lab.questions import bank as bank_mod
from reference_app.lab.questions.bank import LEVELS, SEED_IDS, Bank, Proof

ROOT = course.kit_root()
NOTEBOOKS = ROOT / "notebooks"
PROOFS_MD = ROOT / "reference_app" / "course" / "questions" / "PROOFS.md"


@pytest.fixture(scope="module")
def bank() -> Bank:
    return bank_mod.load_files(bank_mod.bank_files())


# --- the rules ----------------------------------------------------------------------------------


def answers_problems(bank: Bank) -> list[str]:
    problems = []
    for q in bank:
        if not q.model_answer.strip():
            problems.append(f"{q.id}: no model answer")
        if len(q.key_points) < 2:
            problems.append(f"{q.id}: fewer than two key points")
        if not q.sources:
            problems.append(f"{q.id}: no sources")
        if q.kind == "choice" and not (isinstance(q.answer, int) and 0 <= q.answer < len(q.choices)):
            problems.append(f"{q.id}: answer {q.answer} is not an index of its {len(q.choices)} choices")
    return problems


def id_problems(bank: Bank) -> list[str]:
    counts = Counter(q.id for q in bank)
    return [f"{i}: repeats" for i, n in counts.items() if n > 1]


def course_map_problems(bank: Bank) -> list[str]:
    modules = {m.id: m for m in course.modules()}
    problems = []
    for q in bank:
        if q.module not in modules:
            problems.append(f"{q.id}: unknown module {q.module}")
        elif q.topic not in modules[q.module].quiz_topics:
            problems.append(f"{q.id}: topic {q.topic} not in {q.module}'s quiz_topics")
    return problems


def notebook_tags(path: Path) -> set[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return {tag for cell in cells for tag in cell.get("metadata", {}).get("tags", [])}


def proof_problems(bank: Bank, notebooks: Path = NOTEBOOKS) -> list[str]:
    modules = {m.id for m in course.modules()}
    problems = []
    for q in bank:
        if q.proof.module not in modules:
            problems.append(f"{q.id}: proof names unknown module {q.proof.module}")
            continue
        notebook = notebooks / q.proof.notebook
        if notebook.is_file() and q.proof.tag not in notebook_tags(notebook):
            problems.append(f"{q.id}: {notebook.name} has no cell tagged {q.proof.tag}")
    return problems


def seed_problems(bank: Bank) -> list[str]:
    seeds = Counter(q.seed for q in bank if q.seed)
    missing = [f"seed {s} has no question" for s in SEED_IDS if s not in seeds]
    twice = [f"seed {s} answered {n} times" for s, n in seeds.items() if n > 1]
    return missing + twice


def level_problems(bank: Bank) -> list[str]:
    present = {(q.module, q.level) for q in bank}
    return [
        f"{module}: no {level} question"
        for module in sorted({q.module for q in bank})
        for level in LEVELS
        if (module, level) not in present
    ]


def proofs_md() -> dict[str, set[str]]:
    """PROOFS.md: one line per module, ``- **<module>**: `proof-a`: ... `proof-b`: ...``."""
    listed: dict[str, set[str]] = {}
    for line in PROOFS_MD.read_text(encoding="utf-8").splitlines():
        match = re.match(r"- \*\*(?P<module>[0-9a-z_]+)\*\*:", line)
        if match:
            listed[match["module"]] = set(re.findall(r"`(proof-[a-z0-9-]+)`:", line))
    return listed


def proofs_md_problems(bank: Bank, listed: dict[str, set[str]]) -> list[str]:
    used: dict[str, set[str]] = {}
    for q in bank:
        used.setdefault(q.proof.module, set()).add(q.proof.tag)
    problems = [
        f"{m}: {t} is used by the bank but not listed in PROOFS.md"
        for m, tags in used.items()
        for t in sorted(tags - listed.get(m, set()))
    ]
    problems += [
        f"{m}: {t} is listed in PROOFS.md but no question uses it"
        for m, tags in listed.items()
        for t in sorted(tags - used.get(m, set()))
    ]
    return problems


# --- the bank passes every rule -----------------------------------------------------------------


def test_the_bank_has_at_least_80_questions(bank):
    assert len(bank) >= 80


def test_every_question_has_a_model_answer_key_points_sources_and_a_valid_choice(bank):
    assert answers_problems(bank) == []


def test_ids_are_unique(bank):
    assert id_problems(bank) == []


def test_every_module_and_topic_is_in_the_course_map(bank):
    assert course_map_problems(bank) == []


def test_every_proof_names_a_module_and_a_tag_its_notebook_carries(bank):
    assert proof_problems(bank) == []


def test_all_twelve_seed_questions_are_answered_once(bank):
    assert seed_problems(bank) == []
    assert sum(1 for q in bank if q.seed) == 12


def test_every_module_with_questions_has_every_level(bank):
    assert level_problems(bank) == []


def test_every_quiz_topic_of_the_course_has_questions(bank):
    topics = {(q.module, q.topic) for q in bank}
    missing = [(m.id, t) for m in course.modules() for t in m.quiz_topics if (m.id, t) not in topics]
    assert missing == []


def test_proofs_md_lists_exactly_the_tags_the_bank_uses(bank):
    assert proofs_md_problems(bank, proofs_md()) == []


def test_seed_answers_say_where_the_seed_is_wrong(bank):
    assert all(q.seed_corrections for q in bank if q.seed)


def test_sources_are_aws_documentation(bank):
    assert all(s.startswith(bank_mod.SOURCE_HOSTS) for q in bank for s in q.sources)


def test_the_packaged_bank_is_the_one_tested(bank):
    assert bank_mod.load() == bank


# --- every rule can fail -------------------------------------------------------------------------


def test_the_rules_catch_a_broken_bank(bank, tmp_path):
    first, second = bank.questions[0], bank.questions[1]
    broken = Bank(
        (
            replace(first, key_points=("only one",), model_answer=" "),
            replace(second, id=first.id),
            replace(bank.questions[2], topic="no-such-topic"),
            replace(bank.questions[3], kind="choice", choices=("a", "b"), answer=5),
            replace(bank.questions[4], proof=Proof("00_setup", "proof-not-in-the-notebook")),
        )
    )
    assert any("fewer than two key points" in p for p in answers_problems(broken))
    assert any("no model answer" in p for p in answers_problems(broken))
    assert any("not an index" in p for p in answers_problems(broken))
    assert id_problems(broken) == [f"{first.id}: repeats"]
    assert any("no-such-topic" in p for p in course_map_problems(broken))
    assert any("proof-not-in-the-notebook" in p for p in proof_problems(broken))
    assert len(seed_problems(broken)) >= 10
    assert level_problems(Bank(tuple(q for q in bank if q.level != "advanced")))
    assert proofs_md_problems(broken, {"00_setup": {"proof-unused"}})


def test_a_missing_notebook_tag_is_found_by_reading_the_ipynb(bank, tmp_path):
    q = next(q for q in bank if q.proof.module == "00_setup")
    (tmp_path / "00_setup.ipynb").write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {}}]}))
    assert proof_problems(Bank((q,)), tmp_path) == [f"{q.id}: 00_setup.ipynb has no cell tagged {q.proof.tag}"]


def _write(tmp_path: Path, module: str, body: str) -> Path:
    path = tmp_path / f"{module}.yml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


GOOD = """\
- id: good-one
  module: 02_handler
  level: basic
  topic: context
  kind: choice
  question: Which call?
  choices: [a, b]
  answer: 1
  model_answer: Because.
  key_points: [one, two]
  sources: [https://docs.aws.amazon.com/lambda/latest/dg/python-context.html]
  proof: {module: 02_handler, tag: proof-context}
"""


def test_the_loader_accepts_a_valid_file(tmp_path):
    loaded = bank_mod.load_files([_write(tmp_path, "02_handler", GOOD)])
    assert [q.id for q in loaded] == ["good-one"] and loaded.get("good-one").correct_choice == "b"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("answer: 1", "answer: 2"), "answer must be the index of one of its 2 choices"),
        (("topic: context", "topic: cold-starts"), "topic cold-starts is not a quiz topic of 02_handler"),
        (("key_points: [one, two]", "key_points: [one]"), "key_points needs at least two points"),
        (("tag: proof-context", "tag: context"), "proof tag context must look like proof-"),
        (("proof: {module: 02_handler", "proof: {module: 99_nowhere"), "proof names unknown module 99_nowhere"),
        (("id: good-one", "id: Good_One"), "id must be kebab-case"),
        (("level: basic", "level: expert"), "level must be one of basic, intermediate, advanced"),
        (("sources: [https://docs.aws.amazon.com", "sources: [https://example.com"), "is not AWS documentation"),
        (("kind: choice", "kind: recall"), "only a choice question has choices and an answer"),
        (("  model_answer: Because.\n", ""), "missing model_answer"),
        (("  answer: 1\n", "  answer: 1\n  seed: interview-3\n"), "says where the seed is wrong"),
        (("  answer: 1\n", "  answer: 1\n  anwser: 2\n"), "unknown field 'anwser'"),
        (("module: 02_handler\n", "module: 99_nowhere\n"), "good-one: unknown module 99_nowhere"),
        (("kind: choice", "kind: essay"), "kind must be choice or recall"),
        (("choices: [a, b]\n  answer: 1", "choices: [a]\n  answer: 0"), "a choice question needs at least two choices"),
        (
            ("  answer: 1\n", "  answer: 1\n  seed: interview-10\n  seed_corrections: [x]\n"),
            "seed must be interview-1..9 or discussion-1..3",
        ),
    ],
)
def test_the_loader_names_each_problem_in_one_sentence(tmp_path, change, message):
    path = _write(tmp_path, "02_handler", GOOD.replace(*change))
    with pytest.raises(LabError, match=re.escape(message)) as info:
        bank_mod.load_files([path])
    assert str(info.value).startswith("The question bank is inconsistent:") and "\n" not in str(info.value)


def test_the_loader_finds_repeated_ids_across_files(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    paths = [_write(tmp_path / "a", "02_handler", GOOD), _write(tmp_path / "b", "02_handler", GOOD)]
    with pytest.raises(LabError, match="good-one: id repeats"):
        bank_mod.load_files(paths)


def test_a_question_filed_under_another_module_is_refused(tmp_path):
    with pytest.raises(LabError, match="module 02_handler is filed in 04_triggers.yml"):
        bank_mod.load_files([_write(tmp_path, "04_triggers", GOOD)])


def test_select_filters_and_explains_unknown_names(bank):
    assert {q.level for q in bank.select(level="advanced")} == {"advanced"}
    assert {q.module for q in bank.select(module="02_handler")} == {"02_handler"}
    with pytest.raises(LabError, match="did you mean 'cold-starts'"):
        bank.select(topic="cold-start")
    with pytest.raises(LabError, match="There is no level"):
        bank.select(level="hard")


def test_only_a_choice_question_has_an_answer_index(bank):
    choice = next(q for q in bank if q.is_choice)
    recall = next(q for q in bank if not q.is_choice)
    assert choice.choices[choice.answer_index] == choice.correct_choice
    with pytest.raises(LabError, match="only a choice question has one"):
        recall.answer_index  # noqa: B018
