"""The statements resource's GET parameters, checked: a 400 names each one that is wrong."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from questpath.xapi.agents import ifi
from questpath.xapi.errors import XapiBadRequest
from questpath.xapi.formats import Format
from questpath.xapi.params import (
    activity_id_param,
    agent_param,
    bad,
    boolean_param,
    count_param,
    known_params,
    registration_param,
    timestamp_param,
)
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


def parse(query: Iterable[tuple[str, str]]) -> StatementQuery:
    """The query of a GET /statements: a 400 names the first parameter that is unknown, sent
    twice, malformed, or sent beside `statementId` when only `attachments` and `format` may."""
    params = known_params(query, KNOWN)
    form = params.get("format", "exact")
    if form not in FORMATS:
        raise bad("format", "must be ids, exact or canonical")
    attachments = boolean_param(params, "attachments")
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
            statement_id=uuid.UUID(registration_param(params[singles[0]], singles[0])),
            voided=singles[0] == "voidedStatementId",
            form=form,
            attachments=attachments,
        )
    terms: list[tuple[str, bool]] = []
    if "agent" in params:
        agent = ifi(agent_param(params["agent"], groups=True))
        terms.append((term("agent", agent or ""), boolean_param(params, "related_agents")))
    if "verb" in params:
        terms.append((term("verb", activity_id_param(params["verb"], "verb")), False))
    if "activity" in params:
        activity = activity_id_param(params["activity"], "activity")
        terms.append((term("activity", activity), boolean_param(params, "related_activities")))
    if "registration" in params:
        terms.append((term("registration", registration_param(params["registration"])), False))
    limit = count_param(params, "limit", DEFAULT_LIMIT)
    return StatementQuery(
        filters=Filters(
            terms=tuple(terms),
            since=timestamp_param(params["since"], "since") if "since" in params else None,
            until=timestamp_param(params["until"], "until") if "until" in params else None,
            after_seq=count_param(params, "cursor", 0) or None,
            ascending=boolean_param(params, "ascending"),
        ),
        limit=MAX_LIMIT if limit == 0 else min(limit, MAX_LIMIT),
        form=form,
        attachments=attachments,
    )
