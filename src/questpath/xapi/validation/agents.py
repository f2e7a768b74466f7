"""Agents and Groups (xAPI Data 2.4.2): who did something, who taught, who asserts.

An Agent has exactly one inverse functional identifier (IFI); a Group says "objectType": "Group"
and is either anonymous (no IFI, a non-empty "member" list) or identified (exactly one IFI);
members are Agents, never Groups.
"""

from __future__ import annotations

from typing import Literal

from questpath.xapi.validation import checks as c
from questpath.xapi.validation.formats import is_mbox, is_sha1_hex, is_uri

Kind = Literal["Agent", "Group"]
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
AGENT_PROPERTIES = frozenset({"objectType", "name", *IFIS})
GROUP_PROPERTIES = AGENT_PROPERTIES | {"member"}


def actor(
    value: object,
    field: str,
    out: c.Out,
    *,
    what: str = "an Agent or Group",
    groups: bool = True,
) -> Kind | None:
    """Check an Agent or (when `groups`) a Group; return which it is, None if neither."""
    if not isinstance(value, dict):
        c.wrong_type(value, field, f"{what} (a JSON object)", out)
        return None
    kind = _kind(value, field, out)
    if kind == "Group" and not groups:
        message = f'{field} must be an Agent, not a Group ("objectType": "Group").'
        out.append(c.Violation("group.member-agent", c.at(field, "objectType"), message))
        return None
    allowed = GROUP_PROPERTIES if kind == "Group" else AGENT_PROPERTIES
    found = c.properties(value, field, out, what=f"an {kind}", allowed=allowed)
    if found is None:  # pragma: no cover - value is a dict here
        return None
    if "name" in found:
        c.string(found["name"], c.at(field, "name"), out)
    ifis = [key for key in IFIS if key in found]
    for key in ifis:
        _ifi(key, found[key], c.at(field, key), out)
    if kind == "Agent":
        if len(ifis) != 1:
            out.append(c.Violation("agent.one-ifi", field, _one_ifi("An Agent", ifis)))
        return kind
    if len(ifis) > 1:
        out.append(c.Violation("group.one-ifi", field, _one_ifi("An identified Group", ifis)))
    if "member" in found:
        _members(found["member"], c.at(field, "member"), out, anonymous=not ifis)
    elif not ifis and "member" not in value:
        message = (
            f"{field} is an anonymous Group (it has no mbox, mbox_sha1sum, openid or account), "
            'so it must list its Agents in "member".'
        )
        out.append(c.Violation("group.member-required", c.at(field, "member"), message))
    return kind


def identified(kind: Kind | None, value: object) -> bool:
    """Whether an actor already checked as `kind` carries an IFI."""
    return kind is not None and isinstance(value, dict) and any(key in value for key in IFIS)


def _kind(value: dict[str, object], field: str, out: c.Out) -> Kind:
    if "objectType" not in value:
        if "member" not in value:
            return "Agent"
        where = c.at(field, "objectType")
        message = f'{field} has "member", so it is a Group: it must say "objectType": "Group".'
        out.append(c.Violation("object-type-required", where, message))
        return "Group"
    object_type = value["objectType"]
    if object_type in ("Agent", "Group"):
        return "Group" if object_type == "Group" else "Agent"
    where = c.at(field, "objectType")
    if isinstance(object_type, str):
        got = c.shown(object_type)
        message = f'{where} must be "Agent" or "Group" (case-sensitive); got {got}.'
        out.append(c.Violation("object-type", where, message))
    elif object_type is not None:  # null is reported with the other properties
        c.wrong_type(object_type, where, 'the string "Agent" or "Group"', out)
    return "Group" if "member" in value else "Agent"


def _ifi(key: str, value: object, field: str, out: c.Out) -> None:
    if key == "mbox":
        c.formatted(
            value,
            field,
            out,
            rule="mbox",
            test=is_mbox,
            expected='a mailto IRI of one e-mail address, such as "mailto:learner@example.com"',
        )
    elif key == "mbox_sha1sum":
        c.formatted(
            value,
            field,
            out,
            rule="mbox-sha1sum",
            test=is_sha1_hex,
            expected="the hex-encoded SHA-1 of a mailto IRI (40 hexadecimal digits)",
        )
    elif key == "openid":
        c.formatted(
            value,
            field,
            out,
            rule="uri",
            test=is_uri,
            expected='a URI, such as "https://openid.example.org/learner"',
        )
    else:
        account = c.properties(
            value,
            field,
            out,
            what="an account",
            allowed=("homePage", "name"),
            required=("homePage", "name"),
        )
        if account is not None:
            if "homePage" in account:
                c.irl(account["homePage"], c.at(field, "homePage"), out)
            if "name" in account:
                c.string(account["name"], c.at(field, "name"), out)


def _members(value: object, field: str, out: c.Out, *, anonymous: bool) -> None:
    if not isinstance(value, list):
        c.wrong_type(value, field, "an array of Agents", out)
        return
    if anonymous and not value:
        message = f"{field} is empty; an anonymous Group must list at least one Agent."
        out.append(c.Violation("group.member-required", field, message))
    for index, member in enumerate(value):
        actor(member, c.item(field, index), out, what="an Agent", groups=False)


def _one_ifi(who: str, ifis: list[str]) -> str:
    found = ", ".join(f'"{key}"' for key in ifis) if ifis else "none"
    return (
        f"{who} must have exactly one inverse functional identifier "
        f'("mbox", "mbox_sha1sum", "openid" or "account"); found {found}.'
    )
