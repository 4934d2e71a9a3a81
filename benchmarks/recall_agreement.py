"""How often the drill's recall grader agrees with an interviewer's verdict.

Reads the labelled answers in tests/unit/data/recall_labels.yml (correct paraphrases, partial answers,
confident wrong answers, blanks), grades each against its question's key points, and prints the
agreement, a confusion table and every disagreement with the grader's checklist. Goal: 85% or more
(tests/unit/test_questions_grading.py fails below 80%).

    python benchmarks/recall_agreement.py
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import yaml

from reference_app.lab.questions import grading, load

LABELS = Path(__file__).resolve().parents[1] / "tests" / "unit" / "data" / "recall_labels.yml"
VERDICTS = ("got", "partly", "missed")


def evaluate(labels: list[dict]) -> tuple[float, Counter, list[tuple[dict, grading.Grade]]]:
    bank = load()
    confusion: Counter = Counter()
    wrong = []
    for item in labels:
        result = grading.grade(bank.get(item["question"]), item["answer"])
        confusion[(item["verdict"], result.verdict)] += 1
        if result.verdict != item["verdict"]:
            wrong.append((item, result))
    agreement = sum(n for (want, got), n in confusion.items() if want == got) / len(labels)
    return agreement, confusion, wrong


def main() -> int:
    labels = yaml.safe_load(LABELS.read_text(encoding="utf-8"))
    start = time.perf_counter()
    agreement, confusion, wrong = evaluate(labels)
    elapsed = time.perf_counter() - start
    kinds = Counter(item["verdict"] for item in labels)
    print(
        f"{len(labels)} labelled answers ({', '.join(f'{kinds[v]} {v}' for v in VERDICTS)}), "
        f"graded in {elapsed * 1000:.0f} ms"
    )
    print(f"agreement with the interviewer's verdict: {agreement:.1%} (goal 85%, test floor 80%)")
    held = [item for item in labels if item.get("heldout")]
    if held:
        held_agreement, _, _ = evaluate(held)
        tuned_agreement, _, _ = evaluate([item for item in labels if not item.get("heldout")])
        print(
            f"  on the {len(labels) - len(held)} answers the grader was tuned on: {tuned_agreement:.1%}; "
            f"on the {len(held)} held out: {held_agreement:.1%}"
        )
    print("\nconfusion (rows: interviewer, columns: grader)")
    print(f"{'':>8}" + "".join(f"{v:>8}" for v in VERDICTS))
    for want in VERDICTS:
        print(f"{want:>8}" + "".join(f"{confusion[(want, got)]:>8}" for got in VERDICTS))
    over = sum(n for (want, got), n in confusion.items() if VERDICTS.index(got) < VERDICTS.index(want))
    print(
        f"\ngraded higher than the interviewer: {over}; "
        f"confident wrong answers graded 'got': {confusion[('missed', 'got')]}"
    )
    recall = [q for q in load() if not q.is_choice]
    graded = [grading.grade(q, q.model_answer) for q in recall]
    found = sum(g.hits for g in graded)
    points = sum(len(g.points) for g in graded)
    verdicts = Counter(g.verdict for g in graded)
    print(
        f"\neach recall question's own model answer (a correct paraphrase of its key points): "
        f"{found} of {points} key points found ({found / points:.0%}); verdicts "
        f"{', '.join(f'{verdicts[v]} {v}' for v in VERDICTS)} of {len(recall)}"
    )
    for item, result in wrong:
        print(f"\n- {item['question']}: interviewer {item['verdict']}, grader {result.verdict}")
        print(f"  answer: {item['answer'][:160]}")
        for point in result.points:
            mark = "✓" if point.hit else ("✗ " + point.problem if point.problem else "·")
            print(f"    {mark} {point.point}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
