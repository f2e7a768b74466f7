"""The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers), built from plain values.

`RateLimit-Policy: "writes";q=6000;w=60` states a quota of 6000 per 60-second window;
`RateLimit: "writes";r=0;t=12` says none is left and the window ends in 12 seconds. Both are
structured-field lists (RFC 9651) of a quoted policy name with integer parameters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Usage:
    """Where a caller stands under one policy: its quota per window and what is left of it."""

    policy: str
    quota: int
    window_seconds: int
    remaining: int
    reset_seconds: int


def sf_string(value: str) -> str:
    """`value` as a structured-field string: quoted, with `"` and `\\` escaped.

    Policy names are QuestPath's own words; the escaping keeps a header well-formed whatever a
    name holds. Characters outside printable ASCII cannot be sent and are refused."""
    if any(not (" " <= ch <= "~") for ch in value):
        raise ValueError(f"a policy name must be printable ASCII: {value!r}")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def policy_item(usage: Usage) -> str:
    return f"{sf_string(usage.policy)};q={usage.quota};w={usage.window_seconds}"


def limit_item(usage: Usage) -> str:
    return f"{sf_string(usage.policy)};r={max(0, usage.remaining)};t={max(0, usage.reset_seconds)}"


def seconds_until(moment: float, now: float) -> int:
    """Whole seconds from `now` until `moment`, rounded up so a client that waits them is late
    rather than early; 0 once it has passed."""
    return max(0, math.ceil(moment - now))


def retry_after(usage: Usage) -> int:
    """`Retry-After` of a refusal: when the window ends, and never 0 (which says "now")."""
    return max(1, usage.reset_seconds)


def rate_limit_headers(usages: list[Usage], *, refused: bool) -> dict[str, str]:
    """The headers of an answer under `usages`; a refusal (429) adds `Retry-After` for the
    first of them, the one that refused."""
    if not usages:
        return {}
    headers = {
        "RateLimit-Policy": ", ".join(policy_item(u) for u in usages),
        "RateLimit": ", ".join(limit_item(u) for u in usages),
    }
    if refused:
        headers["Retry-After"] = str(retry_after(usages[0]))
    return headers


def merge_list_header(existing: str | None, added: str) -> str:
    """Two values of one list-valued header as one value, as RFC 9110 allows."""
    return f"{existing}, {added}" if existing else added
