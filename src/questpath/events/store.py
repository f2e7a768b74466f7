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

from questpath.auth.models import User
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


def system_event_id(event: SystemEvent) -> str:
    return rules.SYSTEM_ID_PREFIX + event.id


def system_row(user: User, event: SystemEvent, now: datetime) -> dict[str, Any]:
    assert rules.EVENT_KINDS[event.kind].system, event.kind
    return {
        "user_id": user.id,
        "event_id": system_event_id(event),
        "kind": event.kind,
        "occurred_at": now,
        "recorded_at": now,
        "local_date": rules.local_date(now, user.timezone),
        "topic": event.topic,
        "grade": None,
        "time_spent_seconds": None,
        "hints_used": None,
        "meta": event.metadata,
        "recorded_by_api_key": None,
    }


async def store_system(
    session: AsyncSession,
    user: User,
    events: Iterable[SystemEvent],
    now: datetime,
    rules_: Rules,
) -> Stored:
    """Record QuestPath's own events for `user`, each at most once."""
    rows = [system_row(user, event, now) for event in events]
    if not rows:
        return Stored(set(), {})
    return await store(session, rows, now, rules_)
