"""Calling the HTTP endpoints the kit creates (API Gateway stages, function URLs).

:func:`http_call` sends one request and returns ``(status, headers, body)``; 4xx
and 5xx answers are returned, not raised, so a test or a notebook can show them.
It goes through the kit's network guard (:func:`reference_app.lab.net.open_url`):
only this machine is called unless ``LAMBDA_LAB_ALLOW_REMOTE=1``, no proxy from
the environment is used and no redirect is followed. A host under ``.localhost``
or ``.localhost.localstack.cloud`` is sent to 127.0.0.1 with the original ``Host``
header, so AWS-shaped host names work without DNS.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any, NamedTuple

from .config import split_url
from .errors import LabError
from .net import open_url

USER_AGENT = "lambda-lab"


class HttpResponse(NamedTuple):
    """What :func:`http_call` got back; unpacks as ``status, headers, body``."""

    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def loopback_alias(host: str) -> bool:
    """Host names that always mean this machine but may not resolve offline."""
    host = host.lower()
    return host.endswith(".localhost") or host.endswith(".localhost.localstack.cloud")


def http_call(
    url: str,
    method: str = "GET",
    body: str | bytes | Mapping | list | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> HttpResponse:
    """Send one HTTP request to a local endpoint and return ``(status, headers, body)``.

    A dict or list ``body`` is sent as JSON.
    """
    parts = split_url(url)  # one strict reading: refuses user info, backslashes, odd hosts
    send_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    if loopback_alias(parts.host):
        send_headers.setdefault("Host", parts.origin.split("://", 1)[1])
        url = f"{parts.scheme}://127.0.0.1" + (f":{parts.port}" if parts.port else "") + parts.rest
    else:
        url = parts.origin + parts.rest  # rebuilt from the parts that were checked
    data: bytes | None
    if isinstance(body, (Mapping, list)):
        data = json.dumps(body).encode()
        if not any(k.lower() == "content-type" for k in send_headers):
            send_headers["Content-Type"] = "application/json"
    elif isinstance(body, str):
        data = body.encode()
    else:
        data = body
    request = urllib.request.Request(url, data=data, headers=send_headers, method=method.upper())
    try:
        with open_url(request, timeout=timeout) as resp:
            return HttpResponse(resp.status, dict(resp.headers.items()), resp.read().decode(errors="replace"))
    except urllib.error.HTTPError as err:
        with err:
            return HttpResponse(err.code, dict(err.headers.items()), err.read().decode(errors="replace"))
    except (TimeoutError, urllib.error.URLError, ConnectionError) as err:
        reason = getattr(err, "reason", err)
        raise LabError(
            f"Nothing answered {method.upper()} {url} ({reason}); is the emulator running (`lambda-lab up`)?"
        ) from None
