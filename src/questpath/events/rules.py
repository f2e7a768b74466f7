"""Pure rules of the event log: which kinds exist, what each needs, when it happened where."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

MAX_FUTURE_SKEW = timedelta(minutes=5)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
MAX_METADATA_BYTES = 4096
MAX_BATCH = 1000


SYSTEM_ID_PREFIX = "questpath:"


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
    )
}
CLIENT_KINDS = tuple(sorted(name for name, kind in EVENT_KINDS.items() if not kind.system))
PROGRESS_KINDS = tuple(
    sorted(name for name, kind in EVENT_KINDS.items() if kind.counts_for_progress)
)


def unknown_kind_message(kind: str) -> str:
    if kind in EVENT_KINDS:
        return (
            f"'{kind}' events are recorded by QuestPath itself (work a track through "
            "/api/tracks); expected one of: " + ", ".join(CLIENT_KINDS)
        )
    return f"unknown event kind '{kind}'; expected one of: {', '.join(CLIENT_KINDS)}"


def event_id_problem(event_id: str) -> str | None:
    if event_id.startswith(SYSTEM_ID_PREFIX):
        return f"must not start with '{SYSTEM_ID_PREFIX}', which QuestPath reserves for itself"
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
    """Why `metadata` cannot be stored as it is on every database, or None when it can."""
    if _has_non_finite_number(metadata):
        return "numbers must be finite (NaN and Infinity are not JSON)"
    if _has_nul(metadata):
        return "text must not contain NUL characters"
    if metadata_size(metadata) > MAX_METADATA_BYTES:
        return f"must be at most {MAX_METADATA_BYTES} bytes as JSON"
    return None


def _children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [*value.keys(), *value.values()]
    return list(value) if isinstance(value, list) else []


def _has_non_finite_number(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    return any(_has_non_finite_number(child) for child in _children(value))


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    return any(_has_nul(child) for child in _children(value))


def may_record_for_others(role: str, has_write_scope: bool) -> bool:
    """Only admins, or API keys an admin created with events:write, record for other learners."""
    return role == "admin" and has_write_scope
