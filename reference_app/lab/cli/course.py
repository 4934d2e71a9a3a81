"""Course commands: check, hint, exercise reset (learners) and generate (maintainers)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..errors import LabError
from ..workspace import init_course
from .base import app, err, friendly, lazy_module, out, plain

build = lazy_module("reference_app.lab.generate")
course = lazy_module("reference_app.lab.course")
grader = lazy_module("reference_app.lab.grader")
progress = lazy_module("reference_app.lab.progress_store")

exercise_app = typer.Typer(help="Manage your exercise files.", no_args_is_help=True)
app.add_typer(exercise_app, name="exercise")

_STYLE = {"passed": "green", "failed": "red", "not started yet": "yellow", "syntax error": "red"}


@app.command()
@friendly
def check(
    exercise_id: Annotated[str | None, typer.Argument(help="The exercise, e.g. handler-validation.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Show your progress across the course instead.")] = False,
    solutions: Annotated[bool, typer.Option("--solutions", help="Check the solution instead of your file.")] = False,
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, help="Replay a run's inputs (the seed it printed).")
    ] = None,
) -> None:
    """Run an exercise's checks: unit checks first, then a deploy through its real trigger."""
    if all_ or exercise_id is None:
        if exercise_id is not None:
            raise LabError("Give an exercise id or --all, not both.")
        _progress_table()
        return
    path = course.exercise_path(exercise_id, solutions=True) if solutions else None
    with out.status(f"Checking {exercise_id} ..."):
        report = grader.run(exercise_id, path, seed=seed)
    out.print(f"[{_STYLE.get(report.status, 'red')}]{report.headline()}[/]", highlight=False)
    for result in report.results:
        icon = {"passed": "[green]✓[/]", "failed": "[red]✗[/]", "not started yet": "[yellow]…[/]"}.get(
            result.status, "[dim]-[/]"
        )
        out.print(f"  {icon} {result.name}" + (f": {result.reason}" if result.reason else ""), highlight=False)
    if report.room:
        out.print(f"[dim]{plain(report.room)}[/]", highlight=False)
    if report.output:
        out.print("[dim]What your code printed during the checks:[/]", highlight=False)
        out.print(report.output, highlight=False, markup=False)
    if report.status in ("failed", "syntax error"):
        out.print(f"Same inputs again: `{report.replay()}`" if report.replay() else "", highlight=False)
        out.print(f"Stuck? `lambda-lab hint {exercise_id}`")
        raise typer.Exit(1)


def _progress_table() -> None:
    table = Table(title="Your progress")
    for column in ("module", "exercise", "status", "attempts", "last attempt"):
        table.add_column(column)
    for row in progress.rows():
        status = row["status"]
        table.add_row(
            row["module"],
            row["exercise"],
            f"[{_STYLE.get(status, 'dim')}]{status}[/]",
            str(row["attempts"]),
            row["last attempt"],
        )
    out.print(table)
    out.print(f"Kept in {progress.path()}.")


@app.command()
@friendly
def hint(
    exercise_id: Annotated[str, typer.Argument(help="The exercise, e.g. handler-validation.")],
    level: Annotated[int | None, typer.Option("--level", "-l", min=1, max=3, help="1, 2, or 3 (the solution).")] = None,
) -> None:
    """The next hint for an exercise; the third is the solution, as a diff against your file."""
    out.print(str(grader.hint(exercise_id, level)), highlight=False, markup=False)


@app.command()
@friendly
def init(
    folder: Annotated[Path, typer.Argument(help="A new (or empty) folder for your copy of the course.")],
) -> None:
    """Copy the course (notebooks and exercises) into a folder of yours; never over existing work."""
    dest = init_course(folder)
    out.print(f"[green]✓[/] The course is in {dest}. Next: cd {dest} && lambda-lab lab")


@exercise_app.command("reset")
@friendly
def exercise_reset(
    exercise_id: Annotated[str, typer.Argument(help="The exercise to put back to its starting stub.")],
) -> None:
    """Put an exercise back to its stub; your version is saved beside it first."""
    target, saved = grader.reset_exercise(exercise_id)
    if saved is None:
        out.print(f"{target} is the starting stub already; nothing to save.")
    else:
        out.print(f"Saved your version as {saved}, then put the stub back in {target}.")


@exercise_app.command("list")
@friendly
def exercise_list() -> None:
    """Every exercise, with its module and file."""
    table = Table()
    for column in ("exercise", "module", "kind", "file"):
        table.add_column(column)
    for ex in course.load().exercises:
        table.add_row(ex.id, ex.module, ex.kind, str(course.exercise_path(ex.id)))
    out.print(table)


@app.command()
@friendly
def generate(
    check_only: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 if anything differs.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite edited exercises (a copy is kept).")] = False,
) -> None:
    """Maintainers: regenerate notebooks/ from lessons/ and exercises/ from solutions/."""
    changes = build.generate(check=check_only, force=force)
    root = course.kit_root()
    drift = [c for c in changes if c.action != "unchanged"]
    for change in drift:
        verb = {"write": "would change" if check_only else "wrote", "kept": "kept"}[change.action]
        note = f" ({change.note})" if change.note else ""
        out.print(f"{verb:>12}  {change.path.relative_to(root)}{note}", highlight=False)
    if not drift:
        out.print(f"Everything is up to date ({len(changes)} files).")
    if check_only and drift:
        err.print("Generated files differ from their sources: run `lambda-lab generate` and commit the result.")
        raise typer.Exit(1)
