"""JupyterHub: every learner's single-user server gets its own emulator, port and home folder.

Two halves, both documented JupyterHub mechanisms:

* **in the hub** (``classroom/jupyterhub_config.py`` calls these): :func:`environment` gives
  each learner's server ``LAMBDA_LAB_PORT`` (from the learner's hub user id, so no two
  learners on one machine can collide and nobody picks a port by hand) and
  ``LAMBDA_LAB_HOME`` (inside the learner's home folder), as ``Spawner.environment``
  callables; :func:`pre_spawn_hook` copies the course into the learner's folder the first
  time; :func:`post_stop_hook` stops an emulator a killed server left behind.
* **in the learner's server**: the Jupyter server extension :class:`LearnerEmulator`
  (``--ServerApp.jpserver_extensions``) starts the learner's embedded emulator when the
  server starts (in the background: the server answers at once) and stops it when the
  server stops, however the hub stops it (the learner's *Stop My Server*, the idle
  culler, the hub's shutdown). Kernels and terminals inherit the port and the home, so
  ``lab.up()``, ``lambda-lab check`` and every notebook find that emulator.

Outside JupyterHub (no ``JUPYTERHUB_USER``) the extension does nothing.
"""

from __future__ import annotations

import asyncio
import atexit
import hashlib
import logging
import os
import re
import threading
from pathlib import Path

from .. import emulator
from ..accounts.credentials import PATH_ENV, Registry
from ..accounts.membership import ACCOUNT_ENV
from ..config import HOME_ENV, PORT_ENV, lab_home, lab_home_path, resolve_backend
from ..embedded import stop_pid
from ..emulator_patch.room_accounts import GATE_ENV
from ..errors import LabError
from ..net import health, port_in_use
from ..workspace import init_course

HUB_USER_ENV = "JUPYTERHUB_USER"
PORT_BASE_ENV = "LAMBDA_LAB_HUB_PORT_BASE"
PORT_BASE = 21000  # below Linux's ephemeral ports (32768-60999), above the usual services
PORT_SPAN = 9000
WORKSHOP = "workshop"  # the course's folder inside each learner's home

logger = logging.getLogger("lambda_lab.room")


# --- in the hub ------------------------------------------------------------------------------------------------
def port_for(user_id: int) -> int:
    """The learner's emulator port: one per hub user id, so two learners never share one."""
    return int(os.environ.get(PORT_BASE_ENV, PORT_BASE)) + int(user_id) % PORT_SPAN


def lab_home_for(home: str | os.PathLike) -> Path:
    """The learner's ``LAMBDA_LAB_HOME``: inside their own home folder."""
    return Path(home) / ".lambda-lab"


def environment(home_of) -> dict:
    """``Spawner.environment`` entries (``home_of(spawner)`` is the learner's folder): their port, their
    lab home, and their course folder, so a terminal's ``lambda-lab check`` finds their exercises."""
    return {
        "LAMBDA_LAB_PORT": lambda spawner: str(port_for(spawner.user.id)),
        "LAMBDA_LAB_HOME": lambda spawner: str(lab_home_for(home_of(spawner))),
        "LAMBDA_LAB_COURSE_DIR": lambda spawner: str(Path(home_of(spawner)) / WORKSHOP),
        "LAMBDA_LAB_BACKEND": "embedded",
    }


def prepare_learner(home: str | os.PathLike) -> Path:
    """The learner's course folder (``<home>/workshop``), copied from the kit the first time only:
    a learner's edited exercises are never overwritten."""
    folder = Path(home) / WORKSHOP
    if not (folder / "notebooks").is_dir():
        init_course(folder)
    return folder


def pre_spawn_hook(home_of):
    """``Spawner.pre_spawn_hook``: the learner's folder and course exist before their server starts."""

    def hook(spawner) -> None:
        home = Path(home_of(spawner))
        home.mkdir(parents=True, exist_ok=True)
        prepare_learner(home)

    return hook


def leftover_emulators(lab_home: str | os.PathLike) -> list[int]:
    """Pids of emulators the kit started under ``lab_home`` that still run."""
    import psutil

    found = []
    for pid_file in Path(lab_home).glob("embedded-*/ministack.pid"):
        try:
            pid = int(pid_file.read_text().strip())
            proc = psutil.Process(pid)
            # The pid must be this learner's emulator: a server in a sandbox of its own numbers its
            # processes apart, so a pid file's number may be someone else's process here.
            if "ministack" in " ".join(proc.cmdline()) and proc.environ().get("LAMBDA_LAB_HOME") == str(lab_home):
                found.append(pid)
        except (OSError, ValueError, psutil.Error):
            continue
    return found


def post_stop_hook(home_of):
    """``Spawner.post_stop_hook``: stop what a server that was killed (not stopped) left running."""

    async def hook(spawner) -> None:
        for pid in leftover_emulators(lab_home_for(home_of(spawner))):
            spawner.log.info("lambda-lab: stopping %s's leftover emulator (pid %s)", spawner.user.name, pid)
            await asyncio.to_thread(stop_pid, pid, 15.0)

    return hook


# --- in the learner's server -----------------------------------------------------------------------------------
def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "-", name)[:40] + "-" + hashlib.sha256(name.encode()).hexdigest()[:6]


def fill_environment(env=os.environ) -> dict[str, str]:
    """Set the learner's port and home when the hub did not (another hub's configuration, a pod):
    a home of their own under the usual one, and a free port chosen from their name. An assigned
    port that something other than an emulator holds is replaced the same way, before any
    kernel starts."""
    user = env.get(HUB_USER_ENV, "")
    chosen = {}
    if not env.get(HOME_ENV):
        chosen[HOME_ENV] = str(lab_home_path() / f"hub-{_safe(user)}")
    assigned = env.get(PORT_ENV)
    taken = bool(assigned) and port_in_use(int(assigned)) and health(f"http://127.0.0.1:{assigned}") is None
    if not assigned or taken:
        start = int(hashlib.sha256(user.encode()).hexdigest(), 16) % PORT_SPAN
        for offset in range(PORT_SPAN):
            port = PORT_BASE + (start + offset) % PORT_SPAN
            if not port_in_use(port):
                chosen[PORT_ENV] = str(port)
                break
    env.update(chosen)
    return chosen


def own_credentials(env=os.environ) -> str:
    """The learner's account on their own emulator, and its secret, made once in their lab home
    (``credentials.json``, 0600: only the learner's Unix user reads it). The emulator verifies every
    signature against it (:mod:`.signatures`, as a room's shared emulator does), so another
    learner's kernel that reaches this emulator's port gets ``InvalidClientTokenId``, and its
    internal endpoints answer this learner's processes only. Sets the learner's environment:
    kernels and terminals inherit it."""
    path = lab_home() / "credentials.json"
    registry = Registry(path)
    account = next(iter(sorted(registry.accounts)), None) or registry.issue()[0]
    env.update({PATH_ENV: str(path), GATE_ENV: "owner", ACCOUNT_ENV: account})
    return account


try:
    from jupyter_server.extension.application import ExtensionApp
except ImportError:  # the hub's own environment may not have jupyter_server; the hooks above do not need it
    ExtensionApp = object  # type: ignore[assignment,misc]


class LearnerEmulator(ExtensionApp):
    """Start the learner's emulator with their Jupyter server; stop it with the server."""

    name = "lambda_lab_room"
    load_other_extensions = True

    def initialize_settings(self) -> None:
        self._starting: threading.Thread | None = None
        if not os.environ.get(HUB_USER_ENV):
            return
        chosen = fill_environment()
        if chosen:
            self.log.info("lambda-lab: %s", ", ".join(f"{k}={v}" for k, v in chosen.items()))
        self.log.info("lambda-lab: your emulator's account is %s (its secret is yours alone)", own_credentials())
        self._starting = threading.Thread(target=self._start, name="lambda-lab-emulator", daemon=True)
        self._starting.start()
        # The hub stops a server with SIGINT; without a terminal, Jupyter then ends its loop with
        # KeyboardInterrupt and skips the extensions' stop hooks, so the interpreter's exit stops it too.
        atexit.register(self._stop_emulator)

    def _start(self) -> None:
        backend = resolve_backend()
        if backend.kind != "embedded":
            return  # the learner's emulator is someone else's (a room's shared one): nothing to start
        try:
            status = emulator.up(backend)
        except LabError as exc:  # the notebook's lab.up() says it again, with what to do
            self.log.warning("lambda-lab: the emulator did not start: %s", exc)
            return
        self.log.info("lambda-lab: emulator healthy at %s (pid %s)", backend.endpoint, status.pid)

    async def stop_extension(self) -> None:
        await asyncio.to_thread(self._stop_emulator)

    def _stop_emulator(self) -> None:
        """Stop the learner's emulator (once). Whoever started it (this extension, or a notebook's
        ``lab.up()`` first), the emulator on the learner's own port and home is theirs and goes with
        their server; ``down`` never stops an emulator the kit did not start."""
        starting, self._starting = self._starting, None
        if starting is None:
            return  # not on a hub, or stopped already
        starting.join(30)

        self.log.info("lambda-lab: %s", emulator.down())


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": __name__, "app": LearnerEmulator}]
