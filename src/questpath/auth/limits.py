"""Rate limits per caller: an API key counts for itself, a person for all their tokens and
browser sessions together."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute

from questpath.auth.dependencies import CurrentPrincipal, SignedIn
from questpath.auth.principal import Principal
from questpath.dependencies import READ_METHODS
from questpath.ratelimit.dependencies import enforce
from questpath.ratelimit.limiter import WRITES


def caller_key(principal: Principal) -> str:
    if principal.api_key is not None:
        return f"key:{principal.api_key.id}"
    return f"user:{principal.user.id}"


class LimitedPerCaller:
    """A route dependency counting each call of an API caller under `policy`, and showing
    the caller's usage in the RateLimit fields of the answer."""

    def __init__(self, policy: str) -> None:
        self.policy = policy

    async def __call__(
        self, request: Request, response: Response, principal: CurrentPrincipal
    ) -> None:
        await enforce(request, response, self.policy, caller_key(principal))


class LimitedPerPerson:
    """`LimitedPerCaller` for pages: the signed-in person, counted with their API calls."""

    def __init__(self, policy: str) -> None:
        self.policy = policy

    async def __call__(self, request: Request, principal: SignedIn) -> None:
        await enforce(request, None, self.policy, caller_key(principal))


class WriteLimitedRoute(APIRoute):
    """A route that counts each call under the writes policy, per caller, when it may write:
    `APIRouter(route_class=WriteLimitedRoute)` limits every write operation of a router."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if set(kwargs.get("methods") or ()) - READ_METHODS:
            counted = Depends(LimitedPerCaller(WRITES))
            kwargs["dependencies"] = [counted, *(kwargs.get("dependencies") or ())]
        super().__init__(path, endpoint, **kwargs)


def rate_limited(route: APIRoute) -> bool:
    """Whether a route counts its calls per caller (for its 429 in the OpenAPI document)."""
    return any(
        isinstance(dependency.call, LimitedPerCaller) for dependency in route.dependant.dependencies
    )
