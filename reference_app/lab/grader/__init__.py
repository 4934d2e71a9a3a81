"""The exercise grader: ``lambda-lab check ID`` and ``lab.check("ID")``.

Each exercise's checks run against the learner's file (``exercises/…``, or the
solution when ``LAMBDA_LAB_SOLUTIONS=1``): fast unit checks under moto first, then
a deploy-and-drive check on the emulator through the exercise's real trigger. The
result is recorded in the learner's progress. ``hint`` gives three levels of help,
the last one the solution as a diff against the learner's file; ``reset_exercise``
restores a stub after saving the learner's version beside it.

Every run draws its inputs from a seed (printed with the verdict; ``run(id, seed=N)`` and
``lambda-lab check ID --seed N`` replay it): see :mod:`.framework` for the checks' API.

When ``LAMBDA_LAB_CHECKS_MUST_PASS=1`` (the test suite sets it, so CI runs every
notebook in solutions mode with passing checks), a check that does not pass raises.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import os
import time
import uuid
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from .. import course, workspace
from .. import progress_store as progress
from ..emulator import require
from ..errors import LabError
from ..generate import clean_solution, stub_from_solution
from ..reference_deploys import ensure_resource
from ..rendering import file_link
from ..room.reporting import report as report_to_room
from .framework import (
    FAILED,
    NOT_STARTED,
    PASSED,
    SKIPPED,
    CheckFailed,
    CheckResult,
    Context,
    Exercise,
    isolated_aws,
    moto_resources,
    run_check,
    syntax_problem,
)
from .inputs import new_seed

MUST_PASS_ENV = "LAMBDA_LAB_CHECKS_MUST_PASS"
RESOURCE_PREFIX = "lab-ex-"
_ICON = {PASSED: "✅ passed", FAILED: "❌ failed", NOT_STARTED: "⏳ not started", SKIPPED: "⏭️ skipped"}

__all__ = ["CheckFailed", "Exercise", "Report", "check", "definition", "hint", "reset_exercise", "try_exercise"]


class ExerciseNotPassed(LabError):
    """Raised by ``check`` in must-pass mode (CI) when an exercise does not pass."""


@dataclass
class Report:
    exercise: course.Exercise
    path: Path
    status: str  # "passed" | "failed" | "not started yet" | "syntax error"
    results: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0
    room: str | None = None  # what reporting to the learner's room did (None: not in a room)
    seed: int = 0  # the inputs' seed: `lambda-lab check ID --seed N` replays this run

    @property
    def output(self) -> str:
        """What the learner's code printed or logged during the checks, check by check."""
        return "\n".join(f"--- during '{r.name}':\n{r.output.rstrip()}" for r in self.results if r.output.strip())

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    @property
    def failed_checks(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == FAILED]

    def headline(self) -> str:
        where = _display_path(self.path)
        seed = f", seed {self.seed}" if self.seed else ""
        skipped = [r for r in self.results if r.status == SKIPPED]
        if self.status == FAILED and not self.failed_checks and skipped:  # e.g. no emulator for the live check
            return (
                f"⏭️ {self.exercise.id}: {len(skipped)} of {len(self.results)} checks could not run, the rest "
                f"passed ({where}{seed}); not passed yet."
            )
        return {
            PASSED: f"✅ {self.exercise.id}: all {len(self.results)} checks passed "
            f"({where}, {self.seconds:.1f} s{seed}).",
            NOT_STARTED: f"⏳ {self.exercise.id}: not started yet; edit {where}.",
            "syntax error": f"❌ {self.exercise.id}: {self.results[0].reason if self.results else 'syntax error'}",
        }.get(
            self.status,
            f"❌ {self.exercise.id}: {len(self.failed_checks)} of {len(self.results)} checks failed ({where}{seed}).",
        )

    def replay(self) -> str:
        """The command that runs this check again with the same inputs (empty without a seed)."""
        return f"lambda-lab check {self.exercise.id} --seed {self.seed}" if self.seed else ""

    def __str__(self) -> str:
        lines = [self.headline()]
        for r in self.results:
            lines.append(f"  {_ICON.get(r.status, '?')} {r.name}" + (f": {r.reason}" if r.reason else ""))
        if self.status == FAILED and self.seed:
            lines.append(f"  Same inputs again: {self.replay()}")
        if self.output:
            lines.append("What your code printed during the checks (after the verdict, apart from it):")
            lines.append(self.output)
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#9a6700" if self.status == NOT_STARTED else "#cf222e"
        rows = "".join(
            f"<tr><td>{_ICON.get(r.status, '?')}</td><td>{escape(r.name)}</td>"
            f"<td style='text-align:left'>{escape(r.reason)}</td></tr>"
            for r in self.results
        )
        room = f"<div style='color:#57606a;font-size:90%'>{escape(self.room)}</div>" if self.room else ""
        edit = "" if self.passed else f"<div>Open {file_link(self.path, _display_path(self.path))} to edit it.</div>"
        printed = (
            f"<details><summary>What your code printed during the checks</summary>"
            f"<pre>{escape(self.output)}</pre></details>"
            if self.output
            else ""
        )
        return (
            f'<div style="border-left:6px solid {colour};padding:.4em 1em"><b>{escape(self.headline())}</b>'
            f'{edit}<table style="margin-top:.4em">{rows}</table>{room}{printed}</div>'
        )


def _display_path(path: Path) -> str:
    for root in (course.course_root(), course.kit_root()):
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            continue
    return str(path)


def definition(exercise_id: str) -> Exercise:
    """The checks of ``exercise_id`` (``grader/checks/<id with underscores>.py``)."""
    course.exercise(exercise_id)  # a one-sentence error for an unknown id
    module = importlib.import_module(f".checks.{exercise_id.replace('-', '_')}", __name__)
    return module.EXERCISE


def stub_text(exercise_id: str) -> str:
    solution = course.solution_path(exercise_id)
    return stub_from_solution(solution.read_text(encoding="utf-8"), solution.name)


def _physical(resources: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {var: f"{RESOURCE_PREFIX}{logical}" for var, (_, logical) in resources.items()}


def run(exercise_id: str, path: str | os.PathLike | None = None, seed: int | None = None) -> Report:
    """Run every check of ``exercise_id`` against ``path`` (default: the learner's file), with
    inputs drawn from ``seed`` (default: a fresh one, kept in the report)."""
    meta = course.exercise(exercise_id)
    target = Path(path) if path is not None else course.exercise_path(exercise_id)
    if not target.is_file():
        raise LabError(f"There is no {target}; `lambda-lab exercise reset {exercise_id}` puts the exercise back.")
    if seed is not None and (not isinstance(seed, int) or seed < 0):
        raise LabError(f"A seed is a whole number such as 123456, not {seed!r}.")
    seed = seed if seed is not None else new_seed()
    started = time.perf_counter()
    problem = syntax_problem(target)
    if problem:
        report = Report(meta, target, "syntax error", [CheckResult("the file compiles", "syntax", FAILED, problem)])
        return _finish(report, started)
    spec = definition(exercise_id)
    ctx = Context(spec, target, _physical(spec.resources), run_id=uuid.uuid4().hex[:8], seed=seed)
    results: list[CheckResult] = []
    for unit in (c for c in spec.checks if c.kind == "unit"):
        with isolated_aws(ctx.env):  # a fresh mock per check: no state leaks from one to the next
            moto_resources(spec.resources, ctx.env)
            results.append(run_check(unit, ctx))
    live = [c for c in spec.checks if c.kind == "live"]
    blocked = _live_blocked(results) if live else ""
    if live and not blocked:
        for kind, logical in spec.resources.values():
            ensure_resource(kind, logical, prefix=RESOURCE_PREFIX)
    for c in live:
        if blocked:
            results.append(CheckResult(c.name, "live", SKIPPED, blocked))
            continue
        results.append(run_check(c, ctx))
        if results[-1].status != PASSED:
            blocked = "skipped after the check above failed."
    unchanged = target.read_text(encoding="utf-8") == stub_text(exercise_id)
    if all(r.status in (PASSED,) for r in results):
        status = PASSED
    elif unchanged or any(r.status == NOT_STARTED for r in results):
        status = NOT_STARTED
    else:
        status = FAILED
    return _finish(Report(meta, target, status, results, seed=seed), started)


def _live_blocked(unit_results: list[CheckResult]) -> str:
    if any(r.status == NOT_STARTED for r in unit_results):
        return "waits until the function is written."
    if any(r.status != PASSED for r in unit_results):
        return "waits until the checks above pass."

    try:
        require()
    except LabError as exc:
        return str(exc)
    return ""


def _finish(report: Report, started: float) -> Report:
    report.seconds = time.perf_counter() - started
    if os.path.realpath(report.path) == os.path.realpath(course.exercise_path(report.exercise.id)):
        _record(report)

        report.room = report_to_room()  # only once the learner joined a room; never fails the check
    return report


def _record(report: Report) -> None:
    """One attempt per version of the file: checking the same file again with the same verdict (a
    notebook's Run All, which checks an untouched stub two or three times) is not a new attempt."""
    digest = hashlib.sha256(report.path.read_bytes()).hexdigest()[:16]
    entry = progress.load().get(report.exercise.id, {})
    if entry.get("source_sha") == digest and entry.get("status") == report.status:
        return
    progress.record_attempt(report.exercise.id, report.status, [r.name for r in report.failed_checks])
    data = progress.load()
    data.setdefault(report.exercise.id, {})["source_sha"] = digest
    progress.save(data)


def check(exercise_id: str, path: str | os.PathLike | None = None, seed: int | None = None) -> Report:
    """Run the exercise's checks and return the report (a notebook shows it as a table)."""
    report = run(exercise_id, path, seed)
    if os.environ.get(MUST_PASS_ENV, "").strip() in ("1", "true", "yes") and not report.passed:
        raise ExerciseNotPassed(str(report).replace("\n", " | "))
    return report


def try_exercise(exercise_id: str, path: str | os.PathLike | None = None):
    """Deploy the learner's file and drive it once through its trigger, for a
    break-and-debug exercise: returns what the exercise's ``demo`` shows (its logs)."""
    spec = definition(exercise_id)
    if spec.demo is None:
        raise LabError(f"{exercise_id} has no demo; run lab.check({exercise_id!r}) instead.")
    target = Path(path) if path is not None else course.exercise_path(exercise_id)
    problem = syntax_problem(target)
    if problem:
        raise LabError(problem)

    require()
    for kind, logical in spec.resources.values():
        ensure_resource(kind, logical, prefix=RESOURCE_PREFIX)
    return spec.demo(Context(spec, target, _physical(spec.resources), run_id=uuid.uuid4().hex[:8]))


# --- hints and resets ----------------------------------------------------------------------------


@dataclass
class Hint:
    exercise_id: str
    level: int
    text: str

    def __str__(self) -> str:
        return f"Hint {self.level} of 3 for {self.exercise_id}:\n{self.text}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        body = f"<pre>{escape(self.text)}</pre>" if self.level == 3 else f"<p>{escape(self.text)}</p>"
        return f"<div style='border-left:6px solid #0969da;padding:.4em 1em'><b>Hint {self.level} of 3</b>{body}</div>"


def hint(exercise_id: str, level: int | None = None) -> Hint:
    """Hint ``level`` (1-3) for the exercise; by default the next one after the last shown.
    Level 3 is the solution, as a diff against the learner's file."""
    meta = course.exercise(exercise_id)
    if level is None:
        level = min(progress.hint_level(exercise_id) + 1, 3)
    if level not in (1, 2, 3):
        raise LabError("A hint level is 1, 2 or 3.")
    progress.record_hint(exercise_id, level)
    if level < 3:
        return Hint(exercise_id, level, meta.hints[level - 1])
    mine_path = course.exercise_path(exercise_id, solutions=False)
    fix = f"save it as UTF-8, or `lambda-lab exercise reset {exercise_id}` (your file is kept beside it)"
    mine = workspace.read_text(mine_path, fix) if mine_path.is_file() else ""
    solution = clean_solution(course.solution_path(exercise_id).read_text(encoding="utf-8"))
    diff = difflib.unified_diff(
        mine.splitlines(keepends=True),
        solution.splitlines(keepends=True),
        fromfile=f"yours: {mine_path.name}",
        tofile=f"solution: {mine_path.name}",
    )
    text = "".join(diff)
    if not text:
        return Hint(exercise_id, 3, "Your file already matches the solution.")
    if progress.load().get(exercise_id, {}).get("status") == PASSED and _passed_this_version(exercise_id, mine_path):
        return Hint(
            exercise_id,
            3,
            "Your answer already passes every check: there is nothing to remove. "
            "The solution, written another way, for comparison:\n" + solution,
        )
    return Hint(exercise_id, 3, "Lines to remove start with -, lines to add with +:\n" + text)


def _passed_this_version(exercise_id: str, path: Path) -> bool:
    entry = progress.load().get(exercise_id, {})
    return path.is_file() and entry.get("source_sha") == hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def reset_exercise(exercise_id: str) -> tuple[Path, Path | None]:
    """Put the exercise's stub back; the learner's version is saved beside it first.
    Returns (the exercise file, the saved copy or None when there was nothing to keep)."""
    target = course.exercise_path(exercise_id, solutions=False)
    stub = stub_text(exercise_id)
    saved = None
    if target.is_file():
        if target.read_bytes() == stub.encode():
            return target, None
        saved = workspace.save_copy(target)  # its bytes as they are, under a name no other copy has
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(stub, encoding="utf-8")
    tmp.replace(target)
    return target, saved
