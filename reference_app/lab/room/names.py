# ruff: noqa: RUF001, RUF002  (the look-alike letters are the point of this module)
"""What a room shows of a learner's text, made safe: one name per person, no look-alikes, no escapes.

* :func:`fold`: the form two display names are compared in. ``Ada``, ``ADA``, ``Аda`` (a
  Cyrillic А) and ``Ａｄａ`` (full width) fold to the same ``ada``, so the first learner to
  join keeps the name against every look-alike. Folding is Unicode's NFKC, accents and
  other combining marks removed, a skeleton of the Latin look-alikes in the Cyrillic and
  Greek alphabets (a small table, after Unicode's confusables list, UTS #39), then
  ``casefold``.
* :func:`clean_text`: a learner's free text (a failed check's name) with every control
  character gone: ANSI and OSC escape sequences (clear screen, hyperlinks, window titles),
  C0 and C1 controls, and the bidirectional overrides that reorder what a reader sees.
  What is left is printable; the terminal view still escapes rich's markup
  (:func:`reference_app.lab.cli.base.plain`) and the notebook escapes HTML and mathtext.
"""

from __future__ import annotations

import re
import unicodedata

# Cyrillic and Greek letters that look like Latin ones (lower case: folding casefolds first).
_SKELETON = str.maketrans(
    {
        # Cyrillic
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "з": "3",
        "і": "i",
        "ї": "i",
        "ј": "j",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "ѕ": "s",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        "һ": "h",
        "ӏ": "l",
        "ь": "b",
        "г": "r",
        "п": "n",
        "л": "n",
        "и": "u",
        "ц": "u",
        # Greek
        "α": "a",
        "β": "b",
        "ε": "e",
        "η": "n",
        "ι": "i",
        "κ": "k",
        "μ": "u",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "ω": "w",
        "ζ": "z",
        "γ": "y",
        "ς": "c",
        "σ": "o",
        # Latin look-alikes of each other and digits
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "0": "o",
        "1": "l",
        "|": "l",
        "ß": "ss",
    }
)

# ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), and two-byte escapes.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?|\x9b[0-?]*[ -/]*[@-~]"
)


def fold(name: str) -> str:
    """The form in which two display names are the same name (see the module docstring)."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = text.translate(_SKELETON)
    text = re.sub(r"[\s._'-]+", " ", text).strip()
    return unicodedata.normalize("NFKC", text).casefold()


def clean_text(text: object, limit: int = 200) -> str:
    """``text`` with escape sequences and every control or format character removed, at most ``limit`` long."""
    raw = _ESCAPES.sub("", str(text))
    kept = "".join(ch if unicodedata.category(ch)[0] != "C" else ("" if ch not in "\t\n" else " ") for ch in raw)
    return kept[:limit]
