"""The question bank: ``reference_app/course/questions/<module>.yml``, loaded and validated.

One YAML file per course-map module, each a list of questions::

    - id: context-remaining-time          # unique, kebab-case
      module: 02_handler                  # the file's module
      level: intermediate                 # basic | intermediate | advanced
      topic: context                      # one of the module's quiz_topics (course.yml)
      kind: recall                        # choice | recall
      question: ...
      choices:                            # choice only, with `answer` (0-based index); shown shuffled
        - "the right answer"              #   the right one: plain text
        - text: "a wrong one"             #   a distractor: a real misconception,
          why: "why it is wrong"          #   and why it is wrong (shown after answering)
      answer: 0
      model_answer: ...                   # always; for a choice question, the explanation
      key_points:                         # what an interviewer listens for (two or more); the typed
        - Plain text is fine              #   answer is graded against them (see grading.py)
        - point: Or a mapping             #   with other wordings that also count
          synonyms: [another wording, a third]
      common_wrong_answer: ...            # optional
      sources: [https://docs.aws.amazon.com/...]
      seed: interview-3                   # optional: the seed question this answers
      seed_corrections: [...]             # required with `seed`: where the seed is wrong today
      proof: {module: 02_handler, tag: proof-context}   # the notebook cell that shows it live

Problems are reported as one sentence (:class:`LabError`) that names each question.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .. import course
from ..errors import LabError, UnknownName

LEVELS = ("basic", "intermediate", "advanced")
KINDS = ("choice", "recall")
SOURCE_HOSTS = (
    "https://docs.aws.amazon.com/",
    "https://aws.amazon.com/",
    "https://repost.aws/",
    "https://docs.powertools.aws.dev/",  # Powertools for AWS Lambda, an AWS project
)
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TAG_PATTERN = re.compile(r"^proof-[a-z0-9]+(-[a-z0-9]+)*$")
SEED_PATTERN = re.compile(r"^(interview-[1-9]|discussion-[1-3])$")
SEED_IDS = tuple([f"interview-{n}" for n in range(1, 10)] + [f"discussion-{n}" for n in range(1, 4)])

REQUIRED = ("id", "module", "level", "topic", "kind", "question", "model_answer", "key_points", "sources", "proof")
OPTIONAL = ("choices", "answer", "common_wrong_answer", "seed", "seed_corrections")


@dataclass(frozen=True)
class Proof:
    """The notebook cell (by tag) where the kit shows an answer live."""

    module: str
    tag: str

    @property
    def notebook(self) -> str:
        return f"{self.module}.ipynb"


@dataclass(frozen=True)
class Question:
    id: str
    module: str
    level: str
    topic: str
    kind: str
    question: str
    model_answer: str
    key_points: tuple[str, ...]
    sources: tuple[str, ...]
    proof: Proof
    choices: tuple[str, ...] = ()
    answer: int | None = None
    # why each choice is wrong (None for the right one and for a distractor without a note)
    choice_whys: tuple[str | None, ...] = ()
    # other wordings that count for each key point (same order as key_points)
    synonyms: tuple[tuple[str, ...], ...] = ()
    common_wrong_answer: str | None = None
    seed: str | None = None
    seed_corrections: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_choice(self) -> bool:
        return self.kind == "choice"

    @property
    def correct_choice(self) -> str | None:
        return self.choices[self.answer] if self.is_choice and self.answer is not None else None

    @property
    def answer_index(self) -> int:
        """The right choice's index (bank order); only a choice question has one (the bank checks it)."""
        if self.answer is None:
            raise LabError(f"Question {self.id} has no answer to show: only a choice question has one.")
        return self.answer

    def why_wrong(self, index: int) -> str | None:
        """Why choice ``index`` (bank order) is wrong, when the bank says so."""
        return self.choice_whys[index] if index < len(self.choice_whys) else None

    def choice_order(self, rng: random.Random) -> list[int]:
        """The choices' bank indices in a fresh presentation order (a choice question is never shown
        in bank order on purpose: position must not give the answer away)."""
        order = list(range(len(self.choices)))
        rng.shuffle(order)
        return order

    def synonyms_of(self, index: int) -> tuple[str, ...]:
        return self.synonyms[index] if index < len(self.synonyms) else ()


@dataclass(frozen=True)
class Bank:
    questions: tuple[Question, ...]

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def __len__(self) -> int:
        return len(self.questions)

    def get(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise UnknownName("question", question_id, [q.id for q in self.questions])

    def topics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(q.topic for q in self.questions))

    def select(
        self,
        module: str | None = None,
        level: str | None = None,
        topic: str | None = None,
    ) -> tuple[Question, ...]:
        """The questions matching every filter given, in bank order; unknown names are one sentence."""
        if module is not None:
            module = course.module(module).id
        if level is not None and level not in LEVELS:
            raise UnknownName("level", level, LEVELS)
        if topic is not None and topic not in self.topics():
            raise UnknownName("topic", topic, self.topics())
        return tuple(
            q
            for q in self.questions
            if (module is None or q.module == module)
            and (level is None or q.level == level)
            and (topic is None or q.topic == topic)
        )


# --- loading -------------------------------------------------------------------------------


def bank_files() -> list[Path]:
    """The packaged ``course/questions/*.yml`` files, in course order."""
    folder = Path(str(resources.files("reference_app").joinpath("course", "questions")))
    return sorted(folder.glob("*.yml"))


@functools.cache
def load() -> Bank:
    """The whole bank, validated against the course map (cached)."""
    return load_files(bank_files())


def load_files(paths: Iterable[Path]) -> Bank:
    """Load and validate the given bank files; every problem found is listed in one sentence."""
    problems: list[str] = []
    questions: list[Question] = []
    for path in paths:
        try:
            raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            problems.append(f"{Path(path).name} is not valid YAML ({str(exc).splitlines()[0]})")
            continue
        if not isinstance(raw, list):
            problems.append(f"{Path(path).name} must be a list of questions")
            continue
        for index, item in enumerate(raw):
            question, found = _parse(item, Path(path).stem, index)
            problems += found
            if question is not None:
                questions.append(question)
    problems += _check_bank(questions)
    if problems:
        raise LabError("The question bank is inconsistent: " + "; ".join(problems) + ".")
    return Bank(tuple(questions))


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(v.strip() for v in value)
    return None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _choices(value: Any) -> tuple[tuple[str, ...], tuple[str | None, ...]] | None:
    """``choices``: each a text, or ``{text, why}``; None when malformed."""
    if not isinstance(value, list):
        return None
    texts: list[str] = []
    whys: list[str | None] = []
    for item in value:
        if isinstance(item, dict) and set(item) <= {"text", "why"} and (text := _text(item.get("text"))):
            why = item.get("why")
            if why is not None and not _text(why):
                return None
            texts.append(text)
            whys.append(_text(why))
        elif text := _text(item):
            texts.append(text)
            whys.append(None)
        else:
            return None
    return tuple(texts), tuple(whys)


def _key_points(value: Any) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]] | None:
    """``key_points``: each a text, or ``{point, synonyms: [...]}``; None when malformed."""
    if not isinstance(value, list):
        return None
    points: list[str] = []
    synonyms: list[tuple[str, ...]] = []
    for item in value:
        if isinstance(item, dict) and set(item) <= {"point", "synonyms"} and (point := _text(item.get("point"))):
            extra = _strings(item.get("synonyms", []) or [])
            if extra is None:
                return None
            points.append(point)
            synonyms.append(extra)
        elif point := _text(item):
            points.append(point)
            synonyms.append(())
        else:
            return None
    return tuple(points), tuple(synonyms)


def _parse(item: Any, file_module: str, index: int) -> tuple[Question | None, list[str]]:
    if not isinstance(item, dict):
        return None, [f"{file_module}.yml item {index + 1} is not a mapping"]
    name = str(item.get("id") or f"{file_module}.yml item {index + 1}")
    problems = [f"{name}: unknown field {key!r}" for key in item if key not in REQUIRED + OPTIONAL]
    problems += [f"{name}: missing {key}" for key in REQUIRED if item.get(key) in (None, "", [])]
    if problems:
        return None, problems

    keys = ("id", "module", "level", "topic", "kind", "question", "model_answer")
    texts = {key: _text(item.get(key)) for key in keys}
    problems += [f"{name}: {key} must be text" for key, value in texts.items() if value is None]
    text = {key: value for key, value in texts.items() if value is not None}  # all of them, or problems
    parsed_points, sources = _key_points(item["key_points"]), _strings(item["sources"])
    key_points, synonyms = parsed_points or ((), ())
    if parsed_points is None or len(key_points) < 2:
        problems.append(f"{name}: key_points needs at least two points (texts, or {{point, synonyms}})")
    if sources is None:
        problems.append(f"{name}: sources must be a list of URLs")
    proof = item["proof"]
    if not (isinstance(proof, dict) and set(proof) == {"module", "tag"} and all(map(_text, proof.values()))):
        problems.append(f"{name}: proof must be {{module: <id>, tag: proof-...}}")
    parsed_choices = _choices(item["choices"]) if "choices" in item else ((), ())
    choices, choice_whys = parsed_choices or ((), ())
    if parsed_choices is None:
        problems.append(f"{name}: choices must be a list of texts or {{text, why}}")
    seed_corrections = _strings(item["seed_corrections"]) if "seed_corrections" in item else ()
    if seed_corrections is None:
        problems.append(f"{name}: seed_corrections must be a list of texts")
    if problems or sources is None or seed_corrections is None:
        return None, problems

    question = Question(
        id=text["id"],
        module=text["module"],
        level=text["level"],
        topic=text["topic"],
        kind=text["kind"],
        question=text["question"],
        model_answer=text["model_answer"],
        key_points=key_points,
        sources=sources,
        proof=Proof(proof["module"].strip(), proof["tag"].strip()),
        choices=choices,
        answer=item.get("answer"),
        choice_whys=choice_whys,
        synonyms=synonyms,
        common_wrong_answer=_text(item.get("common_wrong_answer")),
        seed=_text(item.get("seed")),
        seed_corrections=seed_corrections,
    )
    return question, _check_question(question, file_module)


def _check_question(q: Question, file_module: str) -> list[str]:
    """Every problem of one question: where it is filed, its choices, then its sources, proof and seed."""
    return [*_placement_problems(q, file_module), *_choice_problems(q), *_evidence_problems(q)]


def _placement_problems(q: Question, file_module: str) -> list[str]:
    problems = []
    if not ID_PATTERN.match(q.id):
        problems.append(f"{q.id}: id must be kebab-case")
    if q.module != file_module:
        problems.append(f"{q.id}: module {q.module} is filed in {file_module}.yml")
    try:
        module = course.module(q.module)
    except UnknownName:
        problems.append(f"{q.id}: unknown module {q.module}")
        module = None
    if q.level not in LEVELS:
        problems.append(f"{q.id}: level must be one of {', '.join(LEVELS)}")
    if module is not None and q.topic not in module.quiz_topics:
        problems.append(f"{q.id}: topic {q.topic} is not a quiz topic of {q.module} ({', '.join(module.quiz_topics)})")
    return problems


def _choice_problems(q: Question) -> list[str]:
    problems = []
    if q.kind not in KINDS:
        problems.append(f"{q.id}: kind must be choice or recall")
    if q.kind == "choice":
        if len(q.choices) < 2:
            problems.append(f"{q.id}: a choice question needs at least two choices")
        if not isinstance(q.answer, int) or isinstance(q.answer, bool) or not 0 <= q.answer < len(q.choices):
            problems.append(f"{q.id}: answer must be the index of one of its {len(q.choices)} choices")
    elif q.choices or q.answer is not None:
        problems.append(f"{q.id}: only a choice question has choices and an answer")
    return problems


def _evidence_problems(q: Question) -> list[str]:
    problems = [f"{q.id}: source {s} is not AWS documentation" for s in q.sources if not s.startswith(SOURCE_HOSTS)]
    try:
        course.module(q.proof.module)
    except UnknownName:
        problems.append(f"{q.id}: proof names unknown module {q.proof.module}")
    if not TAG_PATTERN.match(q.proof.tag):
        problems.append(f"{q.id}: proof tag {q.proof.tag} must look like proof-<topic-or-claim>")
    if q.seed is not None and not SEED_PATTERN.match(q.seed):
        problems.append(f"{q.id}: seed must be interview-1..9 or discussion-1..3")
    if q.seed is not None and not q.seed_corrections:
        problems.append(f"{q.id}: a seed question says where the seed is wrong today (seed_corrections)")
    return problems


def _check_bank(questions: list[Question]) -> list[str]:
    problems = []
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            problems.append(f"{q.id}: id repeats")
        seen.add(q.id)
    seeds = [q.seed for q in questions if q.seed]
    problems += [f"seed {s} is answered twice" for s in sorted({s for s in seeds if seeds.count(s) > 1})]
    return problems
