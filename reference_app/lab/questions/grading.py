"""Grade a typed answer against a question's key points: a checklist of hits and misses.

Each key point is matched on its own, with its text and the other wordings the bank lists for it
(``{point: ..., synonyms: [...]}``; a plain-text key point is matched on its text alone):

* words are compared by stem and, for longer words, by fuzzy ratio (rapidfuzz), so "retried" meets
  "retries" and a typo still counts, but "synchronous" never meets "asynchronous";
* a wording counts when the answer's best sentence holds enough of its content words (all of them
  for a wording of three words or fewer);
* a sentence that says the opposite does not count: one of the two is negated and the other is not
  ("Lambda retries synchronous invocations" against "Lambda never retries a synchronous invocation");
* nor does a sentence with a number the wording does not have, when the wording has numbers
  ("retries three times" against "retries twice"), or a number the model answer never gives.

A contradicted point is a miss, and an answer with one is at best "partly": confident and wrong is
what an interviewer marks down most. Everything runs offline; nothing here learns or calls out.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from .bank import Question

NUMBER_WORDS = {
    "zero": "0",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "fifteen": "15",
    "twenty": "20",
    "thirty": "30",
    "sixty": "60",
    "hundred": "100",
    "thousand": "1000",
    "twice": "2",
    "thrice": "3",  # not "one" nor "once": "once per environment" is not a count to check
}
ABBREVIATIONS = {
    "sync": "synchronous",
    "async": "asynchronous",
    "env": "environment",
    "envs": "environments",
    "config": "configuration",
    "db": "database",
    "msg": "message",
    "msgs": "messages",
    "ms": "millisecond",
    "sec": "second",
    "secs": "seconds",
    "mins": "minutes",
    "min": "minute",
    "gb": "gb",
    "mb": "mb",
    "fn": "function",
    "func": "function",
    "lambdas": "functions",
    "perms": "permissions",
    "iam": "iam",
    "dlq": "dlq",
    "dlqs": "dlq",
    "esm": "mapping",
    "ttl": "ttl",
    "req": "request",
    "reqs": "requests",
}
NEGATORS = frozenset({"not", "no", "never", "none", "nothing", "without", "neither", "nor", "nobody", "cannot"})
STOPWORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "then",
        "than",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "which",
        "who",
        "whom",
        "whose",
        "what",
        "when",
        "where",
        "why",
        "how",
        "do",
        "does",
        "did",
        "done",
        "doing",
        "can",
        "could",
        "should",
        "would",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "has",
        "have",
        "had",
        "having",
        "i",
        "you",
        "we",
        "they",
        "he",
        "she",
        "them",
        "us",
        "our",
        "your",
        "their",
        "my",
        "me",
        "so",
        "such",
        "very",
        "just",
        "also",
        "too",
        "only",
        "both",
        "each",
        "any",
        "all",
        "some",
        "more",
        "most",
        "less",
        "much",
        "many",
        "into",
        "onto",
        "over",
        "under",
        "per",
        "via",
        "about",
        "up",
        "down",
        "out",
        "off",
        "again",
        "once's",
        "e.g",
        "eg",
        "i.e",
        "ie",
        "etc",
        "vs",
        "one's",
        "one",
        "through",
        "across",
        "every",
        "own",
        "same",
        "other",
        "within",
        "among",
        # weak verbs: a key point's meaning is in its nouns and its claim, not in "shows" or "makes"
        "show",
        "shows",
        "shown",
        "make",
        "makes",
        "made",
        "use",
        "uses",
        "used",
        "get",
        "gets",
        "got",
        "give",
        "gives",
        "given",
        "go",
        "goes",
        "need",
        "needs",
        "needed",
        "way",
        "thing",
        "things",
    }
)
ANTONYM_PREFIXES = ("a", "an", "un", "non", "in", "im", "dis")
_PIECE = re.compile(r"\d+(?:\.\d+)?|[a-z][a-z0-9_]*|[.;!?\n]+|[,:()\u2014]| - ")
_SENTENCE_END = re.compile(r"[.;!?\n]+")
# a negation's scope ends at a comma, colon, bracket or dash, or at one of these words
_SCOPE_END = frozenset({"but", "because", "so", "then", "instead", "whereas", "while", "and", "however", "since"})

HIT_ALL_UP_TO = 3  # a wording of this many content words or fewer needs all of them
HIT_SHARE = 0.6  # a longer wording needs this share of its content words
GOT_SHARE = 0.75  # share of key points hit for "got it"
PARTLY_SHARE = 0.25  # ... and for "partly"


def _normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("n't", " not").replace("cannot", "can not")
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,000 -> 1000
    text = re.sub(r"(\d)([a-z])", r"\1 \2", text)  # 15min -> 15 min, 6mb -> 6 mb
    return text


def _stem(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("ly", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + repl
            break
    return word


@dataclass(frozen=True)
class Word:
    text: str
    negated: bool  # inside a negation's scope: after not/no/never ... up to the next , : ( ) or conjunction
    sentence: int
    aside: bool = False  # inside brackets: a detail, whose numbers a wording does not require


def words(text: str) -> list[Word]:
    """Normalised words with their polarity: number words as digits, abbreviations spelled out."""
    out: list[Word] = []
    sentence, negated, depth = 0, False, 0
    for raw in _PIECE.findall(_normalise(text)):
        if _SENTENCE_END.fullmatch(raw):
            sentence += 1
            negated = False
            continue
        if raw in "()":
            depth = max(0, depth + (1 if raw == "(" else -1))
        if raw in _SCOPE_END or not raw[0].isalnum():
            negated = False
            continue
        word = NUMBER_WORDS.get(raw, raw)
        word = ABBREVIATIONS.get(word, word)
        if word in NEGATORS:
            negated = not negated
            continue
        out.extend(Word(part, negated, sentence, depth > 0) for part in word.split())
    return out


def tokens(text: str) -> list[str]:
    return [w.text for w in words(text)]


def _content(found: list[Word]) -> list[Word]:
    return [w for w in found if w.text not in STOPWORDS and not _is_number(w.text)]


def _is_number(word: str) -> bool:
    return word.replace(".", "", 1).isdigit()


def _numbers(found: list[Word]) -> set[str]:
    """The numbers said ("one" counts as 1 here, though it is too common a word to match on)."""
    return {("1" if w.text == "one" else w.text) for w in found if _is_number(w.text) or w.text == "one"}


def _antonyms(a: str, b: str) -> bool:
    return any(a == p + b or b == p + a for p in ANTONYM_PREFIXES)


@functools.lru_cache(maxsize=65536)
def same_word(a: str, b: str) -> bool:
    """Same stem, or (for words of five letters or more) a close fuzzy match that is not an antonym."""
    if a == b:
        return True
    if _antonyms(a, b):
        return False
    sa, sb = _stem(a), _stem(b)
    if sa == sb:
        return True
    if min(len(sa), len(sb)) >= 5:
        if sa.startswith(sb) or sb.startswith(sa):
            return True
        return fuzz.ratio(sa, sb) >= 85
    return False


@dataclass(frozen=True)
class PointResult:
    point: str
    hit: bool
    evidence: str | None = None  # the sentence of the answer that made the hit (or the contradiction)
    problem: str | None = None  # "says the opposite", "a different number": why a close match did not count


@dataclass(frozen=True)
class Grade:
    points: tuple[PointResult, ...]
    answer: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def hits(self) -> int:
        return sum(p.hit for p in self.points)

    @property
    def share(self) -> float:
        return self.hits / len(self.points) if self.points else 0.0

    @property
    def contradicted(self) -> bool:
        return any(p.problem for p in self.points)

    @property
    def verdict(self) -> str:
        """got, partly or missed, by the share of key points hit. A wrong claim (a contradicted point)
        rules out "got", and makes "partly" need half the points."""
        if self.share >= GOT_SHARE and not self.contradicted:
            return "got"
        if self.share >= (0.5 if self.contradicted else PARTLY_SHARE):
            return "partly"
        return "missed"

    @property
    def blank(self) -> bool:
        return not _content(words(self.answer))


def _needed(wording: list[Word]) -> float:
    return 1.0 if len(wording) <= HIT_ALL_UP_TO else HIT_SHARE


def _sentence_text(answer: str, index: int) -> str:
    parts = [p.strip() for p in re.split(r"(?<!\d)[.;!?\n]+|[.;!?\n]+(?!\d)", answer)]
    parts = [p for p in parts if p]
    return parts[index] if 0 <= index < len(parts) else answer


def grade_point(point: str, synonyms: tuple[str, ...], answer: str) -> PointResult:
    """One key point against the answer: a hit, a miss, or a close match that contradicts it.

    Each content word of a wording must be met somewhere in the answer by the same word with the same
    polarity (both negated or neither); a wording met only with the opposite polarity is a
    contradiction, and so is one whose numbers the answer gives differently."""
    said = words(answer)
    said_content = _content(said)
    given = _numbers(said)
    contradiction: PointResult | None = None
    for wording in (point, *synonyms):
        wanted_words = words(wording)
        content = list({(_stem(w.text), w.negated): w for w in _content(wanted_words)}.values())  # each word once
        if not content:
            continue
        needed = _needed(content) * len(content)
        same: float = 0
        where: list[int] = []
        by_sentence: dict[int, list[tuple[bool, bool]]] = {}  # sentence -> (met, met with the same polarity)
        for w in content:
            matches = [s for s in said_content if same_word(w.text, s.text)]
            agreeing = [s for s in matches if s.negated == w.negated]
            same += bool(agreeing)
            where += [s.sentence for s in agreeing]
            for sentence in {s.sentence for s in matches}:
                by_sentence.setdefault(sentence, []).append((True, any(s.sentence == sentence for s in agreeing)))
        negated = [w for w in content if w.negated]
        if negated and not any(any(same_word(w.text, s.text) and s.negated for s in said_content) for w in negated):
            same = min(same, needed - 1)  # a negative point's claim is its negated part: it must be said
        wanted = {w.text for w in wanted_words if _is_number(w.text) and not w.aside}
        if same < needed:
            for sentence, met in by_sentence.items():
                agreed = sum(agree for _, agree in met)
                text = _sentence_text(answer, sentence)
                # one sentence that says this point with the opposite polarity is a wrong claim
                if len(met) >= needed and agreed < needed:
                    contradiction = contradiction or PointResult(point, False, text, "says the opposite")
                # and so is one that says half of it with another number ("retries three times")
                said_numbers = {w.text for w in said if w.sentence == sentence and _is_number(w.text)}
                if wanted and said_numbers and not wanted & said_numbers and agreed >= len(content) / 2:
                    contradiction = contradiction or PointResult(point, False, text, "a different number")
            continue
        evidence = _sentence_text(answer, max(set(where), key=where.count)) if where else None
        if wanted and not wanted <= given:
            if given:
                contradiction = contradiction or PointResult(point, False, evidence, "a different number")
            continue
        return PointResult(point, True, evidence)
    return contradiction or PointResult(point, False)


def grade(q: Question, answer: str | None) -> Grade:
    """Grade a typed answer against every key point of ``q``."""
    answer = (answer or "").strip()
    results = tuple(grade_point(point, q.synonyms_of(i), answer) for i, point in enumerate(q.key_points))
    return Grade(results, answer)
