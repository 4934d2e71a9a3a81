"""The seed's "supported languages", checked against the Lambda API's own list of runtime identifiers.

The installed botocore carries Lambda's service model, whose ``Runtime`` enum names every runtime
identifier the API accepts or once accepted. Grouping it by family shows which languages have a
managed runtime, which run only on an OS-only (``provided``) runtime, and that the seed's PHP and
Rust have no identifier at all.
"""

from __future__ import annotations

import re

from botocore.loaders import Loader
from botocore.model import ServiceModel

from ...errors import LabError

MANAGED = {
    "python": "Python",
    "nodejs": "Node.js",
    "java": "Java",
    "dotnet": ".NET (C#, PowerShell)",
    "ruby": "Ruby",
    "go": "Go",
}
SEED_LANGUAGES = ("Python", "Node.js", "Java", "C#", "Go", "Ruby", "PHP", "Rust")


def runtime_identifiers() -> list[str]:
    """Every value of the Lambda API's ``Runtime`` enum, from the installed botocore's service model."""
    model = ServiceModel(Loader().load_service_model("lambda", "service-2"))  # no session: no profile is read
    return list(model.shape_for("Runtime").enum)


def family(identifier: str) -> str:
    """``python3.13`` -> ``python``, ``dotnetcore3.1`` -> ``dotnet``, ``provided.al2023`` -> ``provided``."""
    found = re.match(r"[a-z]+", identifier)
    if found is None:
        raise LabError(
            f"{identifier!r} is not a Lambda runtime identifier: one starts with its language, e.g. python3.13."
        )
    name = found.group(0)
    return "dotnet" if name.startswith("dotnet") else name


def runtime_families() -> dict[str, list[str]]:
    """Runtime identifiers grouped by family, in the API's order."""
    groups: dict[str, list[str]] = {}
    for identifier in runtime_identifiers():
        groups.setdefault(family(identifier), []).append(identifier)
    return groups


def _version(identifier: str) -> tuple[int, ...]:
    """``java17.al2023`` -> (17, 2023): orders identifiers of one family by version."""
    return tuple(int(number) for number in re.findall(r"\d+", identifier))


def seed_languages() -> dict[str, str]:
    """For each language the seed lists: the runtime Lambda offers it today, by the API's identifiers."""
    groups = runtime_families()
    answer = {}
    for language in SEED_LANGUAGES:
        key = {"C#": "dotnet", "Node.js": "nodejs"}.get(language, language.lower())
        if key == "go":
            answer[language] = f"OS-only runtime ({groups['provided'][-1]}); the managed go1.x is deprecated"
        elif key in groups:
            highest = max(groups[key], key=_version)
            answer[language] = f"managed runtime ({len(groups[key])} identifiers in the API, highest {highest})"
        else:
            answer[language] = f"no managed runtime: an OS-only runtime ({groups['provided'][-1]}) or a container image"
    return answer
