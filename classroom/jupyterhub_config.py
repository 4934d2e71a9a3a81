"""JupyterHub for a lambda-lab room: N learners on one machine, each with their own emulator.

    LAMBDA_LAB_ROOM_PASSWORD=<the room's password> jupyterhub -f classroom/jupyterhub_config.py

* learners log in with any name and the room's shared password (JupyterHub's
  SharedPasswordAuthenticator; at least 8 characters);
* each learner's server runs on this machine (SimpleLocalProcessSpawner), in a folder of
  their own (``$LAMBDA_LAB_ROOM_DIR/learners/<name>``) that holds their copy of the
  course (``workshop/``) and their lab home, with an embedded emulator of their own on a
  port the hub assigns, started and stopped with the server
  (:mod:`reference_app.lab.room.hub`);
* idle servers are stopped after ``LAMBDA_LAB_ROOM_IDLE_MIN`` minutes (30) by
  jupyterhub-idle-culler, so an idle learner's memory comes back; their work stays;
* the room's collector (``lambda-lab room serve``) runs as a hub-managed service on
  127.0.0.1:8765: learners join it with ``lambda-lab room join http://127.0.0.1:8765 --code CODE --name NAME``.

Settings, all from the environment (see classroom/GUIDE.md):

``LAMBDA_LAB_ROOM_PASSWORD``   the learners' shared password (required, 8+ characters)
``LAMBDA_LAB_ROOM_DIR``        the hub's state and every learner's folder (default ~/lambda-lab-room)
``LAMBDA_LAB_HUB_IP``, ``LAMBDA_LAB_HUB_PORT``   where the hub listens (0.0.0.0, 8000)
``LAMBDA_LAB_ROOM_ADMIN_PASSWORD``   the ``instructor`` user's password (32+ characters; optional)
``LAMBDA_LAB_ROOM_PORT``       the room's collector (8765), on 127.0.0.1
``LAMBDA_LAB_ROOM_IDLE_MIN``   minutes before an idle learner's server is stopped (30)
``LAMBDA_LAB_HUB_PORT_BASE``   learner N's emulator listens on this + N (21000)
``LAMBDA_LAB_HUB_API_TOKEN``   a token for scripts that drive the hub (the load test); optional

Learners are strangers (see the guide's threat model). Run the hub as root: each learner's
server then runs as a Unix user of their own (``lab-<name>``, made on first login), never
root, in a sandbox that shows them their own home and processes only
(:mod:`reference_app.lab.room.learner_users`), with an emulator that answers only their
credentials. ``LAMBDA_LAB_ROOM_SINGLE_USER=1`` runs every learner as the hub's own user
instead: only for trying the hub out alone, never for a room.
"""

import os
import shutil
import sys
from pathlib import Path

from reference_app.lab.room import hub

c = get_config()  # noqa: F821 - JupyterHub provides it

ROOM = Path(os.environ.get("LAMBDA_LAB_ROOM_DIR", Path.home() / "lambda-lab-room")).resolve()
LEARNERS = ROOM / "learners"
LEARNERS.mkdir(parents=True, exist_ok=True)
SINGLE_USER = os.environ.get("LAMBDA_LAB_ROOM_SINGLE_USER") == "1"
if os.geteuid() != 0 and not SINGLE_USER:
    raise SystemExit(
        "Run the hub as root: it starts each learner's server as a Unix user of their own "
        "(or set LAMBDA_LAB_ROOM_SINGLE_USER=1 to try it alone, every learner as you)."
    )
os.umask(0o077)  # the hub's database, cookie secret and the room's files: the instructor's only
for folder in (ROOM, LEARNERS):
    os.chmod(folder, 0o711)  # learners reach their own home (0700) and list nothing here
BIN = Path(sys.executable).parent  # jupyterhub-singleuser and lambda-lab live beside this Python


def home_of(spawner) -> Path:
    return LEARNERS / spawner.user.name


# --- the hub itself ---------------------------------------------------------------------------------------------
c.JupyterHub.ip = os.environ.get("LAMBDA_LAB_HUB_IP", "0.0.0.0")
c.JupyterHub.port = int(os.environ.get("LAMBDA_LAB_HUB_PORT", "8000"))
c.JupyterHub.hub_port = int(os.environ.get("LAMBDA_LAB_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('LAMBDA_LAB_PROXY_API_PORT', '8001')}"
# configurable-http-proxy, from npm: installed globally, or beside this file by classroom/setup
PROXY = shutil.which("configurable-http-proxy") or Path(__file__).parent / "node_modules/.bin/configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [str(PROXY)]
c.ConfigurableHTTPProxy.pid_file = str(ROOM / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{ROOM / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(ROOM / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True  # the hub's shutdown stops every learner's server, and so their emulators

# --- who may log in: anyone with the room's password --------------------------------------------------------------
c.JupyterHub.authenticator_class = "shared-password"
PASSWORD = os.environ.get("LAMBDA_LAB_ROOM_PASSWORD", "")
if len(PASSWORD) < 8:
    raise SystemExit("Set LAMBDA_LAB_ROOM_PASSWORD to the room's password (8 characters or more), then start again.")
c.SharedPasswordAuthenticator.user_password = PASSWORD
c.Authenticator.allow_all = True
if os.environ.get("LAMBDA_LAB_ROOM_ADMIN_PASSWORD"):
    c.Authenticator.admin_users = {"instructor"}
    c.SharedPasswordAuthenticator.admin_password = os.environ["LAMBDA_LAB_ROOM_ADMIN_PASSWORD"]

# --- each learner's server: their folder, their port, their emulator ----------------------------------------------
if SINGLE_USER:
    c.JupyterHub.spawner_class = "simple"
else:
    from reference_app.lab.room.learner_users import USERNAME_PATTERN, LearnerSpawner

    LearnerSpawner.room_dir = str(ROOM)
    c.JupyterHub.spawner_class = LearnerSpawner
    c.Authenticator.username_pattern = USERNAME_PATTERN  # lab-<name> is a valid Unix user name
c.SimpleLocalProcessSpawner.home_dir_template = str(LEARNERS / "{username}")
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.args = [
    f"--ServerApp.jpserver_extensions={{'{hub.__name__}': True}}",  # the learner's emulator, with the server
    "--ServerApp.root_dir=~",
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
]
c.Spawner.default_url = f"/lab/tree/{hub.WORKSHOP}/notebooks/00_setup.ipynb"
c.Spawner.environment = hub.environment(home_of)
c.Spawner.pre_spawn_hook = hub.pre_spawn_hook(home_of)
if SINGLE_USER:  # a sandboxed server's processes end with it (a process namespace of its own)
    c.Spawner.post_stop_hook = hub.post_stop_hook(home_of)
c.Spawner.start_timeout = 180  # thirty learners logging in at once start thirty servers on a few cores
c.Spawner.http_timeout = 180

# --- services: the idle culler and the room's collector ---------------------------------------------------------
ROOM_PORT = os.environ.get("LAMBDA_LAB_ROOM_PORT", "8765")
idle_minutes = int(os.environ.get("LAMBDA_LAB_ROOM_IDLE_MIN", "30"))
services = [
    {
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={idle_minutes * 60}"],
    },
    {
        "name": "room",
        "command": [str(BIN / "lambda-lab"), "room", "serve", "--host", "127.0.0.1", "--port", ROOM_PORT],
        "environment": {"LAMBDA_LAB_HOME": str(ROOM / "instructor")},
    },
]
roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
token = os.environ.get("LAMBDA_LAB_HUB_API_TOKEN")
if token:  # scripts that drive the hub (benchmarks/room_hub.py): start servers and make tokens for learners
    services.append({"name": "room-driver", "api_token": token})
    roles.append(
        {
            "name": "room-driver",
            "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"],
            "services": ["room-driver"],
        }
    )
c.JupyterHub.services = services
c.JupyterHub.load_roles = roles
