"""Issue 17.1: nothing leaves the machine, whatever the backend URL or the proxy variables say.

An in-process guard replaces the resolver and ``socket.connect``: a look-up of anything but
a loopback address or a listed emulator name, and a connection to anything but loopback, is
recorded and refused. Every command and the Python API then run against a corpus of URLs that
URL parsers read differently (``data/tricky_urls.json``): the refused ones must fail with one
sentence and no attempt off loopback; the allowed ones must still work, proxies set or not.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reference_app import lab
from reference_app.lab import clients, net
from reference_app.lab.cli import app
from reference_app.lab.config import Backend, split_url
from reference_app.lab.errors import LabError
from reference_app.lab.http import http_call

CORPUS = json.loads((Path(__file__).parent / "data" / "tricky_urls.json").read_text())
FUNCTION = "lab-net-guard"
PROXY = "http://10.99.99.99:3128"
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
runner = CliRunner()

CLI_COMMANDS = [
    ["status"],
    ["doctor"],
    ["reset", "--yes"],
    ["down"],
    ["up"],
    ["invoke", FUNCTION],
    ["invoke", FUNCTION, "--event", "s3_put"],
    ["logs", FUNCTION],
    ["deploy", "hello", "--name", FUNCTION],
]

PYTHON_API = {
    "status": lambda: lab.status(),
    "require": lambda: lab.require(),
    "up": lambda: lab.up(),
    "reset": lambda: lab.reset(),
    "client": lambda: lab.client("lambda").list_functions(),
    "resource": lambda: list(lab.resource("s3").buckets.all()),
    "invoke": lambda: lab.invoke(FUNCTION, {}),
    "invocations": lambda: lab.invocations(FUNCTION),
    "deploy_handler": lambda: lab.deploy_handler("hello", FUNCTION),
    "health": lambda: _health(),
    "http_call": lambda: _http("/_localstack/health"),
}


def _health():
    from reference_app.lab.config import resolve_backend

    return net.health(resolve_backend().endpoint)


def _http(path: str):
    import os

    return http_call(os.environ["LAMBDA_LAB_BACKEND"].rstrip("/") + path)


def _loopback(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


@pytest.fixture
def guard(monkeypatch):
    """Every look-up or connection that could leave the machine, recorded and refused."""
    attempts: list[tuple[str, str, object]] = []
    real_getaddrinfo = socket.getaddrinfo
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    dns = CORPUS["dns"]

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        if name is None or _loopback(name):
            return real_getaddrinfo(host, port, family, type, proto, flags)
        if name.lower() in dns:  # names are case-insensitive
            number = int(port or 0)
            return [
                (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, number, 0, 0))
                if ":" in a
                else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, number))
                for a in dns[name.lower()]
            ]
        attempts.append(("look-up", name, port))
        raise socket.gaierror(socket.EAI_NONAME, f"network guard: look-up of {name!r} refused")

    def allowed(sock, address) -> bool:
        if sock.family == getattr(socket, "AF_UNIX", None) or _loopback(str(address[0])):
            return True
        attempts.append(("connect", address[0], address[1]))
        return False

    def connect(self, address):
        if not allowed(self, address):
            raise ConnectionRefusedError(errno.ECONNREFUSED, f"network guard: connection to {address} refused")
        return real_connect(self, address)

    def connect_ex(self, address):
        return real_connect_ex(self, address) if allowed(self, address) else errno.ECONNREFUSED

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.delenv("LAMBDA_LAB_ALLOW_REMOTE", raising=False)
    for var in (*PROXY_VARS, "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
    clients._session.cache_clear()
    yield attempts
    clients._session.cache_clear()


@pytest.fixture(scope="module")
def url_function(backend):
    """A function in the learner's own account of a URL backend (the account every URL form uses)."""
    url_backend = Backend("url", backend.endpoint)
    lab.deploy_handler("hello", FUNCTION, backend=url_backend)
    return url_backend


def _url(template: str, backend: Backend) -> str:
    return template.replace("{port}", str(backend.port))


def _ambiguous(template: str) -> bool:
    """True when the strict parser itself refuses the URL (not only the loopback rule)."""
    try:
        split_url(template.replace("{port}", "4566"))
    except LabError:
        return True
    return False


@pytest.mark.parametrize("template", [u for u, _ in CORPUS["refused"]], ids=[why for _, why in CORPUS["refused"]])
def test_a_tricky_url_is_refused_everywhere_before_anything_is_sent(backend, guard, monkeypatch, template):
    url = _url(template, backend)
    monkeypatch.setenv("LAMBDA_LAB_BACKEND", url)
    for command in CLI_COMMANDS:
        result = runner.invoke(app, command)
        assert result.exit_code != 0, (command, result.output)
        assert "Traceback" not in result.output, (command, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (command, result.exception)
        assert "Refusing" in result.output or "must be 'embedded'" in result.output, (command, result.output)
    for name, call in PYTHON_API.items():
        try:
            call()
        except LabError:
            pass
        else:  # a URL call may answer when what it reached is loopback (the guard says so below)
            assert name in ("health", "http_call"), name
        assert guard == [], name
    assert guard == []


@pytest.mark.parametrize("template", [u for u, _ in CORPUS["allowed"]], ids=[why for _, why in CORPUS["allowed"]])
@pytest.mark.parametrize("proxies", [True], ids=["proxy variables set"])  # without them: the other tests
def test_an_allowed_url_still_works_and_no_proxy_is_used(url_function, guard, monkeypatch, template, proxies):
    url = _url(template, url_function)
    monkeypatch.setenv("LAMBDA_LAB_BACKEND", url)
    if proxies:
        for var in PROXY_VARS:
            monkeypatch.setenv(var, PROXY)
    for command in (["status"], ["invoke", FUNCTION], ["logs", FUNCTION, "--since", "1h"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, (command, result.output)
    assert lab.invoke(FUNCTION, {"name": "guard"}).ok
    assert lab.client("lambda").get_function(FunctionName=FUNCTION)["Configuration"]["FunctionName"] == FUNCTION
    assert _http("/_localstack/health").status == 200
    assert guard == []


def test_botocore_would_use_the_proxy_variables_without_the_kits_setting(monkeypatch):
    """The premise of the proxy fix: botocore reads HTTP(S)_PROXY unless Config.proxies is set."""
    import boto3
    from botocore.config import Config

    monkeypatch.setenv("HTTP_PROXY", PROXY)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    plain = boto3.client(
        "lambda",
        endpoint_url="http://127.0.0.1:1",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    assert plain._endpoint.http_session._proxy_config.proxy_url_for("http://127.0.0.1:1/") == PROXY
    pinned = boto3.client(
        "lambda",
        endpoint_url="http://127.0.0.1:1",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(proxies={}),
    )
    assert pinned._endpoint.http_session._proxy_config.proxy_url_for("http://127.0.0.1:1/") is None
    kit = clients.client("lambda", Backend("embedded", "http://127.0.0.1:1"))
    assert kit._endpoint.http_session._proxy_config.proxy_url_for("http://127.0.0.1:1/") is None


@pytest.mark.parametrize("template", ["http://10.0.0.1\\@127.0.0.1:{port}"])
def test_the_grader_refuses_a_tricky_url_before_it_deploys(backend, guard, monkeypatch, template):
    """`check` runs the unit checks first, then deploys: with the solution, it gets to the deploy."""
    monkeypatch.setenv("LAMBDA_LAB_BACKEND", _url(template, backend))
    result = runner.invoke(app, ["check", "handler-validation", "--solutions"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "Refusing" in " ".join(result.output.split()), result.output
    assert guard == []


@pytest.mark.parametrize(
    "template",
    [u for u, _ in CORPUS["refused"] if _ambiguous(u)],
    ids=[why for u, why in CORPUS["refused"] if _ambiguous(u)],
)
def test_joining_a_room_at_a_tricky_url_sends_nothing(backend, guard, template):
    """Joining a room opts in to its host, so the room's URL must have one host for every parser."""
    from reference_app.lab.accounts import membership

    result = runner.invoke(app, ["room", "join", _url(template, backend), "--name", "Ada"])
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    assert membership.load() is None
    assert guard == []


def test_an_emulator_name_that_changes_address_after_the_check_is_refused_before_sending(backend, guard, monkeypatch):
    """DNS rebinding: the name resolved to loopback when the client was built, then to another
    machine; each request resolves it again just before it is sent."""
    name = "rebind.localhost.localstack.cloud"
    answers = iter([["127.0.0.1"]])
    guarded = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host == name:
            address = next(answers, ["10.6.6.6"])[0]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 0)))]
        return guarded(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setenv("LAMBDA_LAB_BACKEND", f"http://{name}:{backend.port}")
    lam = lab.client("lambda")  # checked here: loopback
    with pytest.raises(LabError, match="10.6.6.6"):
        lam.list_functions()
    assert guard == []
