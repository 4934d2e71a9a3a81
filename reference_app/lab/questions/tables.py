"""Tables of the bank for the interview-prep notebook: what is in it, the seed's questions, your progress."""

from __future__ import annotations

from .. import course
from . import drill
from .bank import LEVELS, Bank, load


def overview(bank: Bank | None = None):
    """Questions per module and level (a pandas DataFrame, with totals)."""
    import pandas as pd

    bank = bank or load()
    rows = [{"module": course.module(q.module).label, "level": q.level} for q in bank]
    table = pd.crosstab(pd.DataFrame(rows)["module"], pd.DataFrame(rows)["level"], margins=True, margins_name="total")
    return table[[*LEVELS, "total"]]


def seed_questions(bank: Bank | None = None):
    """The seed's twelve questions: where each is answered and how many seed claims it corrects."""
    import pandas as pd

    bank = bank or load()
    rows: list[dict] = [
        {
            "seed": q.seed,
            "question": q.question,
            "answered in": q.module,
            "level": q.level,
            "id": q.id,
            "seed claims corrected": len(q.seed_corrections),
        }
        for q in bank
        if q.seed
    ]
    order = {s: i for i, s in enumerate(f"interview-{n}" for n in range(1, 10))}
    rows.sort(key=lambda r: (r["seed"].startswith("discussion"), order.get(r["seed"], 0), r["seed"]))
    return pd.DataFrame(rows).set_index("seed")


def drill_stats(bank: Bank | None = None):
    """Your spaced-repetition progress by topic (what ``lambda-lab drill --stats`` shows)."""
    import pandas as pd

    bank = bank or load()
    return pd.DataFrame(drill.Progress.load().stats(bank.questions)).set_index(["module", "topic"])
