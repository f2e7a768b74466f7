"""Storing event rows: insert the new ones once and fold them into their learners' projections.

Every writer goes through `store`: the event API, the tracks that record completions, and the
goals that record their achievement.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.principal import UserLike
from questpath.events import repository as repo
from questpath.events import rules
from questpath.progress import projections
from questpath.progress.ruleset import Rules
from questpath.progress.state import Changes


@dataclass(frozen=True)
class Stored:
    created: set[tuple[uuid.UUID, str]]
    changes: dict[uuid.UUID, Changes]


async def store(
    session: AsyncSession, rows: list[dict[str, Any]], now: datetime, rules_: Rules
) -> Stored:
    """Insert the rows not stored yet and bring their learners' projections up to date, in the
    caller's transaction. Rows must have distinct (user_id, event_id) keys."""
    await projections.lock_learners(session, (row["user_id"] for row in rows))
    created = await repo.insert_new(session, rows)
    changes = await projections.apply(
        session, rules_, (row for row in rows if (row["user_id"], row["event_id"]) in created), now
    )
    return Stored(created, changes)


@dataclass(frozen=True)
class SystemEvent:
    """An event QuestPath records itself. Its id is unique per learner and deterministic where
    the event must happen at most once (the first completion of an item, a goal reached)."""

    id: str
    kind: str
    topic: str | None = None
    metadata: dict[str, Any] | None = None
    grade: float | None = None
    time_spent_seconds: int | None = None
    occurred_at: datetime | None = None  # default: when it is recorded


def system_event_id(event: SystemEvent) -> str:
    return rules.SYSTEM_ID_PREFIX + event.id


async def is_recorded(session: AsyncSession, user: UserLike, system_id: str) -> bool:
    """Whether `user` has the system event whose own id (before the prefix) is `system_id`."""
    return await repo.get(session, user.id, rules.SYSTEM_ID_PREFIX + system_id) is not None


def event_row(
    owner: UserLike,
    event_id: str,
    kind: str,
    occurred_at: datetime,
    now: datetime,
    *,
    topic: str | None = None,
    grade: float | None = None,
    time_spent_seconds: int | None = None,
    hints_used: int | None = None,
    metadata: dict[str, Any] | None = None,
    api_key_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """A row of the event log, its local date fixed in the owner's timezone now."""
    return {
        "user_id": owner.id,
        "event_id": event_id,
        "kind": kind,
        "occurred_at": occurred_at,
        "recorded_at": now,
        "local_date": rules.local_date(occurred_at, owner.timezone),
        "topic": topic,
        "grade": grade,
        "time_spent_seconds": time_spent_seconds,
        "hints_used": hints_used,
        "meta": metadata,
        "recorded_by_api_key": api_key_id,
    }


async def store_system(
    session: AsyncSession,
    user: UserLike,
    events: Iterable[SystemEvent],
    now: datetime,
    rules_: Rules,
) -> Stored:
    """Record QuestPath's own events for `user`, each at most once."""
    rows = []
    for event in events:
        assert rules.EVENT_KINDS[event.kind].system, event.kind
        rows.append(
            event_row(
                user,
                system_event_id(event),
                event.kind,
                event.occurred_at or now,
                now,
                topic=event.topic,
                grade=event.grade,
                time_spent_seconds=event.time_spent_seconds,
                metadata=event.metadata,
            )
        )
    return await store(session, rows, now, rules_)
