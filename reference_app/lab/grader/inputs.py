"""Inputs a check draws fresh on every run, from the run's seed.

An answer that hard-codes what one run sends must fail the next, so a check never sends
fixed names, amounts or keys: it asks ``ctx.rng`` (a :class:`Inputs`, which is a
``random.Random`` seeded from the run's seed and the check's name) for them. The seed is
printed with the verdict, and ``lambda-lab check ID --seed N`` replays the same inputs.

The draws are built to find the mistakes learners make: names with apostrophes and
non-ASCII letters, S3 keys with spaces, ``+`` and accents (URL-encoded in the event the way
S3 encodes them), amounts that are not round, currencies other than the usual one.
"""

from __future__ import annotations

import random
import string

FIRST = ("Ada", "Grace", "Zoë", "José", "Hedy", "Ørjan", "Siân", "Małgorzata", "Chidi", "Ngozi", "Kō", "Amélie")
LAST = ("Lovelace", "Hopper", "O'Brien", "Núñez", "Lamarr", "Håland", "Łukasiewicz", "Okafor", "Müller", "Dubois")
CURRENCIES = ("EUR", "USD", "GBP", "JPY", "CHF", "SEK", "BRL", "INR")
#: pieces of S3 keys that a naive handler gets wrong (S3 encodes a space as ``+`` and ``+`` as ``%2B``)
KEY_PARTS = ("with spaces", "a+b", "résumé", "Q3 report+final", "naïve café", "x", "ünïcode", "2+2 = 4", "data")


class Inputs(random.Random):
    """A ``random.Random`` with helpers for the values checks send (all deterministic per seed)."""

    def token(self, n: int = 6) -> str:
        """Lower-case letters and digits, starting with a letter (a valid id almost everywhere)."""
        return self.choice(string.ascii_lowercase) + "".join(
            self.choice(string.ascii_lowercase + string.digits) for _ in range(n - 1)
        )

    def name(self) -> str:
        return f"{self.choice(FIRST)} {self.choice(LAST)}"

    def user_id(self) -> str:
        return f"u-{self.token(7)}"

    def email(self) -> str:
        return f"{self.token(5)}.{self.token(4)}@example.{self.choice(('com', 'org', 'net'))}"

    def amount_cents(self, low: int = 101, high: int = 99_999) -> int:
        """An amount that is not round (so a rounding or a constant shows)."""
        value = self.randint(low, high)
        return value + 1 if value % 10 == 0 else value

    def currency(self) -> str:
        return self.choice(CURRENCIES)

    def s3_key(self, prefix: str = "", suffix: str = ".csv") -> str:
        """A key with at least one space, ``+`` or non-ASCII letter, different every run."""
        tricky = self.choice([p for p in KEY_PARTS if p != "x" and p != "data"])
        return f"{prefix}{tricky} {self.token(4)}{suffix}"

    def distinct(self, draw, count: int) -> list:
        """``count`` different values from ``draw()`` (a method of this object)."""
        seen: list = []
        while len(seen) < count:
            value = draw()
            if value not in seen:
                seen.append(value)
        return seen


def new_seed() -> int:
    """A fresh seed for a run (six digits: easy to read out and type back)."""
    return random.SystemRandom().randint(100_000, 999_999)


def for_check(seed: int, check_name: str) -> Inputs:
    """The inputs of one check in one run: the same seed and check always draw the same values,
    whatever ran before (a replay that skips a check still draws the others' values)."""
    return Inputs(f"{seed}:{check_name}")
