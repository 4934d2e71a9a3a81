"""``lambda-lab generate``: notebooks from their text sources, exercises from their solutions.

A maintainers' command (the test suite runs ``--check`` and fails on drift):

* ``lessons/<module>.py`` (jupytext percent format, reviewable as text) becomes
  ``notebooks/<module>.ipynb``, committed without outputs, which learners open and
  nbval runs. The course map supplies each notebook's header (time, prerequisites,
  objectives) and its "Next" link, so no notebook names a module by hand.
* the README's table of modules (between ``<!-- course:start -->`` and
  ``<!-- course:end -->``) is written from the course map;
* ``solutions/<module>/<name>.py`` becomes ``exercises/<module>/<name>.py``: every
  block between ``# BEGIN SOLUTION hint="…"`` and ``# END SOLUTION`` is replaced by
  ``raise NotImplementedError("<hint>")`` (a ``# BROKEN`` section inside the block,
  for break-and-debug exercises, is uncommented and kept instead); everything else
  is identical.

A learner's work is never lost: ``exercises/.generated.json`` records the digest of
each stub as generated, and a stub that no longer matches it (the learner edited
it) is not overwritten; ``--force`` overwrites after saving a copy beside it.
``notebooks/.generated.json`` does the same for notebooks, which are always
regenerated: an edited one (or, with no digest recorded, one that was run) is
first saved beside itself, and the change says where. Copies never share a name
(:func:`reference_app.lab.workspace.save_copy`); a file that is not UTF-8 counts
as edited, and a corrupt manifest is refused, not guessed at.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import course
from .errors import LabError
from .workspace import save_copy

MANIFEST = ".generated.json"
_BEGIN = re.compile(r'^(?P<indent>[ \t]*)# BEGIN SOLUTION(?:[ \t]+hint=(?P<q>["\'])(?P<hint>.*?)(?P=q))?[ \t]*$')
_END = re.compile(r"^[ \t]*# END SOLUTION[ \t]*$")
_BROKEN = re.compile(r"^[ \t]*# BROKEN[ \t]*$")
NOTEBOOK_METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


# --- exercises from solutions ---------------------------------------------------------------


def stub_from_solution(text: str, name: str = "solution") -> str:
    """The exercise stub for a solution's source text (see the module docstring)."""
    out: list[str] = []
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        begin = _BEGIN.match(lines[i].rstrip("\r\n"))
        if not begin:
            if _END.match(lines[i]) or _BROKEN.match(lines[i]):
                raise LabError(f"{name}, line {i + 1}: a marker outside a BEGIN SOLUTION block.")
            out.append(lines[i])
            i += 1
            continue
        indent, hint = begin["indent"], begin["hint"]
        start = i
        i += 1
        broken: list[str] | None = None
        while i < len(lines) and not _END.match(lines[i]):
            if _BEGIN.match(lines[i].rstrip("\r\n")):
                raise LabError(f"{name}, line {i + 1}: BEGIN SOLUTION blocks cannot nest.")
            if _BROKEN.match(lines[i]):
                broken = []
            elif broken is not None:
                broken.append(_uncomment(lines[i], indent, name, i + 1))
            i += 1
        if i == len(lines):
            raise LabError(f"{name}, line {start + 1}: BEGIN SOLUTION has no END SOLUTION.")
        if broken is not None:
            out += broken
        else:
            if not hint:
                raise LabError(f'{name}, line {start + 1}: a fill-in block needs hint="..." for the learner.')
            out.append(f"{indent}raise NotImplementedError({json.dumps(hint, ensure_ascii=False)})\n")
        i += 1  # the END line
    return "".join(out)


def clean_solution(text: str) -> str:
    """The solution as a learner should read it: markers and ``# BROKEN`` sections removed."""
    out: list[str] = []
    skipping = False
    for line in text.splitlines(keepends=True):
        if _BEGIN.match(line.rstrip("\r\n")):
            continue
        if _BROKEN.match(line):
            skipping = True
            continue
        if _END.match(line):
            skipping = False
            continue
        if not skipping:
            out.append(line)
    return "".join(out)


def _uncomment(line: str, indent: str, name: str, number: int) -> str:
    body = line.rstrip("\r\n")
    if not body.strip():
        return line
    if not body.startswith(indent + "#"):
        raise LabError(f"{name}, line {number}: lines after # BROKEN must be comments at the block's indentation.")
    rest = body[len(indent) + 1 :]
    return indent + (rest[1:] if rest.startswith(" ") else rest) + "\n"


def digest(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


# --- notebooks from lessons -------------------------------------------------------------------


def lessons_dir() -> Path:
    return course.kit_root() / "lessons"


def notebooks_dir() -> Path:
    return course.kit_root() / "notebooks"


def header_markdown(module: course.Module) -> str:
    """The generated cell after a notebook's title: time, prerequisites, objectives."""
    prereqs = [course.module(p) for p in module.prerequisites]
    # A prerequisite not written yet is named, not linked (no link to a notebook that does not exist).
    links = ", ".join(f"[{p.label}]({p.notebook})" if p.written else f"{p.label} (coming soon)" for p in prereqs)
    links = links or "none"
    lines = [f"**Time:** about {module.minutes} minutes · **Prerequisites:** {links}", "", "**You will:**"]
    lines += [f"- {objective}" for objective in module.objectives]
    return "\n".join(lines)


def footer_markdown(module: course.Module) -> str:
    """The generated last cell: where to go next (never a link to a notebook that does not exist)."""
    nxt = course.load().next_module(module.id)
    if nxt is None:
        where = "this is the last module. Well done."
    elif nxt.written:
        where = f"[{nxt.label}]({nxt.notebook})"
    else:
        where = f"{nxt.label} (coming soon)"
    return (
        f"**Next:** {where}\n\n"
        "When you are done for the day, `lambda-lab down` stops the emulator; your functions, "
        "tables and objects are kept for next time (`lambda-lab reset` starts clean)."
    )


def build_notebook(module: course.Module, source: Path):
    """The notebook for ``module`` from its percent-format source (no outputs, stable ids)."""
    try:
        import jupytext
        import nbformat
    except ImportError:
        raise LabError("Generating notebooks needs jupytext: pip install -e '.[dev]'.") from None
    nb = jupytext.read(source, fmt="py:percent")
    cells = list(nb.cells)
    if not cells or cells[0].cell_type != "markdown" or not cells[0].source.startswith(f"# {module.label}"):
        raise LabError(f"{source.name} must open with a markdown cell titled '# {module.label}'.")
    cells.insert(1, nbformat.v4.new_markdown_cell(header_markdown(module)))
    cells.append(nbformat.v4.new_markdown_cell(footer_markdown(module)))
    notebook = nbformat.v4.new_notebook(metadata=NOTEBOOK_METADATA)
    for index, cell in enumerate(cells):
        tags = list(cell.metadata.get("tags", []))
        metadata = {"tags": tags} if tags else {}
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(cell.source, metadata=metadata)
        else:
            new = nbformat.v4.new_markdown_cell(cell.source, metadata=metadata)
        new["id"] = f"{module.number}-{index:03d}"
        notebook.cells.append(new)
    return notebook


def notebook_text(notebook) -> str:
    import nbformat

    return nbformat.writes(notebook, version=4) + "\n"


# --- the README's table of modules --------------------------------------------------------------

README_START, README_END = "<!-- course:start -->", "<!-- course:end -->"


def modules_table() -> str:
    """The README's table of modules, from the course map."""
    rows = ["| module | you will | minutes | exercises |", "|---|---|---|---|"]
    for m in course.modules():
        name = f"[{m.label}](notebooks/{m.notebook})" if m.written else f"{m.label} *(planned)*"
        exercises = ", ".join(f"`{x}`" for x in m.exercises) or "-"
        rows.append(f"| {name} | {'; '.join(m.objectives)} | {m.minutes} | {exercises} |")
    total = sum(m.minutes for m in course.modules())
    written = sum(m.minutes for m in course.modules() if m.written)
    rows.append("")
    rows.append(f"About {total // 60} h {total % 60} min in all; the written modules take about {written} minutes.")
    return "\n".join(rows)


def readme_text(current: str) -> str:
    if README_START not in current or README_END not in current:
        raise LabError(f"README.md must hold the markers {README_START} and {README_END} around the module table.")
    head, rest = current.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    return f"{head}{README_START}\n{modules_table()}\n{README_END}{tail}"


# --- one command ------------------------------------------------------------------------------


@dataclass
class Change:
    path: Path
    action: str  # "write" | "unchanged" | "kept" (a learner's edit, not overwritten)
    note: str = ""


def _planned_outputs() -> dict[Path, tuple[str, str]]:
    """Every generated file and its content, with the kind ("notebook" | "exercise")."""
    outputs: dict[Path, tuple[str, str]] = {}
    for module in course.modules():
        source = lessons_dir() / f"{module.id}.py"
        if module.written != source.is_file():
            state = "written but lessons/ has no source" if module.written else "planned but has a source"
            raise LabError(f"{module.id} is {state}; fix its status in course.yml or add {source.name}.")
        if module.written:
            outputs[notebooks_dir() / module.notebook] = (notebook_text(build_notebook(module, source)), "notebook")
    root = course.kit_root()
    readme = root / "README.md"
    outputs[readme] = (readme_text(readme.read_text(encoding="utf-8")), "readme")
    for exercise in course.load().exercises:
        solution = course.solutions_dir() / exercise.file
        if not solution.is_file():
            raise LabError(f"Exercise {exercise.id} has no solution at {solution.relative_to(root)}.")
        stub = stub_from_solution(solution.read_text(encoding="utf-8"), str(solution.relative_to(root)))
        outputs[root / "exercises" / exercise.file] = (stub, "exercise")
    return outputs


def load_manifest(path: Path) -> dict[str, str]:
    """A folder's record of what was generated (file -> digest); a LabError when it is corrupt."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        data = None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise LabError(
            f"{path} is corrupt (not the JSON record of generated files); move it away and run "
            "`lambda-lab generate` again, which keeps every file that differs from its source as an edit."
        )
    return data


def _was_run(raw: bytes) -> bool:
    """True when a notebook holds outputs or execution counts (someone ran it), or is not a notebook."""
    try:
        cells = json.loads(raw.decode("utf-8")).get("cells", [])
        return any(
            c.get("outputs") or c.get("execution_count") is not None for c in cells if c.get("cell_type") == "code"
        )
    except (UnicodeDecodeError, ValueError, AttributeError, RecursionError):
        return True


def generate(check: bool = False, force: bool = False) -> list[Change]:
    """Regenerate notebooks and exercise stubs; with ``check``, write nothing and report drift."""
    roots = {"exercise": course.kit_root() / "exercises", "notebook": notebooks_dir()}
    manifests = {kind: load_manifest(root / MANIFEST) for kind, root in roots.items()}
    updated = {kind: dict(manifest) for kind, manifest in manifests.items()}
    changes: list[Change] = []
    for path, (text, kind) in sorted(_planned_outputs().items()):
        current = path.read_bytes() if path.is_file() else None
        key = path.relative_to(roots[kind]).as_posix() if kind in roots else ""
        if current == text.encode():
            changes.append(Change(path, "unchanged"))
            if kind in roots:
                updated[kind][key] = digest(text)
            continue
        edited = kind in roots and current is not None and manifests[kind].get(key) != digest(current)
        if edited and current is not None and kind == "notebook" and key not in manifests[kind]:
            edited = _was_run(current)  # no digest recorded yet: a run notebook is someone's work
        if edited and kind == "exercise" and not force:
            changes.append(Change(path, "kept", "it differs from the stub last generated (a learner's edit?)"))
            continue
        changes.append(Change(path, "write"))
        if check:
            if edited:
                changes[-1].note = "edited: a copy would be saved first"
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if edited:
            changes[-1].note = f"your version was saved as {save_copy(path).name}"
        _atomic_write(path, text)
        if kind in roots:
            updated[kind][key] = digest(text)
    for kind, root in roots.items():
        if not check and updated[kind] != manifests[kind]:
            _atomic_write(root / MANIFEST, json.dumps(updated[kind], indent=2, sort_keys=True) + "\n")
    return changes


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
