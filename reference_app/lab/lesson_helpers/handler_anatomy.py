"""Lesson 02's helpers: the handler's parts deployed one function each, and tables of what they answer.

Every function is the reference handler ``reference_app.handlers.anatomy`` (one small function
per part, chosen with ``function=``), ``users_api`` and its Powertools twin, or a module this file
writes under the kit's home (a handler missing a dependency, the seed's logging snippet), so
the notebook defines no handler logic itself. Names start with ``lab-02-``; everything is
idempotent, so the notebook runs twice in a row.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import textwrap
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import resources
from ..clients import client
from ..config import lab_home, writing
from ..deploy import Deployment, deploy_function, invoke
from ..http import http_call
from ..moto_env import isolated_aws
from ..net import open_url
from ..reference_deploys import deploy_handler
from ..triggers import function_url, http_api, rest_api
from .parallel import deploy_all

PREFIX = "lab-02-"
ANATOMY = "reference_app.handlers.anatomy"


def deploy_part(part: str, name: str | None = None, **kwargs: Any) -> Deployment:
    """``anatomy.<part>`` deployed as ``name``, by default ``lab-02-<part>`` (dashes for underscores)."""
    return deploy_function(name or PREFIX + part.replace("_", "-"), ANATOMY, function=part, **kwargs)


# Every function lesson 02 deploys, with the settings its cells pass (a cell deploys its function
# again, unchanged, where it is used).
PARTS: tuple[tuple[str, str | None, dict[str, Any]], ...] = (
    ("context_report", None, {"timeout": 5, "memory_size": 256}),
    ("count", None, {}),
    ("environment", None, {"environment": {"GREETING": "Hej"}}),
    ("http_response", None, {}),
    ("bare_result", None, {}),
    ("log_lines", None, {"LoggingConfig": {"LogFormat": "Text"}}),
    (
        "log_lines",
        "lab-02-log-lines-json",
        {"LoggingConfig": {"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG", "SystemLogLevel": "INFO"}},
    ),
    ("scratch_space", None, {"EphemeralStorage": {"Size": 1024}}),
)


def _warm(deployment: Deployment) -> Deployment:
    """Invoke an HTTP handler once (``OPTIONS /users``), so its cold start happens while the others deploy."""
    invoke(deployment.name, {"httpMethod": "OPTIONS", "path": "/users", "headers": {}})
    return deployment


def deploy_lesson_functions() -> dict[str, Deployment]:
    """Deploy every function the lesson uses, several at a time (see :mod:`.parallel`)."""
    deploys: dict[str, Callable[[], Deployment]] = {}
    for part, name, kwargs in PARTS:  # the first builds anatomy's zip, alone; the others reuse it
        deploys[name or part] = functools.partial(deploy_part, part, name, **kwargs)
    deploys["users_api"] = lambda: deploy_handler("users_api", "lab-02-users")
    deploys["users_api_powertools"] = lambda: _warm(deploy_handler("users_api_powertools", "lab-02-users-powertools"))
    deploys["seed_logging"] = lambda: deploy_function(
        "lab-02-seed-logging", write_module("seed_logging", SEED_LOGGING), LoggingConfig={"LogFormat": "Text"}
    )
    deploys["validator"] = lambda: deploy_function("lab-02-validator", validator_module(declared=True))
    return deploy_all(deploys)


# --- the context and the environment ----------------------------------------------------------------------
def context_table(report: dict):
    """``anatomy.context_report``'s answer as a table: attribute, type, value."""
    import pandas as pd

    rows = [{"attribute": name, "type": v["type"], "value": json.dumps(v["value"])} for name, v in report.items()]
    return pd.DataFrame(rows).set_index("attribute")


def variables_table(report: dict):
    """``anatomy.environment``'s answer as a table: the function's variable first, then Lambda's."""
    import pandas as pd

    rows = [{"variable": "GREETING", "set by": "you (Environment)", "value": report["GREETING"]}]
    rows += [{"variable": k, "set by": "Lambda", "value": v} for k, v in report["lambda"].items()]
    rows += [
        {"variable": k, "set by": "Lambda (the execution role's credentials)", "value": "present, not shown"}
        for k, present in report["credentials_present"].items()
        if present
    ]
    return pd.DataFrame(rows).set_index("variable")


# --- response shapes ------------------------------------------------------------------------------------------
def _get(url: str) -> tuple[int, str, list[str], str]:
    """(status, content type, every Set-Cookie header, body): http_call keeps only one Set-Cookie."""
    request = urllib.request.Request(url, headers={"User-Agent": "lambda-lab"})
    try:
        with open_url(request, timeout=30) as answer:
            return (
                answer.status,
                answer.headers.get("Content-Type", ""),
                answer.headers.get_all("Set-Cookie") or [],
                answer.read().decode(errors="replace"),
            )
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.headers.get("Content-Type", ""), [], err.read().decode(errors="replace")


def front_doors(dep: Deployment, rest: bool = True) -> dict[str, str]:
    """A REST API (unless ``rest=False``), an HTTP API and a function URL in front of one function: their URLs."""
    doors = {"REST API (payload 1.0)": rest_api(f"{dep.name}-rest", dep.arn)} if rest else {}
    doors["HTTP API (payload 2.0)"] = http_api(f"{dep.name}-http", dep.arn)
    doors["function URL (payload 2.0)"] = function_url(dep.name)
    return doors


def response_shapes(full: Deployment, bare: Deployment, path: str = "orders/42"):
    """Call the full-shape function through all three front doors and the bare one through the two
    payload 2.0 doors (the emulator's REST API would not show AWS's 502): one row per call."""
    import pandas as pd

    rows = []
    for dep, rest in ((full, True), (bare, False)):
        for door, url in front_doors(dep, rest).items():
            status, content_type, cookies, body = _get(url + path)
            rows.append(
                {
                    "function": dep.name,
                    "front door": door,
                    "status": status,
                    "content type": content_type,
                    "cookies": len(cookies),
                    "body": body[:90],
                }
            )
    return pd.DataFrame(rows).set_index(["function", "front door"])


# --- users_api: validation and status codes, raw and Powertools -------------------------------------------------
def users_requests(user_id: str) -> list[tuple[str, str, str, Any]]:
    """(what, method, path, body): the requests lesson 02 sends to both users APIs."""
    user = {"user_id": user_id, "name": "Ada Lovelace", "email": "ada@example.com"}
    return [
        ("create", "POST", "users", user),
        ("create again", "POST", "users", {**user, "name": "Mallory"}),
        ("broken JSON", "POST", "users", '{"user_id": '),
        ("not an object", "POST", "users", "[1, 2]"),
        ("unknown field", "POST", "users", {**user, "user_id": f"{user_id}-2", "role": "admin"}),
        ("bad e-mail", "POST", "users", {**user, "user_id": f"{user_id}-3", "email": "ada@"}),
        ("read it", "GET", f"users/{user_id}", None),
        ("no such user", "GET", "users/nobody-here", None),
        ("wrong method", "PUT", "users", {}),
        ("delete it", "DELETE", f"users/{user_id}", None),
    ]


def call_users_api(base_url: str, user_id: str):
    """Send :func:`users_requests` to one API; a table of status and body per request."""
    import pandas as pd

    rows = []
    for what, method, path, body in users_requests(user_id):
        answer = http_call(base_url + path, method, body)
        rows.append({"request": what, "call": f"{method} /{path}", "status": answer.status, "body": answer.body[:80]})
    return pd.DataFrame(rows).set_index("request")


# --- packaging, the import check and layers ------------------------------------------------------------------------
def write_module(name: str, source: str) -> Path:
    """A handler module written under the kit's home (``lessons/02/<name>.py``) for the lesson to deploy."""
    folder = lab_home() / "lessons" / "02"
    with writing(folder):
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.py"
        text = textwrap.dedent(source).lstrip()
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return path


VALIDATOR = '''
    """Validate an order against a JSON Schema with fastjsonschema (a third-party package)."""
    import fastjsonschema

    REQUIREMENTS = {requirements}
    check = fastjsonschema.compile({{"type": "object", "required": ["order_id"]}})


    def lambda_handler(event, context):
        check(event)
        return {{"valid": True, "validator": fastjsonschema.__name__}}
'''


def validator_module(declared: bool) -> Path:
    """The validator with ``fastjsonschema`` in its REQUIREMENTS, or forgotten."""
    requirements = '("fastjsonschema",)' if declared else "()"
    name = "validator_declared" if declared else "validator_forgot"
    return write_module(name, VALIDATOR.format(requirements=requirements))


def zip_contents(dep: Deployment):
    """The top-level entries of a deployed zip and their sizes."""
    import pandas as pd

    sizes: dict[str, int] = {}
    with zipfile.ZipFile(io.BytesIO(dep.package.zip_bytes)) as zf:
        for info in zf.infolist():
            top = info.filename.split("/")[0]
            sizes[top] = sizes.get(top, 0) + info.file_size
    return pd.DataFrame({"bytes unzipped": sizes}).sort_values("bytes unzipped", ascending=False)


def layer_zip(files: dict[str, str]) -> bytes:
    """A deterministic layer zip: ``{"python/greetings.py": "..."}``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    return buffer.getvalue()


def publish_layer(name: str, files: dict[str, str]) -> str:
    """Publish ``files`` as layer ``name`` unless its newest version already has them; the version's ARN."""
    lam = client("lambda")
    content = layer_zip(files)
    digest = base64.b64encode(hashlib.sha256(content).digest()).decode()
    versions = lam.list_layer_versions(LayerName=name).get("LayerVersions", [])
    for version in sorted(versions, key=lambda v: v["Version"], reverse=True)[:1]:
        detail = lam.get_layer_version_by_arn(Arn=version["LayerVersionArn"])
        if detail["Content"].get("CodeSha256") == digest:
            return version["LayerVersionArn"]
    published = lam.publish_layer_version(
        LayerName=name,
        Content={"ZipFile": content},
        CompatibleRuntimes=["python3.13"],
        Description="lambda-lab lesson 02",
    )
    return published["LayerVersionArn"]


GREETINGS_LAYER = {"python/greetings.py": 'def greet(name):\n    return f"Hello, {name}, from a layer"\n'}
LAYER_USER = '''
    """Imports greetings at module scope: it comes from a layer, not from this zip."""
    import greetings

    REQUIREMENTS = ()


    def lambda_handler(event, context):
        return {"greeting": greetings.greet(event.get("name", "you")), "imported_from": greetings.__file__}
'''


# --- logging: the seed's snippet, as written ---------------------------------------------------------------------
SEED_LOGGING = '''
    """The seed's "Error Handling" best practice, as the seed wrote it (process_request filled in)."""
    import json
    import logging

    logger = logging.getLogger()
    logger.setLevel(logging.INFO)

    REQUIREMENTS = ()


    def process_request(event):
        return {"total": sum(item["price"] for item in event["items"])}


    def lambda_handler(event, context):
        try:
            # Your function logic here
            result = process_request(event)

            return {
                'statusCode': 200,
                'body': json.dumps(result)
            }

        except ValueError as e:
            logger.error(f"Validation error: {str(e)}")
            return {
                'statusCode': 400,
                'body': json.dumps({'error': 'Invalid input'})
            }

        except Exception as e:
            logger.error(f"Unexpected error: {str(e)}")
            return {
                'statusCode': 500,
                'body': json.dumps({'error': 'Internal server error'})
            }
'''


def log_output(invocation) -> list[str]:
    """The function's own log lines of one invocation (without START, END and REPORT)."""
    block = invocation.logs()
    return block.output if block is not None else []


# --- showing code, and testing the core before anything is deployed ---------------------------------------------
def show_part(part: str):
    """The source of one function of ``reference_app.handlers.anatomy``, highlighted."""
    import inspect

    from IPython.display import Code

    from reference_app.handlers import anatomy

    return Code(inspect.getsource(getattr(anatomy, part)), language="python")


def core_unit_test():
    """``users_api.create_user(table, payload)`` called directly under moto: the pure core, tested
    before anything is deployed. One row per case: what was sent, what came back or was raised."""
    import boto3
    import pandas as pd

    from reference_app.handlers import users_api

    cases: list[tuple[str, dict[str, Any]]] = [
        ("a new user", {"user_id": "ada", "name": " Ada Lovelace ", "email": "ada@example.com"}),
        ("the same user_id", {"user_id": "ada", "name": "Mallory", "email": "m@example.com"}),
        ("user_id not a string", {"user_id": 7, "name": "Seven", "email": "s@example.com"}),
        ("a field too many", {"user_id": "bob", "name": "Bob", "email": "b@example.com", "role": "admin"}),
    ]
    rows = []
    with isolated_aws({}):
        resources.ensure_table(boto3.client("dynamodb", region_name="us-east-1"), "users", "unit-users")
        table = boto3.resource("dynamodb", region_name="us-east-1").Table("unit-users")
        for what, payload in cases:
            try:
                stored = users_api.create_user(table, payload, now="2026-11-28T12:00:00.000Z")
                rows.append({"case": what, "outcome": "stored", "status": 201, "detail": json.dumps(stored)})
            except users_api.ApiError as exc:
                rows.append(
                    {
                        "case": what,
                        "outcome": type(exc).__name__,
                        "status": exc.status,
                        "detail": json.dumps(exc.body()),
                    }
                )
        rows.append(
            {
                "case": "items in the table",
                "outcome": "",
                "status": "",
                "detail": json.dumps([i["name"] for i in table.scan()["Items"]]),
            }
        )
    return pd.DataFrame(rows).set_index("case")
