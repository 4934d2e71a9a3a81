"""Exercise canary-release (11_deploying_safely): start a canary on an alias, then promote it.

The alias ``live`` is what callers invoke (an API, a function URL, an event source): it points at
the stable version. A new version is published. Write the two moves of a canary release with the
Lambda client you are given (``lam``):

* ``start_canary``: keep the stable version as the alias's primary and send ``weight`` (a fraction
  such as 0.1) of the invocations to ``new_version`` (the alias's ``RoutingConfig``); a weight that is
  not strictly between 0 and 1 raises ``ValueError`` and changes nothing (0 routes nothing, 1 is a
  promotion, and Lambda refuses anything beyond);
* ``promote``: send everything to ``new_version``, with no weights left behind.

Both versions must be published (an alias with weights cannot use ``$LATEST``). The checks run your
functions under moto, then on the emulator: they count which version answers a few hundred quotes
through the alias (the kit draws each by the alias's weights, as Lambda does) and read the alias back.
``lab.check("canary-release")``.
"""

from __future__ import annotations

from typing import Any


def start_canary(lam: Any, function: str, alias: str, new_version: str, weight: float) -> dict:
    """Route ``weight`` of the alias's traffic to ``new_version``, the rest to its current version."""
    raise NotImplementedError("Read the alias (get_alias) for its current FunctionVersion, refuse $LATEST and a weight outside (0, 1), then update_alias with that same FunctionVersion and RoutingConfig={'AdditionalVersionWeights': {new_version: weight}}.")


def promote(lam: Any, function: str, alias: str, new_version: str) -> dict:
    """Send all of the alias's traffic to ``new_version``."""
    raise NotImplementedError("update_alias with FunctionVersion=new_version and RoutingConfig={'AdditionalVersionWeights': {}}: an UpdateAlias without RoutingConfig keeps the weights it had.")
