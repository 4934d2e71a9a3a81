"""How an exercise's checks are declared and run.

An exercise's checks live in ``grader/checks/<exercise_id>.py`` as one
:class:`Exercise` (its resources and an ordered list of checks). A check is a
function that takes a :class:`Context` and either returns (passed) or raises
:class:`CheckFailed` with one sentence the learner can act on.

* ``unit`` checks import the learner's module fresh and call it under moto's
  ``mock_aws`` (no emulator, a second or less);
* ``live`` checks deploy the learner's file as a real zip on the emulator and
  drive it through its real trigger. They run only when every unit check passed.

Whatever the learner's code does, a check never shows a traceback: a stub's
``NotImplementedError`` is "not started yet", a syntax error is one sentence with
its line number, and any other exception is named with the line of the learner's
file it came from.

Inputs drawn per run (the API a check uses; all of it optional)
----------------------------------------------------------------
Every run has a seed (``ctx.seed``, printed with the verdict; ``lambda-lab check ID
--seed N`` and ``grader.run(id, seed=N)`` replay it). Before each check runs,
``ctx.rng`` is set to a fresh :class:`~.inputs.Inputs` (a ``random.Random`` seeded
from the run's seed and the check's name, with helpers: ``name()``, ``user_id()``,
``email()``, ``amount_cents()``, ``currency()``, ``s3_key(prefix)``, ``token()``,
``distinct(draw, n)``). A check draws what it sends from it, so an answer that
hard-codes one run's values fails the next; a check written before the seed existed,
which ignores ``ctx.rng``, runs unchanged.

Messages: :func:`shown` quotes a value for a message in full when it is short, and
cuts a long one at a word boundary with the length it had (never mid-word, never the
field that failed: quote that field by itself). :func:`static_calls` reads the
learner's source for a call (for the few properties no request can reveal, such as a
constant-time comparison); say in the message why the property matters.

What the learner's code prints or logs during a check (stdout and stderr) is kept in
``CheckResult.output`` and shown after the verdict, apart from it.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import importlib.util
import io
import itertools
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from ..deploy import deploy_function
from ..errors import LabError
from ..moto_env import isolated_aws, moto_resources  # noqa: F401 (the grader's unit checks run under them)
from .inputs import Inputs, for_check

PASSED, FAILED, NOT_STARTED, SKIPPED = "passed", "failed", "not started yet", "skipped"
_module_counter = itertools.count()


class CheckFailed(AssertionError):
    """A check's verdict: the reason is one sentence the learner can act on."""


@dataclass
class CheckResult:
    name: str
    kind: str  # "syntax" | "unit" | "live"
    status: str
    reason: str = ""
    seconds: float = 0.0
    output: str = ""  # what the learner's code printed during the check


@dataclass(frozen=True)
class Check:
    name: str
    kind: str  # "unit" | "live"
    func: Callable[[Context], None]


@dataclass
class Exercise:
    """The checks of one exercise, in the order they run."""

    id: str
    #: environment variable -> (kind, logical name), created under the ``lab-ex-`` prefix
    resources: dict[str, tuple[str, str]] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    timeout: int = 10  # the deployed function's timeout, seconds
    demo: Callable[[Context], Any] | None = None  # break-and-debug: deploy and trigger once, show the logs
    #: one function per version of the learner's file, for checks that read the function's own metrics
    #: (an alarm on Errors looks back a minute: another version's failures must not count)
    function_per_source: bool = False

    def unit(self, name: str):
        def register(func):
            self.checks.append(Check(name, "unit", func))
            return func

        return register

    def show(self, func):
        """Register the demo ``lab.try_exercise`` runs (deploy, trigger once, return its logs)."""
        self.demo = func
        return func

    def live(self, name: str):
        def register(func):
            self.checks.append(Check(name, "live", func))
            return func

        return register


@dataclass
class Context:
    """What a check gets: the learner's file, and helpers to load or deploy it."""

    exercise: Exercise
    path: Path
    env: dict[str, str] = field(default_factory=dict)  # resource variables -> physical names
    run_id: str = ""
    seed: int = 0  # the run's seed: printed with the verdict, replayed with --seed
    rng: Inputs = field(default_factory=lambda: for_check(0, ""))  # set afresh before each check
    _deployment: Any = None

    @property
    def function_name(self) -> str:
        if self.exercise.function_per_source:
            digest = hashlib.sha256(self.path.read_bytes()).hexdigest()[:8]
            return f"lab-ex-{self.exercise.id}-{digest}"
        return f"lab-ex-{self.exercise.id}"

    def load(self) -> ModuleType:
        """The learner's module, imported fresh (its lazy clients are created inside the check)."""
        name = f"lab_exercise_{self.exercise.id.replace('-', '_')}_{next(_module_counter)}"
        spec = importlib.util.spec_from_file_location(name, self.path)
        if spec is None or spec.loader is None:
            raise LabError(f"Cannot load {self.path} as a Python module.")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    def deploy(self):
        """Deploy the learner's file as ``lab-ex-<id>`` (once per run); the Deployment."""
        if self._deployment is None:
            self._deployment = deploy_function(
                self.function_name,
                self.path,
                environment=self.env,
                timeout=self.exercise.timeout,
                description=f"lambda-lab exercise {self.exercise.id}",
            )
        return self._deployment


# --- running ---------------------------------------------------------------------------------


def syntax_problem(path: Path) -> str | None:
    """One sentence for a file that does not compile, or None."""
    try:
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    except SyntaxError as exc:
        where = f"line {exc.lineno}" if exc.lineno else "somewhere"
        return f"{path.name} has a syntax error on {where}: {exc.msg}."
    except (UnicodeDecodeError, ValueError) as exc:
        return f"{path.name} cannot be read as Python source ({exc})."
    return None


def explain(exc: BaseException, path: Path) -> str:
    """One sentence for an exception raised by the learner's code (or by a check)."""
    if isinstance(exc, LabError):
        return str(exc)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).resolve() == path.resolve()]
    where = f" ({path.name}, line {frames[-1].lineno})" if frames else ""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"your code raised {type(exc).__name__}{': ' + message if message else ''}{where}."


def _is_not_implemented(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, NotImplementedError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def run_check(check: Check, ctx: Context) -> CheckResult:
    started = time.perf_counter()
    printed = io.StringIO()
    ctx.rng = for_check(ctx.seed, check.name)
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            check.func(ctx)
        status, reason = PASSED, ""
    except CheckFailed as exc:
        status, reason = FAILED, str(exc)
    except Exception as exc:  # the learner's code, whatever it raised
        if _is_not_implemented(exc):
            status, reason = NOT_STARTED, "the function still raises NotImplementedError."
        else:
            status, reason = FAILED, explain(exc, ctx.path)
    return CheckResult(check.name, check.kind, status, reason, time.perf_counter() - started, printed.getvalue())


# --- messages and static reading ------------------------------------------------------------


def shown(value: Any, limit: int = 160) -> str:
    """``value`` for a message: JSON-like, in full up to ``limit`` characters; a longer one is cut
    at a word boundary and says how long it was (never cut mid-word)."""
    import json

    if isinstance(value, str):
        text = repr(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = max(cut.rfind(" "), cut.rfind(","))
    if space > limit // 2:
        cut = cut[:space]
    return f"{cut} … ({len(text):,} characters in all)"


def source_tree(ctx: Context) -> ast.Module:
    return ast.parse(ctx.path.read_text(encoding="utf-8"))


def static_calls(ctx: Context, dotted: str) -> list[ast.Call]:
    """Every call in the learner's file whose callee ends with ``dotted`` (``hmac.compare_digest``
    matches ``hmac.compare_digest(...)`` and, after ``from hmac import compare_digest``, the bare name)."""
    last = dotted.rsplit(".", 1)[-1]
    found = []
    for node in ast.walk(source_tree(ctx)):
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name in (dotted, last) or name.endswith("." + last):
                found.append(node)
    return found


def forget_module(module: ModuleType) -> None:
    sys.modules.pop(module.__name__, None)
