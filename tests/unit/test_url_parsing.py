"""Issue 17.1: the kit reads a URL once, strictly; what it accepts, every parser reads the same way."""

import ipaddress
from urllib.parse import urlsplit

import pytest
import urllib3.util
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reference_app.lab.config import resolve_backend, split_url
from reference_app.lab.errors import LabError

PIECES = [
    "http://",
    "https://",
    "127.0.0.1",
    "10.0.0.1",
    "localhost",
    "@",
    "\\",
    ":",
    "4566",
    "/",
    "%2f",
    "%31",
    ".",
    "[",
    "]",
    "::1",
    "::ffff:",
    "0x7f",
    "#",
    "?",
    " ",
    "\t",
    "user",
    "ⓛ",
    "LOCALHOST",
    "017700000001",
]


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


def test_a_refused_url_is_quoted_as_the_user_typed_it():
    # GIVEN a URL with a backslash (refused: parsers disagree on it)
    with pytest.raises(LabError) as refused:
        split_url("http://10.0.0.1\\@127.0.0.1:4566")
    # THEN the sentence shows one backslash, as typed, not repr's two
    assert "'http://10.0.0.1\\@127.0.0.1:4566'" in str(refused.value) and "\\\\" not in str(refused.value)


@pytest.mark.parametrize(
    ("typed", "shown"), [("http://127.0.0.1\n:4566", "'http://127.0.0.1\\n:4566'"), ("em\tbed\\x", "'em\\tbed\\x'")]
)
def test_an_unprintable_character_is_shown_as_its_escape_so_the_sentence_stays_one_line(typed, shown):
    with pytest.raises(LabError) as refused:
        resolve_backend(typed)
    assert shown in str(refused.value) and "\n" not in str(refused.value) and "\t" not in str(refused.value)
