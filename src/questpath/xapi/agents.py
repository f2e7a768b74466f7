"""Pure rules of xAPI agents: what identifies one (its inverse functional identifier)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

IFI_PROPERTIES = ("mbox", "mbox_sha1sum", "openid", "account")


def ifi(agent: Mapping[str, Any]) -> str | None:
    """The one string that identifies a valid Agent or identified Group, or None for an
    anonymous Group: `mbox:mailto:…`, `mbox_sha1sum:…`, `openid:…` or `account:<homePage> <name>`.
    Two agents are the same when their IFIs are equal (the spec compares IFIs exactly)."""
    if isinstance(mbox := agent.get("mbox"), str):
        return f"mbox:{mbox}"
    if isinstance(digest := agent.get("mbox_sha1sum"), str):
        return f"mbox_sha1sum:{digest.lower()}"
    if isinstance(openid := agent.get("openid"), str):
        return f"openid:{openid}"
    account = agent.get("account")
    if isinstance(account, Mapping):
        return f"account:{account.get('homePage')} {account.get('name')}"
    return None


def member_ifis(agent: Mapping[str, Any]) -> Iterator[str]:
    """The IFIs of an agent and, for a Group, of each identified member."""
    if (own := ifi(agent)) is not None:
        yield own
    members = agent.get("member")
    if agent.get("objectType") == "Group" and isinstance(members, list):
        for member in members:
            if isinstance(member, Mapping) and (found := ifi(member)) is not None:
                yield found
