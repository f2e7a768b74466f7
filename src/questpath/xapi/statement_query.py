"""The statements resource's GET parameters, checked: a 400 names each one that is wrong."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from questpath.xapi import validation
from questpath.xapi.agents import ifi
from questpath.xapi.errors import XapiBadRequest
from questpath.xapi.formats import Format
from questpath.xapi.statement_store import Filters
from questpath.xapi.terms import term

MAX_LIMIT = 500
DEFAULT_LIMIT = 100  # a page when `limit` is not given; 0 asks for MAX_LIMIT
SINGLE = ("statementId", "voidedStatementId")
SINGLE_EXTRAS = ("attachments", "format")
FILTERS = (
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "ascending",
    "cursor",
)
KNOWN = (*SINGLE, *SINGLE_EXTRAS, *FILTERS)
FORMATS: tuple[Format, ...] = ("exact", "ids", "canonical")


@dataclass(frozen=True)
class StatementQuery:
    statement_id: uuid.UUID | None = None
    voided: bool = False
    filters: Filters = field(default_factory=Filters)
    limit: int = MAX_LIMIT
    form: Format = "exact"
    attachments: bool = False


def parse(params: Mapping[str, str]) -> StatementQuery:
    unknown = [name for name in params if name not in KNOWN]
    if unknown:
        raise XapiBadRequest.of(
            "parameter.unknown", unknown[0], "is not a parameter of GET /statements"
        )
    form = params.get("format", "exact")
    if form not in FORMATS:
        raise XapiBadRequest.of("parameter", "format", "must be ids, exact or canonical")
    attachments = _boolean(params, "attachments")
    singles = [name for name in SINGLE if name in params]
    if singles:
        others = [n for n in params if n not in (*SINGLE_EXTRAS, singles[0])]
        if others:
            raise XapiBadRequest.of(
                "parameter.single",
                others[0],
                f"cannot be sent with {singles[0]}, which asks for one statement",
            )
        return StatementQuery(
            statement_id=_uuid(params, singles[0]),
            voided=singles[0] == "voidedStatementId",
            form=form,
            attachments=attachments,
        )
    terms: list[tuple[str, bool]] = []
    if "agent" in params:
        terms.append((term("agent", _agent(params["agent"])), _boolean(params, "related_agents")))
    if "verb" in params:
        terms.append((term("verb", _iri(params, "verb")), False))
    if "activity" in params:
        activity = _iri(params, "activity")
        terms.append((term("activity", activity), _boolean(params, "related_activities")))
    if "registration" in params:
        terms.append((term("registration", str(_uuid(params, "registration"))), False))
    limit = _integer(params, "limit", DEFAULT_LIMIT)
    return StatementQuery(
        filters=Filters(
            terms=tuple(terms),
            since=_timestamp(params, "since"),
            until=_timestamp(params, "until"),
            after_seq=_integer(params, "cursor", None),
            ascending=_boolean(params, "ascending"),
        ),
        limit=MAX_LIMIT if limit == 0 else min(limit, MAX_LIMIT),
        form=form,
        attachments=attachments,
    )


def _agent(text: str) -> str:
    try:
        agent: Any = json.loads(text)
    except ValueError as exc:
        raise XapiBadRequest.of("parameter", "agent", "must be an Agent or Group as JSON") from exc
    violations = validation.agent_violations(agent, "agent")
    if violations:
        first = violations[0]
        raise XapiBadRequest.of(first.rule, first.field, first.message)
    found = ifi(agent) if isinstance(agent, dict) else None
    if found is None:
        raise XapiBadRequest.of(
            "agent.ifi", "agent", "must carry one identifier: mbox, mbox_sha1sum, openid or account"
        )
    return found


def _iri(params: Mapping[str, str], name: str) -> str:
    value = params[name]
    if not value or ":" not in value:
        raise XapiBadRequest.of("iri", name, "must be an IRI")
    return value


def _uuid(params: Mapping[str, str], name: str) -> uuid.UUID:
    try:
        return uuid.UUID(params[name])
    except ValueError as exc:
        raise XapiBadRequest.of("uuid", name, "must be a UUID") from exc


def _boolean(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise XapiBadRequest.of("parameter", name, "must be true or false")
    return value == "true"


def _integer(params: Mapping[str, str], name: str, default: int | None) -> Any:
    if name not in params:
        return default
    try:
        value = int(params[name])
    except ValueError as exc:
        raise XapiBadRequest.of("parameter", name, "must be a whole number") from exc
    if value < 0:
        raise XapiBadRequest.of("parameter", name, "must not be negative")
    return value


def _timestamp(params: Mapping[str, str], name: str) -> datetime | None:
    if name not in params:
        return None
    moment = validation.parse_timestamp(params[name])
    if moment is None:
        raise XapiBadRequest.of("timestamp", name, "must be an ISO 8601 timestamp")
    return moment
