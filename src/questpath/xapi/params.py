"""The query parameters of the LRS's resources, each checked in one place: a parameter that is
missing, malformed, repeated or not one the resource knows is a 400 naming it (Communication
3.2.s3.b7 and b8: unknown parameters, and known ones in the wrong case, are refused)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from questpath.xapi.agents import IFI_PROPERTIES
from questpath.xapi.errors import XapiBadRequest

RULE = "parameter"
# An IRI has a scheme: "1", "true" and "undefined" are not activity ids.
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
SHA1_HEX = re.compile(r"^[0-9a-fA-F]{40}$")
TIMESTAMP = re.compile(
    r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$"
)


def bad(field: str, message: str) -> XapiBadRequest:
    return XapiBadRequest.of(RULE, field, message)


def known_params(query: Iterable[tuple[str, str]], allowed: Iterable[str]) -> dict[str, str]:
    """The parameters by name, each sent once and each one the resource knows."""
    names = set(allowed)
    found: dict[str, str] = {}
    for name, value in query:
        if name not in names:
            raise bad(name, f"is not a parameter of this resource ({', '.join(sorted(names))})")
        if name in found:
            raise bad(name, "is sent more than once")
        found[name] = value
    return found


def required(params: dict[str, str], field: str) -> str:
    value = params.get(field)
    if value is None or value == "":
        raise bad(field, "is required")
    return value


def activity_id_param(text: str, field: str = "activityId") -> str:
    if not IRI.match(text):
        raise bad(field, "must be an IRI (an activity id with a scheme, such as http://…)")
    return text


def registration_param(text: str, field: str = "registration") -> str:
    if not UUID.match(text):
        raise bad(field, "must be a UUID")
    return text.lower()


def timestamp_param(text: str, field: str = "since") -> datetime:
    """An ISO 8601 timestamp; one without an offset is read as UTC."""
    found = TIMESTAMP.match(text)
    if found is None:
        raise bad(field, "must be an ISO 8601 timestamp, such as 2026-12-04T19:00:00.000Z")
    day, clock, fraction, offset = found.groups()
    if len(clock) == 5:
        clock += ":00"
    micros = f".{(fraction or '0')[:6].ljust(6, '0')}"
    zone = "+00:00" if offset in (None, "Z") else offset
    if len(zone) == 3:
        zone += ":00"
    elif ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    try:
        return datetime.fromisoformat(f"{day}T{clock}{micros}{zone}").astimezone(UTC)
    except ValueError as exc:
        raise bad(field, "is not a valid date and time") from exc


def agent_param(text: str, field: str = "agent") -> dict[str, Any]:
    """The Agent object of an `agent` parameter: JSON, an object, an Agent (not a Group or a
    Person), and exactly one inverse functional identifier of the right form."""
    try:
        agent = json.loads(text)
    except ValueError as exc:
        raise bad(field, "must be an Agent object in JSON") from exc
    if not isinstance(agent, dict):
        raise bad(field, "must be an Agent object in JSON")
    if agent.get("objectType", "Agent") != "Agent":
        raise bad(field, "must be an Agent (objectType 'Agent'), not a Group or a Person")
    present = [key for key in IFI_PROPERTIES if key in agent]
    if len(present) != 1:
        raise bad(
            field,
            f"must have exactly one identifier of {', '.join(IFI_PROPERTIES)} (has {len(present)})",
        )
    problem = _ifi_problem(present[0], agent[present[0]])
    if problem:
        raise bad(f"{field}.{present[0]}", problem)
    if "name" in agent and not isinstance(agent["name"], str):
        raise bad(f"{field}.name", "must be a string")
    return agent


def _ifi_problem(key: str, value: Any) -> str | None:
    if key == "mbox":
        ok = isinstance(value, str) and value.startswith("mailto:") and len(value) > 7
        return None if ok else "must be a mailto: IRI"
    if key == "mbox_sha1sum":
        ok = isinstance(value, str) and SHA1_HEX.match(value) is not None
        return None if ok else "must be the SHA-1 hex of a mailto: IRI"
    if key == "openid":
        return None if isinstance(value, str) and IRI.match(value) else "must be a URI"
    if not isinstance(value, dict):
        return "must be an object with homePage and name"
    if not (isinstance(value.get("homePage"), str) and IRI.match(value["homePage"])):
        return "must have a homePage IRI"
    if not isinstance(value.get("name"), str):
        return "must have a name"
    return None
