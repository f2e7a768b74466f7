"""Counting a request against a policy from a route, with the RateLimit fields on its answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated

from fastapi import Depends, Request, Response

from questpath.ratelimit.limiter import Limiter
from questpath.ratelimit.rules import Usage, limit_item, merge_list_header, policy_item


def limiter_of(request: Request) -> Limiter:
    limiter: Limiter = request.app.state.rate_limiter
    return limiter


async def get_limiter(request: Request) -> Limiter:  # async: FastAPI runs a sync one in a thread
    return limiter_of(request)


def client_address(request: Request) -> str:
    """The caller's address as the server sees it: behind a reverse proxy, the forwarded one
    only where uvicorn trusts the proxy (`questpath serve` turns on proxy_headers, and
    FORWARDED_ALLOW_IPS names the proxies)."""
    return request.client.host if request.client else "unknown"


def show_usage(response: Response, usage: Usage) -> None:
    """Add `usage` to the answer's RateLimit fields; a request under two policies shows both."""
    for name, value in (("RateLimit-Policy", policy_item(usage)), ("RateLimit", limit_item(usage))):
        response.headers[name] = merge_list_header(response.headers.get(name), value)


async def enforce(request: Request, response: Response | None, policy: str, caller: str) -> None:
    """Count the request under `policy` for `caller`: 429 when over, else its usage shown."""
    usage = await limiter_of(request).hit(policy, caller)
    if response is not None:
        show_usage(response, usage)


def admission(
    request: Request, response: Response | None, policy: str, caller: str
) -> Callable[[], Awaitable[None]]:
    """`enforce` to be run later, by a service at the point where the request starts to cost."""
    return partial(enforce, request, response, policy, caller)


LimiterDep = Annotated[Limiter, Depends(get_limiter)]
