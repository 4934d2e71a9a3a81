"""Issue 17.1: the kit reads a URL once, strictly; what it accepts, every parser reads the same way."""

import ipaddress
from urllib.parse import urlsplit

import urllib3.util
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reference_app.lab.config import resolve_backend, split_url
from reference_app.lab.errors import LabError

PIECES = ["http://", "https://", "127.0.0.1", "10.0.0.1", "localhost", "@", "\\", ":", "4566", "/", "%2f", "%31",
          ".", "[", "]", "::1", "::ffff:", "0x7f", "#", "?", " ", "\t", "user", "ⓛ", "LOCALHOST", "017700000001"]


@example("http://[::ffff:127.0.0.1]:4566")
@example("http://[0:0::1]:1/x")
@example("http://10.0.0.1\\@127.0.0.1:4566")
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=9).map("".join))
@settings(max_examples=400, deadline=None)
def test_an_accepted_url_has_one_host_for_every_parser(url):
    try:
        parts = split_url(url)
    except LabError:
        return
    assert _same_host(urlsplit(url).hostname or "", parts.host)
    assert _same_host((urllib3.util.parse_url(url).host or "").strip("[]").lower(), parts.host)


def _same_host(seen: str, checked: str) -> bool:
    try:  # an IPv6 address may be written several ways: compare the addresses
        return ipaddress.ip_address(seen) == ipaddress.ip_address(checked)
    except ValueError:
        return seen == checked


def test_the_endpoint_is_rebuilt_from_the_parts_that_were_checked():
    assert resolve_backend("HTTP://LOCALHOST:4566/").endpoint == "http://localhost:4566"
    assert resolve_backend("http://[::1]:4566").endpoint == "http://[::1]:4566"
