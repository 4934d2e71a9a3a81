"""What the emulator behind a backend can do, asked of the emulator itself, never of the backend's name.

Notebooks, exercises and the kit's helpers meet differences between the emulators (a
LocalStack that runs functions in containers, a ministack with or without the kit's
runtime). They test a capability here, not ``backend.kind`` or an emulator's name: the
same backend kind can be either emulator (a URL can point at a room's ministack or at
someone's LocalStack), and a capability says *why* a step differs. A step the emulator
cannot do says so in one sentence: a notebook cell guards its step with
:meth:`Capabilities.supports` (prints why, and the notebook goes on); a helper that cannot go on
without the capability raises with :meth:`Capabilities.require`.

``lab.capabilities()`` shows them in a notebook.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from . import emulator_patch, rendering
from .config import Backend, resolve_backend
from .errors import LabError
from .net import emulator_name, health


@dataclass(frozen=True)
class Capabilities:
    emulator: str  # "ministack", "localstack", or "unknown" when nothing answers
    #: Each function runs in a container of its own, where the emulator sets ``AWS_ENDPOINT_URL``
    #: itself (the host's address would be wrong there); else functions run on the emulator's host.
    functions_in_containers: bool
    #: Functions run through the kit's Lambda runtime: AWS's log format, error objects, ``Init
    #: Duration``, the caller's request id in the logs (:mod:`reference_app.lab.emulator_patch`).
    lab_runtime: bool
    #: The emulator deletes every resource in one call (ministack's reset); else it is restarted.
    one_call_reset: bool
    #: The emulator keeps each account's resources apart, so learners can share it.
    accounts: bool
    #: Published layers are extracted for the function at run time (LocalStack: paid editions only).
    layers: bool = True
    #: API Gateway HTTP APIs (v2) are served (LocalStack: paid editions only).
    http_apis: bool = True

    def require(self, capability: str, step: str) -> None:
        """Raise a one-sentence :class:`LabError` when the emulator lacks ``capability`` for ``step``."""
        if not getattr(self, capability):
            raise LabError(
                f"{step} needs an emulator with {capability.replace('_', ' ')}; "
                f"the {self.emulator} here has not, so this step is skipped."
            )

    def supports(self, capability: str, step: str) -> bool:
        """True when the emulator has ``capability``; otherwise print one sentence saying that
        ``step`` is skipped and why, and return False (a notebook cell guards its step with it)."""
        if getattr(self, capability):
            return True
        print(
            f"Skipped: {step} needs an emulator with {capability.replace('_', ' ')}; the {self.emulator} "
            f"here has not ({_WHY.get((self.emulator, capability), 'see lab.capabilities()')})."
        )
        return False

    def _rows(self) -> list[tuple[str, str]]:
        return [(f.name.replace("_", " "), str(getattr(self, f.name))) for f in fields(self)]

    def __repr__(self) -> str:
        return rendering.text(f"What the {self.emulator} emulator can do", self._rows())

    def _repr_html_(self) -> str:
        return rendering.html(f"What the {self.emulator} emulator can do", self._rows(), "ok")


_WHY = {
    ("localstack", "layers"): "layers are a paid LocalStack feature: set LOCALSTACK_AUTH_TOKEN",
    ("localstack", "http_apis"): "HTTP APIs are a paid LocalStack feature: set LOCALSTACK_AUTH_TOKEN",
}


def of(backend: Backend | None = None, doc: dict | None = None) -> Capabilities:
    """The capabilities of the emulator that answers on ``backend`` (its health document says who it is)."""
    backend = backend or resolve_backend()
    doc = doc if doc is not None else health(backend.endpoint)
    if doc is None:  # nothing answers: what the backend would start, when the kit starts it
        name = {"embedded": "ministack", "localstack": "localstack"}.get(backend.kind, "unknown")
        lab_runtime = name == "ministack" and emulator_patch.applies()
    else:
        name = emulator_name(doc)
        lab_runtime = emulator_patch.active(doc)
    # LocalStack's health document names its edition; its community edition has neither feature.
    paid = name != "localstack" or str((doc or {}).get("edition", "community")) != "community"
    return Capabilities(
        emulator=name,
        functions_in_containers=name == "localstack",
        lab_runtime=lab_runtime,
        one_call_reset=name == "ministack",
        accounts=name in ("ministack", "localstack"),
        layers=paid,
        http_apis=paid,
    )


def capabilities(backend: Backend | None = None) -> Capabilities:
    """``lab.capabilities()``: what the emulator here can do (see :class:`Capabilities`)."""
    return of(backend)
