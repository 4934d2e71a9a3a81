"""The classroom hub's learners are strangers: one Unix user each, and a server none of the others can see.

When the hub runs as root (it must, to start servers as other users), each learner who logs
in gets:

* **a Unix user of their own**, ``lab-<name>`` in the group ``lambda-lab-learners``, made on
  first login (:func:`ensure_user`; ``classroom/setup`` makes the group). A name that is
  already a user outside that group (``root``, ``daemon``, the instructor) is refused.
  Never root: the server, its kernels, its emulator and its functions run as that user, with
  no capabilities.
* **a private home**, ``<room>/learners/<name>`` (0700, theirs), holding their course copy and
  their lab home (with the secret their emulator checks signatures against,
  :func:`reference_app.lab.room.hub.own_credentials`).
* **a private view of the machine** (bubblewrap, as the shared emulator's workers get,
  :mod:`.sandbox`): their own process namespace (``/proc`` shows their processes only, so no
  other server's token in ``/proc/<pid>/environ``), their own ``/tmp``, and the room's
  folder (every other learner's home, the hub's database and cookie secret, the
  instructor's room key), ``/root`` and ``/home`` replaced by empty folders; only their own
  home and the Python the kit runs on are put back.

:class:`LearnerSpawner` (JupyterHub's local-process spawner) starts each server through
:func:`main`, which runs the sandbox and passes the hub's stop signals on to the server,
so its emulator still stops cleanly (and saves its state) when the server stops.
"""

from __future__ import annotations

import argparse
import grp
import os
import pwd
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from ..emulator_patch.room_sandbox import _parents, bwrap, drop_privileges, kit_paths

GROUP = "lambda-lab-learners"
# The learner's kernels talk to their server over Unix sockets in their own /tmp (the sandbox's), not
# over TCP ports picked from the ephemeral range that every outgoing connection shares: a port taken
# between the pick and the kernel's bind left a kernel that never answered (seen under load).
KERNEL_ARGS = ["--KernelManager.transport=ipc"]
RUNTIME_DIR = "/tmp/jupyter-runtime"  # short: a Unix socket's path holds at most 107 bytes
PREFIX = "lab-"
USERNAME_PATTERN = r"^[a-z][a-z0-9_-]{0,23}$"  # the hub's names; lab-<name> stays within 32 characters


class RefusedUser(RuntimeError):
    pass


def unix_name(hub_name: str) -> str:
    return PREFIX + hub_name


def ensure_group() -> int:
    try:
        return grp.getgrnam(GROUP).gr_gid
    except KeyError:
        subprocess.run(
            [shutil.which("groupadd") or "groupadd", "--system", "-f", GROUP], check=True, capture_output=True
        )
        return grp.getgrnam(GROUP).gr_gid


def ensure_user(hub_name: str, home: Path) -> tuple[int, int]:
    """The learner's Unix user (made if missing) and their private home (0700, theirs): (uid, gid)."""
    gid = ensure_group()
    name = unix_name(hub_name)
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            [
                shutil.which("useradd") or "useradd",
                "--no-create-home",
                "--home-dir",
                str(home),
                "--shell",
                "/usr/sbin/nologin",
                "--gid",
                GROUP,
                "--comment",
                "lambda-lab learner",
                name,
            ],
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(name)
    if entry.pw_gid != gid or entry.pw_uid == 0:
        raise RefusedUser(f"{name} is a user of this machine outside {GROUP}; the hub will not start it")
    home.mkdir(parents=True, exist_ok=True)
    os.chmod(home, 0o700)
    if home.stat().st_uid != entry.pw_uid:
        hand_over(home, entry.pw_uid, gid)
    return entry.pw_uid, gid


def hand_over(folder: Path, uid: int, gid: int) -> None:
    """Make everything in ``folder`` the learner's (the hub copied their course as root)."""
    for root, dirs, files in os.walk(folder):
        for name in (*dirs, *files):
            os.lchown(os.path.join(root, name), uid, gid)
    os.lchown(folder, uid, gid)


def launcher(uid: int, gid: int, home: Path, room: Path) -> list[str]:
    """The prefix that runs a learner's server command through :func:`main`."""
    return [
        sys.executable,
        "-m",
        __name__,
        "--uid",
        str(uid),
        "--gid",
        str(gid),
        "--home",
        str(home),
        "--hide",
        str(room),
        "--",
    ]


def sandbox_command(uid: int, gid: int, home: Path, hidden: list[str], command: list[str]) -> list[str]:
    hide = sorted({"/root", "/home", "/tmp", "/var/tmp", *hidden})
    hide = [p for p in hide if Path(p).is_dir()]
    cmd = [
        bwrap() or "bwrap",
        "--die-with-parent",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--ro-bind",
        "/",
        "/",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
    ]
    for path in hide:
        cmd += ["--perms", "1777" if path in ("/tmp", "/var/tmp") else "0755", "--tmpfs", path]
    readable = kit_paths(course_files=True)
    readable |= {str(Path(p).resolve()) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p}
    for path in sorted(p for p in readable if Path(p).exists() and any(p.startswith(h + "/") for h in hide)):
        cmd += [*_parents(path, hide), "--ro-bind", path, path]
    cmd += [*_parents(str(home), hide), "--bind", str(home), str(home), "--chdir", str(home), "--"]
    return cmd + drop_privileges(uid, gid) + command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run a learner's server in their sandbox (the hub calls this).")
    parser.add_argument("--uid", type=int, required=True)
    parser.add_argument("--gid", type=int, required=True)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--hide", action="append", default=[])
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if args.uid == 0:
        raise SystemExit("a learner's server never runs as root")
    proc = subprocess.Popen(sandbox_command(args.uid, args.gid, args.home, args.hide, command))

    def forward(signum, _frame):
        import psutil

        try:  # the server: the top of the learner's processes (bwrap's own above it are root's)
            for child in psutil.Process(proc.pid).children(recursive=True):
                parent = child.parent()
                if child.uids().real == args.uid and (parent is None or parent.uids().real != args.uid):
                    child.send_signal(signum)
                    return
        except psutil.Error:
            pass
        proc.send_signal(signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, forward)
    while True:
        try:
            return proc.wait()
        except InterruptedError:
            continue


try:
    from jupyterhub.spawner import SimpleLocalProcessSpawner
except ImportError:  # a learner's server does not need the hub's classes
    SimpleLocalProcessSpawner = object


class LearnerSpawner(SimpleLocalProcessSpawner):
    """JupyterHub's local-process spawner, with each learner as their own Unix user in their sandbox."""

    room_dir = ""  # set by classroom/jupyterhub_config.py: hidden from every learner
    cmd: list[str]  # JupyterHub's trait, declared for the type checker (an annotation only: no class attribute)

    async def start(self):
        home = Path(self.home_dir)
        uid, gid = ensure_user(self.user.name, home)
        base = getattr(self, "_lab_cmd", None) or list(self.cmd)
        self._lab_cmd = base
        self.cmd = launcher(uid, gid, home, Path(self.room_dir)) + base
        return await super().start()

    def get_args(self):
        return [*super().get_args(), *KERNEL_ARGS]

    def user_env(self, env):
        env = super().user_env(env)
        env["USER"] = env["LOGNAME"] = unix_name(self.user.name)
        env["SHELL"] = "/bin/bash"
        env["JUPYTER_RUNTIME_DIR"] = RUNTIME_DIR  # in the sandbox's private /tmp
        return env

    def make_preexec_fn(self, name):
        return None  # the launcher runs as the hub's user (root) and drops to the learner's in the sandbox


if __name__ == "__main__":
    sys.exit(main())
