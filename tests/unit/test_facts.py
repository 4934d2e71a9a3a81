"""The course's facts that age (reference_app/course/facts.yml) and every AWS documentation link.

GIVEN the reviewed fact list, the lessons, the question bank and the known differences
WHEN they are read as text
THEN every fact has sources and a check date and is still stated where it says it is, and every
docs.aws.amazon.com link is well-formed (https, the English guide, an .html page) and cited at most
once per claim (one question's sources, one fact's sources, one notebook cell).
"""

from __future__ import annotations

import collections
import datetime
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FACTS = ROOT / "reference_app" / "course" / "facts.yml"
QUESTIONS = ROOT / "reference_app" / "course" / "questions"

# Anything that starts like an AWS documentation link, up to where Markdown or YAML would end it.
LINK = re.compile(r"https?://docs\.aws\.amazon\.com[^\s)\]>'\"`,]*")
# https, the English guide (no /de_de/ locale folder), a guide folder, an .html page, an optional anchor.
WELL_FORMED = re.compile(
    r"^https://docs\.aws\.amazon\.com/(?![a-z]{2}_[a-z]{2}/)[A-Za-z0-9-]+(/[A-Za-z0-9._-]+)*/[A-Za-z0-9._-]+\.html"
    r"(#[A-Za-z0-9_.-]+)?$"
    # Powertools for AWS Lambda's own site lives on the same host as folders, not .html pages.
    r"|^https://docs\.aws\.amazon\.com/powertools/[a-z]+/latest/([a-z0-9_-]+/)*(#[a-z0-9_-]+)?$"
)


def link_problems(text: str, where: str) -> list[str]:
    """One sentence per malformed AWS documentation link in ``text``."""
    problems = []
    for match in LINK.finditer(text):
        url = match.group(0).rstrip(".;:")
        if not WELL_FORMED.match(url):
            problems.append(f"{where}: {url} is not a well-formed link to an AWS documentation page")
    return problems


def repeated(urls: list[str]) -> list[str]:
    return sorted(url for url, count in collections.Counter(urls).items() if count > 1)


def cells(source: str) -> list[str]:
    """A jupytext percent source split at its cell markers."""
    return re.split(r"^# %%.*$", source, flags=re.M)


def documents() -> dict[str, str]:
    files = [
        *sorted((ROOT / "lessons").glob("*.py")),
        *sorted(QUESTIONS.glob("*.yml")),
        ROOT / "reference_app" / "lab" / "known_differences.yml",
        FACTS,
        ROOT / "README.md",
    ]
    return {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8") for path in files if path.exists()}


@pytest.fixture(scope="module")
def facts() -> list[dict]:
    return yaml.safe_load(FACTS.read_text(encoding="utf-8"))


def test_every_aws_documentation_link_is_well_formed():
    problems = [p for where, text in documents().items() for p in link_problems(text, where)]
    assert problems == []


def test_no_question_cites_a_page_twice():
    for path in sorted(QUESTIONS.glob("*.yml")):
        for question in yaml.safe_load(path.read_text(encoding="utf-8")):
            assert repeated(question["sources"]) == [], f"{question['id']} cites a page twice"


def test_no_notebook_cell_links_a_page_twice():
    for path in sorted((ROOT / "lessons").glob("*.py")):
        for number, cell in enumerate(cells(path.read_text(encoding="utf-8"))):
            urls = [m.group(0).rstrip(".;:") for m in LINK.finditer(cell)]
            assert repeated(urls) == [], f"{path.name}, cell {number}, links a page twice"


def test_every_fact_has_unique_sources_and_a_check_date(facts):
    ids = [fact["id"] for fact in facts]
    assert repeated(ids) == []
    for fact in facts:
        assert fact["claim"].strip() and fact["sources"], fact["id"]
        assert repeated(fact["sources"]) == [], fact["id"]
        assert all(source.startswith("https://") for source in fact["sources"]), fact["id"]
        assert isinstance(fact["checked"], datetime.date) and fact["checked"] <= datetime.date.today(), fact["id"]


def unstated(facts: list[dict]) -> list[str]:
    """One sentence per fact whose phrase is no longer in a file the list names."""
    return [
        f"{fact['id']}: {place['file']} no longer says {place['text']!r}"
        for fact in facts
        for place in fact["stated_in"]
        if place["text"] not in (ROOT / place["file"]).read_text(encoding="utf-8")
    ]


def test_every_fact_is_still_stated_where_the_list_says(facts):
    assert unstated(facts) == []


# --- the rules can fail ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://docs.aws.amazon.com/lambda/latest/dg/welcome.html",  # not https
        "https://docs.aws.amazon.com/de_de/lambda/latest/dg/welcome.html",  # a translated copy
        "https://docs.aws.amazon.com/lambda/latest/dg/welcome.md",  # the markdown twin
        "https://docs.aws.amazon.com/lambda/latest/dg//urls-auth.html",  # an empty path segment
        "https://docs.aws.amazon.com/lambda/latest/dg/",  # a folder, not a page
        "https://docs.aws.amazon.com/lambda/latest/dg/welcome.html?tag=x",  # a tracking query
        "https://docs.aws.amazon.com/powertools/python/develop/utilities/batch/",  # an unreleased branch
    ],
)
def test_a_malformed_link_is_named(url):
    assert link_problems(f"see [this]({url}) for more", "lesson.py") != []


@pytest.mark.parametrize(
    "url",
    [
        "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime",
        "https://docs.aws.amazon.com/powertools/python/latest/lambda-features/managed-instances/",
    ],
)
def test_a_well_formed_link_passes(url):
    assert link_problems(f"([the page]({url})).", "lesson.py") == []


def test_a_repeated_link_in_one_cell_is_found():
    cell = "# [a](https://docs.aws.amazon.com/x/y.html) and [b](https://docs.aws.amazon.com/x/y.html)"
    assert repeated([m.group(0) for m in LINK.finditer(cell)]) == ["https://docs.aws.amazon.com/x/y.html"]


def test_a_fact_whose_phrase_left_its_file_is_found(facts):
    moved = dict(facts[0], stated_in=[{"file": "lessons/00_setup.py", "text": "billed per 100 ms, as ever"}])
    assert unstated([moved]) == [f"{moved['id']}: lessons/00_setup.py no longer says 'billed per 100 ms, as ever'"]
