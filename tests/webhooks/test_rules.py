"""Which addresses deliveries may go to, the retry schedule, and the payload's shape."""

from __future__ import annotations

import ipaddress
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.progress.signals import Signal
from questpath.webhooks.rules import (
    FIRST_RETRY,
    LONGEST_WAIT,
    RETRY_WINDOW,
    payload,
    refusal,
    retry_at,
    url_problem,
)

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.255.254",
        "0.0.0.0",  # noqa: S104 - an address to refuse, not one to bind
        "10.0.0.1",
        "172.16.5.4",
        "192.168.0.1",
        "169.254.169.254",  # the cloud metadata service
        "100.64.0.1",  # carrier-grade NAT
        "192.0.2.10",  # documentation
        "198.18.0.1",  # benchmarking
        "224.0.0.1",  # multicast
        "255.255.255.255",
        "240.0.0.1",
        "::",
        "::1",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "2001:db8::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
    ],
)
def test_a_non_global_address_is_refused(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize(
    "address",
    [
        "93.184.216.34",
        "8.8.8.8",
        "1.1.1.1",
        "2606:4700::1111",
        "::ffff:93.184.216.34",
        "64:ff9b::5db8:d822",
        "2a00:1450:4001::200e",
    ],
)
def test_a_global_address_is_allowed(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


def test_a_refusal_says_what_kind_of_address_it_is() -> None:
    assert refusal(ipaddress.ip_address("::ffff:127.0.0.1")) == (
        "::ffff:7f00:1 (127.0.0.1) is a loopback address"
    )
    assert refusal(ipaddress.ip_address("169.254.169.254")) == (
        "169.254.169.254 is a link-local address"
    )


@given(st.ip_addresses())
def test_an_allowed_address_is_always_globally_routable(address: ipaddress.IPv4Address) -> None:
    if refusal(address) is None:
        assert address.is_global
        assert not address.is_multicast


@given(st.integers(0, 2**32 - 1))
def test_a_mapped_ipv4_address_is_judged_as_the_ipv4_one(number: int) -> None:
    v4 = ipaddress.IPv4Address(number)
    mapped = ipaddress.IPv6Address(f"::ffff:{v4}")
    assert (refusal(mapped) is None) == (refusal(v4) is None)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://example.org/hooks", None),
        ("http://example.org:8080/a?b=c", None),
        ("ftp://example.org/", "must be an http:// or https:// URL"),
        ("https://a:b@example.org/", "must not carry a user name or password"),
        ("https://example.org:99999/", "is not a valid URL"),
        ("https://example.org/#x", "must not have a #fragment"),
        ("https://", "must name a host"),
        ("https://example.org/" + "a" * 2000, "must be at most 2000 characters"),
    ],
)
def test_url_problems(url: str, problem: str | None) -> None:
    assert url_problem(url) == problem


@given(st.integers(1, 60), st.floats(0, 1, exclude_max=True))
def test_waits_double_up_to_two_hours_jittered_by_a_fifth(attempts: int, spread: float) -> None:
    at = retry_at(attempts, NOW, NOW + timedelta(days=30), spread)
    assert at is not None
    base = min(FIRST_RETRY * 2 ** min(attempts - 1, 20), LONGEST_WAIT)
    assert base * 0.8 <= at - NOW <= base * 1.2


@given(st.integers(1, 60), st.floats(0, 1, exclude_max=True), st.integers(0, 3 * 3600))
def test_no_retry_falls_past_the_window(attempts: int, spread: float, left: int) -> None:
    until = NOW + timedelta(seconds=left)
    at = retry_at(attempts, NOW, until, spread)
    assert at is None or at <= until


def test_a_whole_retry_series_spans_most_of_a_day() -> None:
    now, attempts = NOW, 1
    while (at := retry_at(attempts, now, NOW + RETRY_WINDOW, 0.5)) is not None:
        now, attempts = at, attempts + 1
    assert timedelta(hours=20) < now - NOW <= RETRY_WINDOW
    assert 15 <= attempts <= 25


def test_the_payload_is_the_standard_webhooks_shape_with_the_learner() -> None:
    user_id = uuid.UUID(int=3)
    body = payload(Signal(user_id, "level.changed", NOW, {"from": 1, "to": 2, "xp": 120}))
    assert json.loads(body) == {
        "type": "level.changed",
        "timestamp": "2026-05-01T12:00:00Z",
        "data": {"user_id": str(user_id), "from": 1, "to": 2, "xp": 120},
    }
