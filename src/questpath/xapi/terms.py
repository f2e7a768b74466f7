"""Pure: what a statement matches in the statements resource's filters.

`agent`: the actor or object (and, for a Group, its members). With `related_agents`, also the
authority, the context's instructor and team, and a SubStatement's actor, object, instructor
and team. `activity`: the object's id; with `related_activities`, also the context activities
and a SubStatement's object and context activities. `verb` and `registration` match as given.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from typing import Any

from questpath.xapi.agents import member_ifis

Term = tuple[str, bool]  # (hashed term, related only)


def term(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def statement_terms(statement: Mapping[str, Any]) -> set[Term]:
    """The terms of a valid statement; a term both direct and related is kept as direct."""
    found = set(_terms(statement))
    return {(t, related) for t, related in found if not (related and (t, False) in found)}


def _terms(statement: Mapping[str, Any]) -> Iterator[Term]:
    yield term("verb", statement["verb"]["id"]), False
    yield from _agent_terms(statement.get("actor"), related=False)
    obj = statement.get("object", {})
    kind = obj.get("objectType", "Activity")
    if kind in ("Agent", "Group"):
        yield from _agent_terms(obj, related=False)
    elif kind == "Activity":
        yield term("activity", obj["id"]), False
    elif kind == "SubStatement":
        yield from _agent_terms(obj.get("actor"), related=True)
        inner = obj.get("object", {})
        if inner.get("objectType", "Activity") == "Activity":
            yield term("activity", inner["id"]), True
        else:
            yield from _agent_terms(inner, related=True)
        yield from _context_terms(obj.get("context"), registration=False)
    yield from _agent_terms(statement.get("authority"), related=True)
    yield from _context_terms(statement.get("context"), registration=True)


def _agent_terms(agent: Any, *, related: bool) -> Iterator[Term]:
    if isinstance(agent, Mapping):
        for ifi in member_ifis(agent):
            yield term("agent", ifi), related


def _context_terms(context: Any, *, registration: bool) -> Iterator[Term]:
    if not isinstance(context, Mapping):
        return
    if registration and isinstance(context.get("registration"), str):
        yield term("registration", context["registration"].lower()), False
    yield from _agent_terms(context.get("instructor"), related=True)
    yield from _agent_terms(context.get("team"), related=True)
    for activities in (context.get("contextActivities") or {}).values():
        for activity in activities if isinstance(activities, list) else [activities]:
            if isinstance(activity, Mapping) and isinstance(activity.get("id"), str):
                yield term("activity", activity["id"]), True
