"""How the OpenAPI document declares a rate-limited operation's 429 and its header fields."""

from __future__ import annotations

from typing import Any

HEADERS: dict[str, Any] = {
    "Retry-After": {
        "description": "seconds until the limit's window ends",
        "schema": {"type": "integer", "minimum": 1},
    },
    "RateLimit-Policy": {
        "description": 'the limit, e.g. `"writes";q=6000;w=60`: q requests per w seconds '
        "(draft-ietf-httpapi-ratelimit-headers)",
        "schema": {"type": "string"},
    },
    "RateLimit": {
        "description": 'what is left, e.g. `"writes";r=0;t=12`: r requests for the next t seconds',
        "schema": {"type": "string"},
    },
}

# `responses={429: RATE_LIMITED}`
RATE_LIMITED: dict[str, Any] = {
    "description": "rate limited: wait the seconds Retry-After gives; docs/rate-limits.md lists "
    "the limits",
    "headers": HEADERS,
}
