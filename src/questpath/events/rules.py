"""Pure rules of the event log: which kinds exist, what each needs, when it happened where."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

MAX_FUTURE_SKEW = timedelta(minutes=5)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
MAX_METADATA_BYTES = 4096
MAX_METADATA_DEPTH = 32
MAX_BATCH = 1000


SYSTEM_ID_PREFIX = "questpath:"
# The events the xAPI LRS records for statements: `xapi:<statement id>`.
XAPI_ID_PREFIX = "xapi:"


@dataclass(frozen=True)
class EventKind:
    name: str
    description: str
    requires: tuple[str, ...] = ()
    # Recorded by QuestPath itself when a learner works a track or reaches a goal; clients
    # cannot post these, so their at-most-once rules cannot be bypassed.
    system: bool = False
    # Whether the kind feeds the progress projections (XP, streaks, statistics). Kinds that
    # only record what happened (an item reopened, a goal reached) leave them untouched.
    counts_for_progress: bool = True


EVENT_KINDS: dict[str, EventKind] = {
    kind.name: kind
    for kind in (
        EventKind("exercise_completed", "an exercise finished, optionally graded 0-100"),
        EventKind("project_completed", "a project finished"),
        EventKind("study_session", "time spent studying", requires=("time_spent_seconds",)),
        EventKind("check_in", "a daily check-in: keeps the streak alive, earns no XP"),
        EventKind("item_completed", "a track item done for the first time", system=True),
        EventKind("category_finished", "a track category finished for the first time", system=True),
        EventKind("track_finished", "a track finished for the first time", system=True),
        EventKind("quiz_completed", "a quiz submitted, graded by its score 0-100", system=True),
        EventKind("quiz_reviewed", "a spaced-repetition review of one question", system=True),
        EventKind(
            "item_reopened", "a done track item reopened", system=True, counts_for_progress=False
        ),
        EventKind("goal_achieved", "a goal reached", system=True, counts_for_progress=False),
        EventKind(
            "vacation_scheduled",
            "a vacation set: its days neither break the streak nor spend freezes",
            system=True,
            counts_for_progress=False,
        ),
        EventKind(
            "vacation_ended",
            "a vacation ended early or cancelled",
            system=True,
            counts_for_progress=False,
        ),
        EventKind(
            "day_start_changed",
            "the hour at which the learner's day starts changed",
            system=True,
            counts_for_progress=False,
        ),
        EventKind(
            "event_voided",
            "an earlier event voided: it stays in the log and counts for nothing",
            system=True,
            counts_for_progress=False,
        ),
    )
}
CLIENT_KINDS = tuple(sorted(name for name, kind in EVENT_KINDS.items() if not kind.system))
PROGRESS_KINDS = tuple(
    sorted(name for name, kind in EVENT_KINDS.items() if kind.counts_for_progress)
)


# Only what learners and integrations record may be voided: QuestPath's own events follow from
# state (an item's, a quiz's) that a void would leave behind.
VOIDABLE_KINDS = CLIENT_KINDS


def void_problem(kind: str) -> str | None:
    """Why an event of `kind` cannot be voided, or None when it can."""
    if kind in VOIDABLE_KINDS:
        return None
    return (
        f"'{kind}' events are recorded by QuestPath itself and cannot be voided; change what "
        "recorded them instead (reopen the item, or delete the goal)"
    )


def void_event_id(event_id: str) -> str:
    """The id of the event that voids `event_id`: one per voided event, so voiding twice
    records once, and short whatever the length of the voided id."""
    return "void:" + hashlib.sha256(event_id.encode()).hexdigest()


def unknown_kind_message(kind: str) -> str:
    if kind in EVENT_KINDS:
        return (
            f"'{kind}' events are recorded by QuestPath itself (work a track through "
            "/api/tracks); expected one of: " + ", ".join(CLIENT_KINDS)
        )
    return f"unknown event kind '{kind}'; expected one of: {', '.join(CLIENT_KINDS)}"


def event_id_problem(event_id: str) -> str | None:
    for prefix in (SYSTEM_ID_PREFIX, XAPI_ID_PREFIX):
        if event_id.startswith(prefix):
            return f"must not start with '{prefix}', which QuestPath reserves for itself"
    return None


def missing_fields(kind: str, present: set[str]) -> list[str]:
    """The fields `kind` requires that are not among `present`."""
    return [name for name in EVENT_KINDS[kind].requires if name not in present]


def occurred_at_problem(occurred_at: datetime, now: datetime) -> str | None:
    if occurred_at > now + MAX_FUTURE_SKEW:
        return (
            f"is more than {int(MAX_FUTURE_SKEW.total_seconds() // 60)} minutes in the future "
            f"(server time is {now.isoformat(timespec='seconds')})"
        )
    if occurred_at < EARLIEST:
        return "is before 1970-01-01"
    return None


def local_date(occurred_at: datetime, timezone: str, day_start_hour: int = 0) -> date:
    """The learner's day at `occurred_at` in `timezone`, for a day that starts at
    `day_start_hour` on the local clock: with 4, 01:30 still belongs to the day before."""
    local = occurred_at.astimezone(ZoneInfo(timezone))
    return (local - timedelta(hours=day_start_hour)).date() if day_start_hour else local.date()


@dataclass(frozen=True)
class LocalDays:
    """How a learner's moments map to days: their timezone and the hour their day starts."""

    timezone: str = "UTC"
    day_start_hour: int = 0

    def date_of(self, moment: datetime) -> date:
        return local_date(moment, self.timezone, self.day_start_hour)


def metadata_size(metadata: dict[str, Any]) -> int:
    return len(json.dumps(metadata, separators=(",", ":"), ensure_ascii=False).encode())


def metadata_problem(metadata: dict[str, Any]) -> str | None:
    """Why `metadata` cannot be stored as it is on every database, or None when it can.

    The depth is checked first and without recursion: a document nested hundreds deep fits in
    a few hundred bytes, and it would break every later read of the event (serialisers stop at
    a depth of their own) or this check itself (Python's recursion limit).
    """
    depth = json_depth(metadata, MAX_METADATA_DEPTH)
    if depth > MAX_METADATA_DEPTH:
        return f"must be nested at most {MAX_METADATA_DEPTH} levels deep"
    leaves = list(_leaves(metadata))
    if any(isinstance(leaf, float) and not math.isfinite(leaf) for leaf in leaves):
        return "numbers must be finite (NaN and Infinity are not JSON)"
    if any(isinstance(leaf, str) and "\x00" in leaf for leaf in leaves):
        return "text must not contain NUL characters"
    if metadata_size(metadata) > MAX_METADATA_BYTES:
        return f"must be at most {MAX_METADATA_BYTES} bytes as JSON"
    return None


def json_depth(value: Any, stop_past: int) -> int:
    """How deeply `value` nests objects and arrays (a scalar is 0, {} is 1), counted without
    recursion; the count stops at `stop_past` + 1, so a deeper document costs no more."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > stop_past:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth) for child in children)
    return deepest


def _leaves(value: Any) -> Iterator[Any]:
    """Every scalar in `value`, object keys included, without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            yield item


def may_record_for_others(role: str, has_write_scope: bool) -> bool:
    """Only admins, or API keys an admin created with events:write, record for other learners."""
    return role == "admin" and has_write_scope
