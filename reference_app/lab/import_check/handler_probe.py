"""The handler half of the isolated import check: the function Lambda calls exists, is
callable, and takes (event, context).

:func:`reference_app.lab.import_check.check_imports` imports the module in an isolated
interpreter, then runs :func:`probe`'s code there; a problem comes back as one JSON
line on stderr, which :func:`problem` turns into one sentence. A leaf module: only
the standard library and :mod:`.errors`.
"""

from __future__ import annotations

import json

from ..errors import LabError

MARK = "lambda-lab-handler:"

# Runs after ``module = importlib.import_module(...)``, with ``sys`` imported.
_PROBE = """
import inspect, json
fn = getattr(module, {function!r}, None)
defined = sorted(n for n, v in vars(module).items() if inspect.isfunction(v) and not n.startswith("_")
                 and v.__module__ == module.__name__)
problem = None
if fn is None:
    problem = {{"kind": "missing", "defined": defined}}
elif not callable(fn):
    problem = {{"kind": "not-callable", "type": type(fn).__name__, "defined": defined}}
else:
    try:
        inspect.signature(fn).bind(object(), object())
    except TypeError as exc:
        problem = {{"kind": "signature", "why": str(exc)}}
    except ValueError:
        pass  # no signature to read (a builtin): Lambda will tell
if problem:
    sys.stderr.write({mark!r} + json.dumps(problem) + "\\n")
    sys.exit(3)
"""


def probe(function: str) -> str:
    """The code that checks ``module.<function>`` in the isolated interpreter."""
    return _PROBE.format(function=function, mark=MARK)


def problem(file_name: str, module: str, function: str, stderr: str) -> LabError | None:
    """The sentence for what :func:`probe` reported on ``stderr``, or None when it reported nothing."""
    line = next((x for x in stderr.splitlines() if x.startswith(MARK)), None)
    if line is None:
        return None
    found = json.loads(line[len(MARK) :])
    call = f"{module}.{function}"
    defined = found.get("defined") or []
    listing = f"it defines: {', '.join(defined)}" if defined else "it defines no functions"
    if len(defined) == 1:
        hint = f"pass function={defined[0]!r} (or handler='{module}.{defined[0]}')"
    else:
        hint = "pass function='...' with the name of its handler function"
    if found["kind"] == "missing":
        return LabError(
            f"{file_name} has no function {function!r}, so Lambda could not call {call} ({listing}); {hint}."
        )
    if found["kind"] == "not-callable":
        return LabError(f"{call} is a {found['type']}, not a function Lambda can call ({listing}); {hint}.")
    return LabError(
        f"{call} cannot be called as Lambda calls it, with (event, context): {found['why']}; "
        "give it two parameters, e.g. def handler(event, context)."
    )
