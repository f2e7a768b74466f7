"""Sending one delivery: resolve the host, check the address, and POST the signed payload to
that very address (no second lookup that DNS could answer differently), with the host's name
in the Host header and TLS SNI, so virtual hosts and certificates still work."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

import httpx
from standardwebhooks import Webhook

from questpath.webhooks.rules import IPAddress, literal_address, refusal

Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]
MAX_ERROR_LENGTH = 500


class AddressRefused(Exception):
    """The endpoint's host is (or resolves to) an address deliveries may not go to."""


async def resolve(host: str, port: int) -> list[IPAddress]:
    """The addresses `host` resolves to now (a literal address is itself)."""
    if (literal := literal_address(host)) is not None:
        return [literal]
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).partition("%")[0]) for info in infos]


async def checked_address(url: str, allow_private: bool, resolver: Resolver) -> IPAddress:
    """The address to deliver to: the first the host resolves to that may be called. Raise
    `AddressRefused` when none may, or `OSError` when the host does not resolve."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = await resolver(host, port)
    if not addresses:
        raise OSError(f"{host} resolves to no address")
    if allow_private:
        return addresses[0]
    reasons = []
    for address in addresses:
        reason = refusal(address)
        if reason is None:
            return address
        reasons.append(reason)
    raise AddressRefused(f"refused: {host} resolves to {'; '.join(reasons)}")


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def summary(self) -> str:
        return f"HTTP {self.status_code}" if self.status_code is not None else str(self.error)


def signed_headers(secret: str, message_id: str, at: datetime, body: str) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
        "content-type": "application/json",
        "user-agent": "QuestPath-Webhooks/1",
    }


async def send(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    body: str,
    *,
    allow_private: bool,
    resolver: Resolver,
) -> Outcome:
    """POST `body` to `url`; never raises for what the endpoint or the network does."""
    started = time.monotonic()
    try:
        address = await checked_address(url, allow_private, resolver)
        parts = urlsplit(url)
        host = f"[{address}]" if address.version == 6 else str(address)
        netloc = f"{host}:{parts.port}" if parts.port else host
        target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
        sent = {**headers, "host": parts.netloc}
        response = await client.post(
            target, content=body.encode(), headers=sent, extensions=extensions
        )
        return Outcome(response.status_code, None, _since(started))
    except AddressRefused as exc:
        return Outcome(None, str(exc)[:MAX_ERROR_LENGTH], _since(started))
    except httpx.TimeoutException:
        return Outcome(None, "timed out", _since(started))
    except (httpx.HTTPError, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return Outcome(None, error[:MAX_ERROR_LENGTH], _since(started))


def _since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
