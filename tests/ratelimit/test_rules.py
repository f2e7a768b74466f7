"""The RateLimit header fields, built from plain values."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.ratelimit.rules import (
    Usage,
    limit_item,
    merge_list_header,
    policy_item,
    rate_limit_headers,
    retry_after,
    seconds_until,
    sf_string,
)

# RFC 9651: sf-string = DQUOTE *( unescaped / "\" ( DQUOTE / "\" ) ) DQUOTE
SF_STRING = r'"((?:[ !#-\[\]-~]|\\["\\])*)"'
ITEM = re.compile(SF_STRING + r"((?:;[a-z][a-z0-9_.*-]*=\d+)*)")

names = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=20)
usages = st.builds(
    Usage,
    policy=names,
    quota=st.integers(1, 10**9),
    window_seconds=st.integers(1, 10**7),
    remaining=st.integers(-5, 10**9),
    reset_seconds=st.integers(-5, 10**7),
)


def parse_item(text: str) -> tuple[str, dict[str, int]]:
    match = ITEM.fullmatch(text)
    assert match, text
    name = re.sub(r"\\(.)", r"\1", match.group(1))
    params = dict(p.split("=") for p in match.group(2).split(";")[1:])
    return name, {k: int(v) for k, v in params.items()}


@given(usages)
def test_a_policy_item_reads_back_as_its_name_quota_and_window(usage: Usage) -> None:
    assert parse_item(policy_item(usage)) == (
        usage.policy,
        {"q": usage.quota, "w": usage.window_seconds},
    )


@given(usages)
def test_a_limit_item_reads_back_with_remaining_and_reset_never_negative(usage: Usage) -> None:
    name, params = parse_item(limit_item(usage))
    assert name == usage.policy
    assert params == {"r": max(0, usage.remaining), "t": max(0, usage.reset_seconds)}


@given(st.lists(usages, min_size=1, max_size=4), st.booleans())
def test_headers_list_every_policy_and_a_refusal_says_when_to_retry(
    listed: list[Usage], refused: bool
) -> None:
    headers = rate_limit_headers(listed, refused=refused)
    assert headers["RateLimit-Policy"] == ", ".join(policy_item(u) for u in listed)
    assert headers["RateLimit"] == ", ".join(limit_item(u) for u in listed)
    if refused:
        assert int(headers["Retry-After"]) == max(1, listed[0].reset_seconds)
    else:
        assert "Retry-After" not in headers


def test_no_policy_no_headers() -> None:
    assert rate_limit_headers([], refused=False) == {}


@given(st.floats(1.5e9, 2.5e9), st.integers(-(10**9), 10**9))
def test_seconds_until_rounds_up_and_never_goes_below_zero(now: float, millis: int) -> None:
    moment = now + millis / 1000  # epoch seconds, as `limits` gives them
    seconds = seconds_until(moment, now)
    assert seconds >= 0
    assert seconds >= moment - now
    assert seconds < max(0, moment - now) + 1


@given(usages)
def test_retry_after_is_never_zero(usage: Usage) -> None:
    assert retry_after(usage) >= 1


@pytest.mark.parametrize("name", ["caf\u00e9", "tab\there", "new\nline"])
def test_a_name_a_header_cannot_carry_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="printable ASCII"):
        sf_string(name)


def test_list_values_merge_with_a_comma() -> None:
    assert merge_list_header(None, '"a";q=1;w=2') == '"a";q=1;w=2'
    assert merge_list_header('"a";q=1;w=2', '"b";q=3;w=4') == '"a";q=1;w=2, "b";q=3;w=4'
