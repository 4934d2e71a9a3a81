"""The rules copied between handlers stay equal: each copy must accept exactly the same strings.

Each handler is packaged alone, so the user-id rule (``users_api``, ``users_api_powertools``,
``s3_processor``'s import schema, ``csv_import``, the ``order_id`` of ``queue_worker``,
``order_saga`` and ``fulfilment``) and the e-mail rule (``users_api``, ``users_api_powertools``,
``s3_processor``, ``csv_import``)
are copies, written in three regex dialects (Python ``re``, pydantic's Rust regex, JSON
Schema through fastjsonschema). Comparing their text would miss what matters, so every copy
is driven through the handler's own validation, with everything else in the input valid,
on hand-picked edge cases and on generated strings; all copies must give the same verdict.
A last test finds the copies by their text in the handler sources, so a new copy cannot be
added without being registered here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources as importlib_resources

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from reference_app.handlers import (
    csv_import,
    fulfilment,
    order_saga,
    queue_worker,
    s3_processor,
    users_api,
    users_api_powertools,
)
from reference_app.lab import resources

VALID_USER = {"user_id": "u-1", "name": "Ada", "email": "ada@example.com"}


def _users_api(field: str) -> Callable[[str], bool]:
    def accepts(value: str) -> bool:
        try:
            users_api.validate_new_user({**VALID_USER, field: value})
        except users_api.InvalidRequest:
            return False
        return True

    return accepts


def _powertools(field: str) -> Callable[[str], bool]:
    def accepts(value: str) -> bool:
        try:
            users_api_powertools.NewUser.model_validate({**VALID_USER, field: value})
        except ValidationError:
            return False
        return True

    return accepts


def _s3_import(field: str) -> Callable[[str], bool]:
    def accepts(value: str) -> bool:
        try:
            document = json.dumps({"users": [{**VALID_USER, field: value}]}).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate cannot be in a UTF-8 file at all
            return False
        status, _ = s3_processor.check_json_document(document)
        return status == "processed"

    return accepts


def _queue_worker_order_id(value: str) -> bool:
    order = {"order_id": value, "customer_id": "c-1", "amount_cents": 100, "currency": "EUR"}
    try:
        queue_worker.Order.model_validate(order)
    except ValidationError:
        return False
    return True


def _order_saga_order_id(value: str) -> bool:
    order = {
        "order_id": value,
        "customer_id": "c-1",
        "amount_cents": 100,
        "currency": "EUR",
        "country": "DE",
        "items": [{"sku": "SKU-1", "quantity": 1}],
    }
    try:
        order_saga.parse_order(order)
    except order_saga.InvalidOrder:
        return False
    return True


def _fulfilment_order_id(value: str) -> bool:
    order = {"order_id": value, "customer_id": "c-1", "country": "DE", "items": [{"sku": "SKU-1", "quantity": 1}]}
    try:
        fulfilment.shipment_for(order)
    except fulfilment.UnusableOrder:
        return False
    return True


def _csv_import(field: str) -> Callable[[str], bool]:
    def accepts(value: str) -> bool:
        try:
            csv_import.validate_user(**{**VALID_USER, field: value})
        except csv_import.RowRefused:
            return False
        return True

    return accepts


USER_ID_COPIES: dict[str, Callable[[str], bool]] = {
    "users_api": _users_api("user_id"),
    "users_api_powertools": _powertools("user_id"),
    "s3_processor": _s3_import("user_id"),
    "queue_worker": _queue_worker_order_id,
    "order_saga": _order_saga_order_id,
    "fulfilment": _fulfilment_order_id,
    "csv_import": _csv_import("user_id"),
}
EMAIL_COPIES: dict[str, Callable[[str], bool]] = {
    "users_api": _users_api("email"),
    "users_api_powertools": _powertools("email"),
    "s3_processor": _s3_import("email"),
    "csv_import": _csv_import("email"),
}
RULES = {"user id": USER_ID_COPIES, "e-mail": EMAIL_COPIES}


def verdicts(copies: dict[str, Callable[[str], bool]], value: str) -> dict[str, bool]:
    return {name: accepts(value) for name, accepts in copies.items()}


def assert_copies_agree(rule: str, value: str) -> None:
    seen = verdicts(RULES[rule], value)
    assert len(set(seen.values())) == 1, f"the {rule} copies disagree on {value!r}: {seen}"


# --- hand-picked edges -----------------------------------------------------------------------------------
USER_IDS = {
    "u-1": True,
    "A": True,
    "9_lives": True,
    "a" * 64: True,
    "a" * 65: False,
    "": False,
    "-u": False,
    "_u": False,
    "u.1": False,
    "u 1": False,
    "u/1": False,
    "../etc": False,
    "u-1\n": False,  # "$" matches before a trailing newline in Python's re (not in fullmatch)
    "\nu-1": False,
    "u-1\r": False,
    "\u00fc": False,  # "ü": \w would take it; the rule is ASCII
    "\uff41": False,  # fullwidth "a"
    "\u0661": False,  # Arabic-Indic digit one
    "\ud800": False,  # lone surrogate
}
EMAILS = {
    "ada@example.com": True,
    "a@b": True,  # WHATWG: a dotless host is valid
    "a.b+tag@sub.example.co": True,
    "!#$%&'*+/=?^_`{|}~-@example.com": True,
    "a@" + "b" * 63 + ".com": True,  # a 63-character label
    "a@" + "b" * 64 + ".com": False,  # labels are at most 63 characters
    "a" * 242 + "@example.com": True,  # 254 characters
    "a" * 243 + "@example.com": False,  # 255
    "ada": False,
    "ada@": False,
    "@example.com": False,
    "ada @example.com": False,
    "ada@example..com": False,
    "ada@-example.com": False,
    "ada@example-.com": False,
    "ada@exa_mple.com": False,
    '"ada"@example.com': False,
    "ada@example.com\n": False,
    "ad\u00e4@example.com": False,
    "ada@ex\u00e4mple.com": False,
    "ada@example.com\ud800": False,
}


@pytest.mark.parametrize(("value", "valid"), USER_IDS.items(), ids=repr)
def test_user_id_copies_agree_on_edges(value, valid):
    assert verdicts(USER_ID_COPIES, value) == dict.fromkeys(USER_ID_COPIES, valid)


@pytest.mark.parametrize(("value", "valid"), EMAILS.items(), ids=lambda v: repr(v)[:40])
def test_email_copies_agree_on_edges(value, valid):
    assert verdicts(EMAIL_COPIES, value) == dict.fromkeys(EMAIL_COPIES, valid)


# --- generated strings ----------------------------------------------------------------------------------
def near(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Valid strings, and valid strings with one character inserted, replaced or appended."""
    edits = st.tuples(strategy, st.integers(min_value=0, max_value=300), st.characters(exclude_categories=()))
    return st.one_of(
        strategy,
        edits.map(lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :]),
        edits.map(lambda t: t[0][: t[1]] + t[2] + t[0][t[1] + 1 :]),
        strategy.map(lambda s: s + "\n"),
    )


user_id_like = near(st.from_regex(users_api.USER_ID_PATTERN, fullmatch=True))
email_like = near(st.one_of(st.emails(), st.from_regex(users_api.EMAIL_PATTERN, fullmatch=True)))
any_text = st.text(alphabet=st.characters(exclude_categories=()), max_size=80)


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(user_id_like, any_text))
@example(value="a" * 64 + "\n")
def test_user_id_copies_agree_on_generated_strings(value):
    assert_copies_agree("user id", value)


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(email_like, any_text))
@example(value="a@b.c\n")
def test_email_copies_agree_on_generated_strings(value):
    assert_copies_agree("e-mail", value)


# --- every copy is registered above ---------------------------------------------------------------------
# Text each copy contains whatever its dialect: the user-id tail and the e-mail label rule.
FINGERPRINTS = {"user id": "[A-Za-z0-9_-]{0,63}", "e-mail": "[A-Za-z0-9-]{0,61}"}


def handler_source(name: str) -> str:
    return importlib_resources.files("reference_app.handlers").joinpath(f"{name}.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_copy_in_the_handlers_is_compared(rule):
    names = sorted({*resources.HANDLER_ENVIRONMENT, "order_saga"})
    holding = {name for name in names if FINGERPRINTS[rule] in handler_source(name)}
    assert holding == set(RULES[rule]), f"register the {rule} copies in {__name__}: {sorted(holding)}"
