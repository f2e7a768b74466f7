"""Validation of xAPI 1.0.3 Statements: every rule the specification states with MUST (Data 2.2 to
2.4 and 4, Communication 2.1 and 3.3), checked on the parsed JSON of a request.

Pure: no I/O, no clock. It works on what `json.loads` returns (dict, list, str, int, float, bool,
None) rather than on a model, because the rules are about the raw JSON: exact and case-sensitive
property names, no unknown properties, no nulls outside extensions, strings not standing in for
numbers or booleans. An empty list of violations means the Statement is valid; the LRS answers
400 Bad Request otherwise.
"""

from __future__ import annotations

import re

from questpath.xapi.validation import checks as c
from questpath.xapi.validation.activities import activity
from questpath.xapi.validation.agents import IFIS, Kind, actor, identified
from questpath.xapi.validation.attachments import attachments
from questpath.xapi.validation.checks import Violation
from questpath.xapi.validation.formats import (
    is_iri,
    is_language_tag,
    is_mbox,
    is_uuid,
    parse_duration,
    parse_timestamp,
)

__all__ = [
    "VOIDED",
    "Violation",
    "activity_id_violations",
    "agent_violations",
    "is_iri",
    "is_language_tag",
    "is_mbox",
    "is_uuid",
    "parse_duration",
    "parse_timestamp",
    "statement_violations",
    "statements_violations",
]

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
STATEMENT_PROPERTIES = frozenset(
    {
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    }
)
SUBSTATEMENT_PROPERTIES = frozenset(
    {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
)
NOT_IN_SUBSTATEMENT = ("id", "stored", "version", "authority")
RESULT_PROPERTIES = ("score", "success", "completion", "response", "duration", "extensions")
CONTEXT_PROPERTIES = (
    "registration",
    "instructor",
    "team",
    "contextActivities",
    "revision",
    "platform",
    "language",
    "statement",
    "extensions",
)
CONTEXT_TYPES = ("parent", "grouping", "category", "other")
OBJECT_TYPES = ("Activity", "Agent", "Group", "StatementRef", "SubStatement")
# Data 2.4.10: "1.0", or a Semantic Versioning 1.0.0 version starting "1.0." ("1.0.3",
# "1.0.0-rc1"); the ADL conformance suite accepts "1.0" as the version header rule does.
_VERSION = re.compile(r"1\.0(?:\.(?:0|[1-9][0-9]*)(?:-[0-9A-Za-z-]+)?)?")


def statements_violations(body: object) -> list[Violation]:
    """The violations of a POST body: one Statement, or a non-empty array of them whose ids are
    distinct. The fields of an array's elements start with their index: "[3].verb.id"."""
    if isinstance(body, dict):
        return statement_violations(body)
    if not isinstance(body, list):
        out: c.Out = []
        c.wrong_type(body, "", "a Statement or an array of Statements", out)
        return out
    if not body:
        return [Violation("statements.empty", "", "The array of Statements is empty.")]
    out = []
    seen: set[str] = set()
    for index, statement in enumerate(body):
        field = c.item("", index)
        out.extend(statement_violations(statement, field))
        statement_id = statement.get("id") if isinstance(statement, dict) else None
        if isinstance(statement_id, str):
            if statement_id.lower() in seen:
                message = f"Statement id {statement_id} appears more than once in this batch."
                out.append(Violation("statements.duplicate-id", c.at(field, "id"), message))
            seen.add(statement_id.lower())
    return out


def statement_violations(statement: object, field: str = "") -> list[Violation]:
    """The violations of one Statement at `field` ("" for a whole request body)."""
    out: c.Out = []
    found = c.properties(
        statement,
        field,
        out,
        what="a Statement",
        allowed=STATEMENT_PROPERTIES,
        required=("actor", "verb", "object"),
    )
    if found is None:
        return out
    if "id" in found:
        _uuid(found["id"], c.at(field, "id"), out)
    kind = _body(found, field, out, substatement=False)
    if "stored" in found:
        _timestamp(found["stored"], c.at(field, "stored"), out)
    if "authority" in found:
        _authority(found["authority"], c.at(field, "authority"), out)
    if "version" in found:
        _version(found["version"], c.at(field, "version"), out)
    verb = found.get("verb")
    if isinstance(verb, dict) and verb.get("id") == VOIDED and kind != "StatementRef":
        message = (
            'A voiding Statement (verb "http://adlnet.gov/expapi/verbs/voided") must have a '
            "StatementRef object naming the Statement it voids: "
            '{"objectType": "StatementRef", "id": …}.'
        )
        out.append(Violation("voiding.statement-ref", c.at(field, "object"), message))
    return out


def agent_violations(agent: object, field: str) -> list[Violation]:
    """The violations of an Agent or identified Group given as a parameter (the "agent" of GET
    statements and of the document resources)."""
    out: c.Out = []
    kind = actor(agent, field, out)
    if kind == "Group" and not identified(kind, agent):
        message = f"{field} must identify one Agent or Group: an anonymous Group cannot."
        out.append(Violation("agent.identified", field, message))
    return out


def activity_id_violations(value: object, field: str) -> list[Violation]:
    """The violations of an Activity id given as a parameter ("activityId", "activity")."""
    out: c.Out = []
    c.iri(value, field, out)
    return out


def _body(found: dict[str, object], field: str, out: c.Out, *, substatement: bool) -> str | None:
    """What a Statement and a SubStatement share; returns the kind of the object."""
    if "actor" in found:
        actor(found["actor"], c.at(field, "actor"), out)
    if "verb" in found:
        _verb(found["verb"], c.at(field, "verb"), out)
    kind = None
    if "object" in found:
        kind = _object(found["object"], c.at(field, "object"), out, substatement=substatement)
    if "result" in found:
        _result(found["result"], c.at(field, "result"), out)
    if "context" in found:
        _context(found["context"], c.at(field, "context"), out, object_kind=kind)
    if "timestamp" in found:
        _timestamp(found["timestamp"], c.at(field, "timestamp"), out)
    if "attachments" in found:
        attachments(found["attachments"], c.at(field, "attachments"), out)
    return kind


def _verb(value: object, field: str, out: c.Out) -> None:
    found = c.properties(
        value, field, out, what="a Verb", allowed=("id", "display"), required=("id",)
    )
    if found is None:
        return
    if "id" in found:
        c.iri(found["id"], c.at(field, "id"), out)
    if "display" in found:
        c.language_map(found["display"], c.at(field, "display"), out)


def _object(value: object, field: str, out: c.Out, *, substatement: bool) -> str | None:
    """Check the object of a (Sub)Statement by its objectType; return that type if valid."""
    if not isinstance(value, dict):
        c.wrong_type(value, field, "an Activity, Agent, Group, StatementRef or SubStatement", out)
        return None
    if "objectType" not in value:
        if "id" not in value and any(key in value for key in (*IFIS, "member")):
            where = c.at(field, "objectType")
            message = (
                f"{field} looks like an Agent or Group: as a Statement's object it must say so "
                'with "objectType": "Agent" or "Group".'
            )
            out.append(Violation("object-type-required", where, message))
            return None
        activity(value, field, out)
        return "Activity"
    object_type = value["objectType"]
    if object_type == "Activity":
        activity(value, field, out)
    elif object_type in ("Agent", "Group"):
        kind: Kind | None = actor(value, field, out)
        return kind
    elif object_type == "StatementRef":
        _statement_ref(value, field, out)
    elif object_type == "SubStatement":
        if substatement:
            message = "A SubStatement must not contain another SubStatement as its object."
            out.append(Violation("substatement.nested", field, message))
            return None
        _substatement(value, field, out)
    else:
        where = c.at(field, "objectType")
        if isinstance(object_type, str):
            message = (
                f"{where} must be one of {', '.join(OBJECT_TYPES)} (case-sensitive); "
                f"got {c.shown(object_type)}."
            )
            out.append(Violation("object-type", where, message))
        else:
            c.wrong_type(object_type, where, f"one of {', '.join(OBJECT_TYPES)}", out)
        return None
    return str(object_type)


def _statement_ref(value: object, field: str, out: c.Out) -> None:
    found = c.properties(
        value,
        field,
        out,
        what="a StatementRef",
        allowed=("objectType", "id"),
        required=("objectType", "id"),
    )
    if found is None:
        return
    if "objectType" in found:
        where = c.at(field, "objectType")
        c.object_type(found["objectType"], where, out, expected="StatementRef")
    if "id" in found:
        _uuid(found["id"], c.at(field, "id"), out)


def _substatement(value: dict[str, object], field: str, out: c.Out) -> None:
    for key in NOT_IN_SUBSTATEMENT:
        if key in value:
            message = f'A SubStatement must not have "{key}"; only the Statement holding it may.'
            out.append(Violation("substatement.property", c.at(field, key), message))
    rest = {key: inner for key, inner in value.items() if key not in NOT_IN_SUBSTATEMENT}
    found = c.properties(
        rest,
        field,
        out,
        what="a SubStatement",
        allowed=SUBSTATEMENT_PROPERTIES,
        required=("actor", "verb", "object"),
    )
    if found is not None:
        _body(found, field, out, substatement=True)


def _result(value: object, field: str, out: c.Out) -> None:
    found = c.properties(value, field, out, what="a Result", allowed=RESULT_PROPERTIES)
    if found is None:
        return
    if "score" in found:
        _score(found["score"], c.at(field, "score"), out)
    for key in ("success", "completion"):
        if key in found:
            c.boolean(found[key], c.at(field, key), out)
    if "response" in found:
        c.string(found["response"], c.at(field, "response"), out)
    if "duration" in found:
        c.formatted(
            found["duration"],
            c.at(field, "duration"),
            out,
            rule="duration",
            test=lambda text: parse_duration(text) is not None,
            expected='an ISO 8601 duration such as "PT1H30M" or "PT16559.14S"',
        )
    if "extensions" in found:
        c.extensions(found["extensions"], c.at(field, "extensions"), out)


def _score(value: object, field: str, out: c.Out) -> None:
    found = c.properties(value, field, out, what="a Score", allowed=("scaled", "raw", "min", "max"))
    if found is None:
        return
    numbers = {key: c.number(inner, c.at(field, key), out) for key, inner in found.items()}
    scaled, raw = numbers.get("scaled"), numbers.get("raw")
    low, high = numbers.get("min"), numbers.get("max")
    if scaled is not None and not -1 <= scaled <= 1:
        message = f"{c.at(field, 'scaled')} must be between -1 and 1 inclusive; got {scaled:g}."
        out.append(Violation("score.scaled-range", c.at(field, "scaled"), message))
    if low is not None and high is not None and not low < high:
        message = f"{c.at(field, 'min')} ({low:g}) must be less than max ({high:g})."
        out.append(Violation("score.min-max", c.at(field, "min"), message))
    if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
        bounds = f"[{'' if low is None else f'{low:g}'}, {'' if high is None else f'{high:g}'}]"
        message = f"{c.at(field, 'raw')} ({raw:g}) must lie between min and max {bounds}."
        out.append(Violation("score.raw-range", c.at(field, "raw"), message))


def _context(value: object, field: str, out: c.Out, *, object_kind: str | None) -> None:
    found = c.properties(value, field, out, what="a Context", allowed=CONTEXT_PROPERTIES)
    if found is None:
        return
    if "registration" in found:
        _uuid(found["registration"], c.at(field, "registration"), out)
    if "instructor" in found:
        actor(found["instructor"], c.at(field, "instructor"), out)
    if "team" in found:
        where = c.at(field, "team")
        if actor(found["team"], where, out, what="a Group") == "Agent":
            message = f'{where} must be a Group ("objectType": "Group"), not an Agent.'
            out.append(Violation("object-type", where, message))
    if "contextActivities" in found:
        _context_activities(found["contextActivities"], c.at(field, "contextActivities"), out)
    for key in ("revision", "platform"):
        if key in found:
            c.string(found[key], c.at(field, key), out)
            if object_kind is not None and object_kind != "Activity":
                message = (
                    f'"{key}" may only be used when the Statement\'s object is an Activity, '
                    f"not {object_kind}."
                )
                out.append(Violation("context.activity-only", c.at(field, key), message))
    if "language" in found:
        c.formatted(
            found["language"],
            c.at(field, "language"),
            out,
            rule="language-tag",
            test=is_language_tag,
            expected='an RFC 5646 language tag such as "en-US"',
        )
    if "statement" in found:
        _statement_ref(found["statement"], c.at(field, "statement"), out)
    if "extensions" in found:
        c.extensions(found["extensions"], c.at(field, "extensions"), out)


def _context_activities(value: object, field: str, out: c.Out) -> None:
    found = c.properties(value, field, out, what="contextActivities", allowed=CONTEXT_TYPES)
    if found is None:
        return
    if not value:
        message = f"{field} is empty; leave it out or give parent, grouping, category or other."
        out.append(Violation("context-activities.empty", field, message))
    for key, activities in found.items():
        where = c.at(field, key)
        if isinstance(activities, list):
            for index, one in enumerate(activities):
                activity(one, c.item(where, index), out)
        else:
            activity(activities, where, out)


def _authority(value: object, field: str, out: c.Out) -> None:
    """An Agent, or (three-legged OAuth) an anonymous Group of exactly two Agents."""
    kind = actor(value, field, out)
    if kind != "Group" or not isinstance(value, dict):
        return
    members = value.get("member")
    if identified(kind, value) or not isinstance(members, list) or len(members) != 2:
        message = (
            f"{field} must be an Agent, or an anonymous Group of exactly two Agents "
            "(the application and the user of three-legged OAuth)."
        )
        out.append(Violation("authority.group", field, message))


def _uuid(value: object, field: str, out: c.Out) -> None:
    c.formatted(
        value,
        field,
        out,
        rule="uuid",
        test=is_uuid,
        expected='a UUID in standard form, such as "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"',
    )


def _timestamp(value: object, field: str, out: c.Out) -> None:
    c.formatted(
        value,
        field,
        out,
        rule="timestamp",
        test=lambda text: parse_timestamp(text) is not None,
        expected='an ISO 8601 date and time such as "2013-05-18T05:32:34.804Z"',
    )


def _version(value: object, field: str, out: c.Out) -> None:
    c.formatted(
        value,
        field,
        out,
        rule="version",
        test=lambda text: _VERSION.fullmatch(text) is not None,
        expected='an xAPI 1.0 version: "1.0.0" (or "1.0", "1.0.x")',
    )
