"""Webhook rules with no I/O: which addresses may be called, when to try again, what is sent.

Addresses: only globally routable ones, unless the operator allows private ones. An IPv6
address that carries an IPv4 one (mapped, NAT64, 6to4, Teredo) is judged by the IPv4 address
it reaches, so `::ffff:127.0.0.1` is loopback like `127.0.0.1`.
"""

from __future__ import annotations

import ipaddress
import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from questpath.progress.signals import Signal

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

RETRY_WINDOW = timedelta(hours=24)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=2)
JITTER = 0.2  # each wait is spread by ±20 %, so endpoints that fail together retry apart
MAX_URL_LENGTH = 2000
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def reached_ipv4(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one leads to, when it embeds one; else the address itself."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return address


def refusal(address: IPAddress) -> str | None:
    """Why a delivery may not go to `address`, or None when it is globally routable."""
    reached = reached_ipv4(address)
    name = str(address) if reached == address else f"{address} ({reached})"
    for check, what in (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_private", "private"),
        ("is_multicast", "multicast"),
        ("is_reserved", "reserved"),
    ):
        if getattr(reached, check):
            return f"{name} is a {what} address"
    if not reached.is_global:
        return f"{name} is not a globally routable address"
    return None


def url_problem(url: str) -> str | None:
    """What is wrong with `url` as a webhook endpoint, before any address is looked up."""
    if len(url) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "must be an http:// or https:// URL"
    if not parts.hostname:
        return "must name a host"
    if parts.username is not None or parts.password is not None:
        return "must not carry a user name or password"
    if port == 0:
        return "must not use port 0"
    if parts.fragment:
        return "must not have a #fragment"
    return None


def literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def retry_at(attempts: int, now: datetime, retry_until: datetime, spread: float) -> datetime | None:
    """When to try again after the `attempts`-th failed attempt, or None when that would fall
    past the retry window. Waits double from 30 s up to 2 h; `spread` in [0, 1) picks the
    jitter."""
    wait = min(FIRST_RETRY * 2 ** min(attempts - 1, 20), LONGEST_WAIT)
    wait *= 1 + JITTER * (2 * spread - 1)
    at = now + wait
    return at if at <= retry_until else None


def payload(signal: Signal) -> str:
    """The body of a delivery, in the Standard Webhooks shape: type, timestamp, data."""
    body: dict[str, Any] = {
        "type": signal.type,
        "timestamp": signal.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": {"user_id": str(signal.user_id), **signal.data},
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True)


def message_id(delivery_id: str) -> str:
    """The `webhook-id`: the same for every attempt of one delivery, so receivers can dedupe."""
    return f"msg_{delivery_id.replace('-', '')}"
