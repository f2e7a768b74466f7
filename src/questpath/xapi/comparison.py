"""Statement comparison (xAPI 1.0.3 Data 2.3.1, "Statement Comparison Requirements"), pure.

Two statements match when they differ only where an LRS may make them differ (the exceptions
to statement immutability), and in nothing else:
- `stored` and `authority` are the LRS's to set, so they never count; `id`, `timestamp` and
  `version` count only when both statements carry them (the LRS fills them in when absent);
- Activity Definitions and a Verb's `display` are not part of the statement (2.3.1.b2, b3);
- timestamps are instants, whatever their time zone, compared to the millisecond (digits past
  it truncated), as an LRS may keep no more (2.3.1.b4, 4.5.s1.b7);
- a Group's members are an unordered list (2.3.1.b5); a single context activity is the same
  as a list of it, since the LRS returns the list (2.4.6.2);
- case-insensitive values compare case-insensitively (2.3.1.b7): UUIDs, hex hashes, language
  tags, the `mailto:` scheme and the domain of an e-mail address;
- a Result Duration is a string (2.3.1.b8), compared to 0.01 s (4.6.s1.b5).
Numbers compare by value, and `true` is not `1`.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

_IGNORED = ("stored", "authority")
_SET_WHEN_ABSENT = ("id", "timestamp", "version")
_CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")
_DURATION_PAST_HUNDREDTHS = re.compile(r"(\.\d{2})\d+S$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def statements_equivalent(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether `b` is the statement `a` once the differences an LRS may introduce are set aside
    (a resent statement with the same id, or the payload of its signature)."""
    left, right = dict(a), dict(b)
    for key in _IGNORED:
        left.pop(key, None)
        right.pop(key, None)
    for key in _SET_WHEN_ABSENT:
        if key not in left or key not in right:
            left.pop(key, None)
            right.pop(key, None)
    return _frozen(_statement(left)) == _frozen(_statement(right))


class _Unordered(list[Any]):
    """A list whose order does not matter."""


def _statement(statement: Mapping[str, Any]) -> dict[str, Any]:
    """The statement (or SubStatement) with each value in the form it is compared in."""
    out = dict(statement)
    if isinstance(out.get("id"), str):
        out["id"] = _uuid(out["id"])
    if isinstance(out.get("timestamp"), str):
        out["timestamp"] = _instant(out["timestamp"])
    if isinstance(out.get("actor"), Mapping):
        out["actor"] = _agent(out["actor"])
    if isinstance(out.get("verb"), Mapping):
        out["verb"] = {k: v for k, v in out["verb"].items() if k != "display"}
    if isinstance(out.get("object"), Mapping):
        out["object"] = _object(out["object"])
    if isinstance(out.get("result"), Mapping):
        out["result"] = _result(out["result"])
    if isinstance(out.get("context"), Mapping):
        out["context"] = _context(out["context"])
    if isinstance(out.get("attachments"), list):
        out["attachments"] = [_attachment(a) for a in out["attachments"]]
    return out


def _agent(agent: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(agent)
    if isinstance(out.get("mbox"), str):
        out["mbox"] = _mbox(out["mbox"])
    if isinstance(out.get("mbox_sha1sum"), str):
        out["mbox_sha1sum"] = out["mbox_sha1sum"].lower()
    if isinstance(out.get("member"), list):
        out["member"] = _Unordered(
            _agent(m) if isinstance(m, Mapping) else m for m in out["member"]
        )
    return out


def _object(target: Mapping[str, Any]) -> dict[str, Any]:
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        return _activity(target)
    if kind in ("Agent", "Group"):
        return _agent(target)
    if kind == "SubStatement":
        return _statement(target)
    if kind == "StatementRef" and isinstance(target.get("id"), str):
        return {**target, "id": _uuid(target["id"])}
    return dict(target)


def _activity(activity: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in activity.items() if k != "definition"}


def _result(result: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(result)
    if isinstance(out.get("duration"), str):
        out["duration"] = _DURATION_PAST_HUNDREDTHS.sub(r"\1S", out["duration"])
    return out


def _context(context: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(context)
    if isinstance(out.get("registration"), str):
        out["registration"] = _uuid(out["registration"])
    for role in ("instructor", "team"):
        if isinstance(out.get(role), Mapping):
            out[role] = _agent(out[role])
    if isinstance(out.get("language"), str):
        out["language"] = out["language"].lower()
    if isinstance(out.get("statement"), Mapping):
        out["statement"] = _object(out["statement"])
    activities = out.get("contextActivities")
    if isinstance(activities, Mapping):
        out["contextActivities"] = {
            kind: _context_activities(value) if kind in _CONTEXT_ACTIVITY_KINDS else value
            for kind, value in activities.items()
        }
    return out


def _context_activities(value: object) -> object:
    listed = [value] if isinstance(value, Mapping) else value
    if not isinstance(listed, list):
        return value
    return [_activity(a) if isinstance(a, Mapping) else a for a in listed]


def _attachment(attachment: object) -> object:
    if not isinstance(attachment, Mapping):
        return attachment
    out = dict(attachment)
    if isinstance(out.get("sha2"), str):
        out["sha2"] = out["sha2"].lower()
    for key in ("display", "description"):
        if isinstance(out.get(key), Mapping):
            out[key] = {str(tag).lower(): text for tag, text in out[key].items()}
    return out


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return value


def _mbox(mbox: str) -> str:
    scheme, colon, address = mbox.partition(":")
    local, at, domain = address.rpartition("@")
    if not colon or not at:
        return mbox
    return f"{scheme.lower()}:{local}@{domain.lower()}"


@dataclass(frozen=True)
class _Instant:
    """A timestamp as the millisecond it names (later digits truncated); one that cannot be
    read compares as its text."""

    key: tuple[str, object]


def _instant(text: str) -> _Instant:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return _Instant(("text", text))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _Instant(("ms", (moment - _EPOCH) // timedelta(milliseconds=1)))


def _frozen(value: object) -> object:
    """A hashable form that compares the way JSON values do: objects by keys, arrays in order
    (members in any order), numbers by value, and booleans apart from numbers."""
    if isinstance(value, _Instant):
        return ("instant", value.key)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, _Unordered):
        return ("unordered", frozenset(Counter(_frozen(v) for v in value).items()))
    if isinstance(value, list):
        return ("array", tuple(_frozen(v) for v in value))
    if isinstance(value, Mapping):
        return ("object", frozenset((k, _frozen(v)) for k, v in value.items()))
    return ("value", value)
