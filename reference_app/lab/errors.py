"""The one exception the lab tooling raises for problems a learner can fix.

Its message is a single plain sentence that says what is wrong and what to do;
the CLI prints it without a traceback, and notebooks show it as-is.
"""

import difflib
from collections.abc import Iterable


class LabError(RuntimeError):
    """A problem with the learner's setup or input, explained in one sentence."""


class UnknownName(LabError, LookupError):
    """A name the kit does not know (an event, a table, a handler, an exercise)."""

    def __init__(self, kind: str, name: str, known: Iterable[str], listing: str = ""):
        known = sorted(known)
        close = difflib.get_close_matches(str(name), known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}."
        where = f" ({listing} lists them)" if listing and close else ""
        super().__init__(f"There is no {kind} {name!r}; {hint}{where}")
        self.name = name


def aws_code(err: BaseException) -> str:
    """The AWS error code of a botocore ``ClientError`` (``""`` for anything else).

    The one way the kit reads error codes: ``if aws_code(err) != "ResourceNotFoundException": raise``.
    """
    response = getattr(err, "response", None)
    if not isinstance(response, dict):
        return ""
    return str(response.get("Error", {}).get("Code", ""))


def aws_message(err: BaseException) -> str:
    """The AWS error message of a botocore ``ClientError`` (``""`` for anything else)."""
    response = getattr(err, "response", None)
    if not isinstance(response, dict):
        return ""
    return str(response.get("Error", {}).get("Message", ""))
