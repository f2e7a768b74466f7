"""The query parameters of the LRS's resources, each checked in one place: a parameter that is
missing, malformed, repeated or not one the resource knows is a 400 naming it (Communication
3.2.s3.b7 and b8: unknown parameters, and known ones in the wrong case, are refused)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from questpath.xapi.errors import XapiBadRequest
from questpath.xapi.validation import agent_violations, is_iri, is_uuid, parse_timestamp

RULE = "parameter"


def bad(field: str, message: str) -> XapiBadRequest:
    return XapiBadRequest.of(RULE, field, message)


def known_params(query: Iterable[tuple[str, str]], allowed: Iterable[str]) -> dict[str, str]:
    """The parameters by name, each sent once and each one the resource knows."""
    names = set(allowed)
    found: dict[str, str] = {}
    for name, value in query:
        if name not in names:
            allowed_names = ", ".join(sorted(names))
            raise XapiBadRequest.of(
                "parameter.unknown", name, f"is not a parameter of this resource ({allowed_names})"
            )
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
    if not is_iri(text):
        raise bad(field, "must be an IRI (an activity id with a scheme, such as http://…)")
    return text


def registration_param(text: str, field: str = "registration") -> str:
    """A UUID (a registration's, a statement's), lowercased."""
    if not is_uuid(text):
        raise bad(field, "must be a UUID")
    return text.lower()


def timestamp_param(text: str, field: str = "since") -> datetime:
    """An ISO 8601 timestamp; one without an offset is read as UTC."""
    moment = parse_timestamp(text)
    if moment is None:
        raise bad(field, "must be an ISO 8601 timestamp, such as 2026-12-04T19:00:00.000Z")
    return moment.astimezone(UTC)


def boolean_param(params: dict[str, str], field: str) -> bool:
    value = params.get(field, "false").lower()
    if value not in ("true", "false"):
        raise bad(field, "must be true or false")
    return value == "true"


def count_param(params: dict[str, str], field: str, default: int) -> int:
    if field not in params:
        return default
    text = params[field]
    if not text.isdigit():
        raise bad(field, "must be a whole number, 0 or more")
    return int(text)


def agent_param(text: str, field: str = "agent", *, groups: bool = False) -> dict[str, Any]:
    """The Agent (or, with `groups`, identified Group) of an `agent` parameter, as JSON, with
    exactly one inverse functional identifier of the right form. The document resources take
    Agents only: a Group or a Person is refused."""
    try:
        agent = json.loads(text)
    except ValueError as exc:
        raise bad(field, "must be an Agent object in JSON") from exc
    if not isinstance(agent, dict):
        raise bad(field, "must be an Agent object in JSON")
    if not groups and agent.get("objectType", "Agent") != "Agent":
        raise bad(field, "must be an Agent (objectType 'Agent'), not a Group or a Person")
    violations = agent_violations(agent, field)
    if violations:
        first = violations[0]
        raise XapiBadRequest.of(first.rule, first.field, first.message)
    return agent
