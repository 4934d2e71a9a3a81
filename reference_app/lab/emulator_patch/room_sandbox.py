"""Learners' functions on a room's shared emulator run in a sandbox, never with the instructor's rights.

Every Python function worker the shared emulator starts (the only kind it starts: other
runtimes are refused, :func:`refuse_other_runtimes`) is wrapped by :func:`wrap`:

* **bubblewrap** (Debian's ``bubblewrap``, ``bwrap``) gives it a private view of the machine:
  its own process namespace (its ``/proc`` shows itself only, so no other worker's
  environment), its own ``/tmp``, and the instructor's home, the emulator's folder (state,
  S3 objects, every other worker's code) and the room's folder (keys and secrets) replaced
  by empty folders. Only the worker's own code folder, the Python it runs and the SDK it
  imports are put back, read-only except its code folder.
* **another user**: when the emulator runs as root, the worker drops to an unprivileged
  user (``lambda-lab-worker``, made on first use, else ``nobody``) with no capabilities, so
  it cannot read root's files either (``/etc/shadow``, other homes). When the instructor
  runs the room as themself, workers keep the instructor's user id inside the sandbox:
  what the sandbox hides they cannot reach, but a file of theirs elsewhere on the machine
  they could; classroom/GUIDE.md says so.
* **a clean environment**: the emulator's own variables (its home, the room's files) are
  not passed on; the function gets its own variables and Lambda's.

:func:`available` says whether the sandbox works on this machine (``lambda-lab doctor
--instructor`` and ``room serve --emulator`` ask it; serving refuses to share an emulator
without it, unless ``LAMBDA_LAB_ROOM_UNSANDBOXED=1`` says the instructor accepts that).
"""

from __future__ import annotations

import functools
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import reference_app

from ..locations import kit_root, lab_home_path

WORKER_USER = "lambda-lab-worker"
UNSANDBOXED_ENV = "LAMBDA_LAB_ROOM_UNSANDBOXED"
HIDDEN_ENV = "LAMBDA_LAB_ROOM_HIDDEN"  # more folders to hide, os.pathsep-separated
_KEEP = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONUNBUFFERED", "PYTHONIOENCODING")
_KEEP_PREFIXES = ("AWS_", "_LAMBDA", "_LAB_", "_HANDLER", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "_X_AMZN")


class SandboxUnavailable(RuntimeError):
    pass


@functools.cache
def bwrap() -> str | None:
    return shutil.which("bwrap")


@functools.cache
def worker_ids() -> tuple[int, int] | None:
    """The (uid, gid) workers run as when the emulator is root; None when it is not root."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(WORKER_USER)
    except KeyError:
        useradd = shutil.which("useradd")
        made = (
            useradd
            and subprocess.run(
                [
                    useradd,
                    "--system",
                    "--no-create-home",
                    "--home-dir",
                    "/nonexistent",
                    "--shell",
                    "/usr/sbin/nologin",
                    WORKER_USER,
                ],
                capture_output=True,
            ).returncode
            == 0
        )
        entry = pwd.getpwnam(WORKER_USER) if made else pwd.getpwnam("nobody")
    return entry.pw_uid, entry.pw_gid


def available() -> str | None:
    """None when the sandbox works here, else one sentence on why not and what to do."""
    if sys.platform != "linux":
        return "function sandboxing needs Linux (bubblewrap)"
    if bwrap() is None:
        return "bubblewrap is not installed: apt-get install bubblewrap"
    probe = subprocess.run(_command(["true"], []), capture_output=True, text=True)
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or ["it failed"])[-1]
        return f"bubblewrap cannot make a sandbox here ({reason}); user namespaces may be disabled"
    return None


def hidden_paths() -> list[str]:
    """The folders a worker must not see: homes, the emulator's and the room's folders, /tmp."""
    paths = {"/root", "/home", "/tmp", "/var/tmp", str(Path.home()), str(lab_home_path())}
    for key in ("LAMBDA_LAB_ROOM_DIR", "STATE_DIR", "S3_DATA_DIR", "TMPDIR"):
        if os.environ.get(key):
            paths.add(os.environ[key])
    paths.update(p for p in os.environ.get(HIDDEN_ENV, "").split(os.pathsep) if p)
    creds = os.environ.get("LAMBDA_LAB_ROOM_CREDENTIALS")
    if creds:
        paths.add(str(Path(creds).parent))
    return sorted(p for p in paths if Path(p).is_dir() and p != "/")


def kit_paths(course_files: bool = False) -> set[str]:
    """The Python the kit runs on and the kit's own package: what a sandboxed process needs back,
    read-only, when a hidden folder holds it (a checkout or a virtual environment under /tmp or a home).
    ``course_files``: the kit's course too (its stubs and the solutions hints show), for a learner's
    server; a function worker gets the package only."""
    paths = {
        sys.prefix,
        sys.base_prefix,
        str(Path(sys.executable).resolve().parent),
        str(Path(reference_app.__file__).resolve().parent),
    }
    if course_files:
        paths.add(str(kit_root().resolve()))
    return paths


def _readable() -> list[str]:
    """What the worker needs back, read-only, if a hidden folder held it: the Python it runs and its SDK."""
    return sorted(p for p in kit_paths() if Path(p).exists())


def _command(args: list[str], binds: list[str], chdir: str | None = None) -> list[str]:
    ids = worker_ids()
    # No --die-with-parent: it is tied to the thread that spawns the worker (an emulator's request
    # thread), which ends long before the warm worker should. The worker ends when the emulator's
    # end of its pipes closes.
    cmd = [
        bwrap() or "bwrap",
        "--new-session",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--ro-bind",
        "/",
        "/",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
    ]
    if ids is None:
        cmd[1:1] = ["--unshare-user"]
    hidden = hidden_paths()
    for path in hidden:
        cmd += ["--perms", "1777" if path in ("/tmp", "/var/tmp") else "0755", "--tmpfs", path]
    for path in _readable():
        cmd += [*_parents(path, hidden), "--ro-bind", path, path]
    for path in binds:
        cmd += [*_parents(path, hidden), "--bind", path, path]
    if chdir:
        cmd += ["--chdir", chdir]
    cmd.append("--")
    if ids is not None:
        cmd += drop_privileges(*ids)
    return cmd + args


def drop_privileges(uid: int, gid: int) -> list[str]:
    """The command prefix that runs what follows as ``uid``/``gid``, with no groups, capabilities or way back."""
    return [
        shutil.which("setpriv") or "setpriv",
        f"--reuid={uid}",
        f"--regid={gid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
        "--",
    ]


def _parents(path: str, hidden: list[str]) -> list[str]:
    """bwrap makes a bind's missing parents 0700; inside a hidden folder, make them 0755 first."""
    made = []
    for parent in reversed(Path(path).parents):
        text = str(parent)
        if any(text != h and text.startswith(h.rstrip("/") + "/") for h in hidden):
            made += ["--perms", "0755", "--dir", text]
    return made


def _hand_over(folder: Path, ids: tuple[int, int] | None) -> None:
    if ids is None:
        return
    uid, gid = ids
    for root, dirs, files in os.walk(folder):
        for name in (*dirs, *files):
            os.lchown(os.path.join(root, name), uid, gid)
    os.chown(folder, uid, gid)


def _clean_env(env: dict[str, str]) -> dict[str, str]:
    """The worker's variables: its function's and Lambda's, none of the emulator's own."""
    mine = os.environ
    clean = {}
    for key, value in env.items():
        inherited = mine.get(key) == value
        if not inherited or key in _KEEP or key.startswith(_KEEP_PREFIXES):
            clean[key] = value
    clean["HOME"] = "/tmp"
    return clean


def wrap(args: list[str], kwargs: dict) -> tuple[list[str], dict]:
    """The worker's command and ``Popen`` arguments, sandboxed (see the module docstring)."""
    if not (
        isinstance(args, list) and len(args) >= 2 and args[0] == sys.executable and str(args[-1]).endswith("_worker.py")
    ):
        raise SandboxUnavailable("a room's shared emulator runs Python functions only")
    if bwrap() is None:
        raise SandboxUnavailable("bubblewrap is not installed: apt-get install bubblewrap")
    workdir = Path(args[-1]).parent
    ids = worker_ids()
    _hand_over(workdir, ids)
    env = _clean_env(dict(kwargs.get("env") or os.environ))
    sdk = env.get("_LAB_SDK_DIR")
    binds = [str(workdir)]
    extra = [sdk] if sdk and Path(sdk).is_dir() else []
    if ids is not None and extra:
        os.chmod(extra[0], 0o755)
    cmd = _command(list(args), binds, chdir=kwargs.get("cwd"))
    at = cmd.index("--")
    cmd[at:at] = [arg for path in extra for arg in (*_parents(path, hidden_paths()), "--ro-bind", path, path)]
    kwargs = {**kwargs, "env": env}
    return cmd, kwargs


class _Refuse:
    """``subprocess`` for ministack's other executors in a shared emulator: they run nothing."""

    def __getattr__(self, name):
        return getattr(subprocess, name)

    @staticmethod
    def Popen(*args, **kwargs):  # noqa: N802
        raise SandboxUnavailable("a room's shared emulator runs Python functions only")

    run = Popen


def refuse_other_runtimes(lambda_svc) -> None:
    """Node.js, custom (``provided``) and container runtimes would run unsandboxed: refuse them."""
    lambda_svc.subprocess = _Refuse()
