"""The classroom hub with two learners, against a mischievous one (issue 18): one test, every attack
the issue lists for the hub, tried from Ada's kernel as a learner would.

GIVEN the hub from classroom/jupyterhub_config.py, run as root, with Ada (learner01) and Bob
(learner02) logged in and their servers started, WHEN Ada's kernel runs code that tries to
reach Bob's work, Bob's server token, the instructor's files, or root, THEN every attempt
fails: Ada is a Unix user of her own (never root) in a sandbox that shows her own home and
processes only, and Bob's emulator refuses her credentials.
"""

import importlib.util
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

ATTACKS = """
import glob, os
from pathlib import Path
room = Path({room!r})
bob = room / "learners" / "learner02"
assert os.getuid() != 0 and os.geteuid() != 0, "Ada's kernel runs as root"
# Not an attack, the room's plumbing: her kernel talks to her server over Unix sockets in her own /tmp
# (no TCP port another process's connection can take between the pick and the kernel's bind).
import json as _json
from ipykernel.connect import get_connection_info
info = _json.loads(get_connection_info())
assert info["transport"] == "ipc" and info["ip"].startswith("/tmp/jupyter-runtime/"), info
for path in (bob / "workshop" / "exercises" / "02_handler" / "create_user.py", bob / ".lambda-lab" / "credentials.json",
             room / "instructor" / "room" / "instructor.json", room / "jupyterhub.sqlite",
             room / "jupyterhub_cookie_secret"):
    try:
        open(path).read(1)
    except OSError:
        continue
    raise AssertionError(f"Ada read {{path}}")
try:
    open(bob / "planted.py", "w").write("x")
except OSError:
    pass
else:
    raise AssertionError("Ada wrote into Bob's home")
for path in glob.glob("/proc/[0-9]*/environ"):
    try:
        data = open(path, "rb").read()
    except OSError:
        continue
    assert b"JUPYTERHUB_USER=learner02" not in data, "Ada read Bob's server environment (his token)"
import json, urllib.request
from botocore.exceptions import ClientError
from reference_app import lab
mine = int(os.environ["LAMBDA_LAB_PORT"])
others = []
for port in range(mine - 20, mine + 20):
    if port == mine:
        continue
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{{port}}/_localstack/health", timeout=1).read()
        others.append(port)
    except OSError:
        pass
assert others, "Bob's emulator was not found"
for port in others:
    os.environ["LAMBDA_LAB_PORT"] = str(port)
    try:
        lab.client("lambda").list_functions()
    except ClientError as exc:
        assert "InvalidClientTokenId" in str(exc), str(exc)
    else:
        raise AssertionError("Ada listed Bob's functions")
    finally:
        os.environ["LAMBDA_LAB_PORT"] = str(mine)
    request = urllib.request.Request(f"http://127.0.0.1:{{port}}/_ministack/reset", method="POST", data=b"")
    try:
        urllib.request.urlopen(request, timeout=20)
    except urllib.error.HTTPError as exc:
        assert exc.code == 403, exc.code
    else:
        raise AssertionError("Ada reset Bob's emulator")
"""


def _benchmark():
    spec = importlib.util.spec_from_file_location("room_hub", ROOT / "benchmarks" / "room_hub.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def hub_ready():
    if shutil.which("configurable-http-proxy") is None or shutil.which("bwrap") is None:
        message = "the hub needs configurable-http-proxy (npm) and bubblewrap (apt): .ci/setup installs both"
        if os.environ.get("LAMBDA_LAB_ROOM_TESTS") == "required":
            pytest.fail(message)
        pytest.skip(message)
    if os.geteuid() != 0:
        pytest.skip("the hub makes a Unix user per learner: it runs as root")


def test_adas_kernel_reaches_nothing_of_bobs_nor_the_instructors(hub_ready):
    bench = _benchmark()
    folder = Path(tempfile.mkdtemp(prefix="room-hub-attack-"))
    hub = bench.Hub(folder, bench.free_port(), secrets.token_hex(24), secrets.token_urlsafe(12))
    kernel = None
    try:
        hub.start()
        for name in ("learner01", "learner02"):
            bench.log_in(hub, name)
            bench.start_server(hub, name)
        kernel = bench.Kernel(hub, "learner01", bench.user_token(hub, "learner01"))
        kernel.execute(ATTACKS.format(room=str(folder.resolve())))
    except Exception:
        print(hub.tail(60))
        raise
    finally:
        if kernel is not None:
            kernel.close()
        for name in ("learner01", "learner02"):
            try:
                hub.stop_server(name)
            except Exception:
                pass
        hub.stop()
        shutil.rmtree(folder, ignore_errors=True)
