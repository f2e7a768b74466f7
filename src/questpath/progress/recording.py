"""What recording an event means to the domains that record: the drafts they hand over, what
comes back, and the `Recorder` they are handed.

The recorder itself (`questpath.recorder`) sits above the domains: it locks the learners,
inserts the new events, folds them into the projections, settles goals and collects unlocks.
A domain service that records takes a `Recorder` argument instead of importing it, so imports
keep descending.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.events.rules import SYSTEM_ID_PREFIX
from questpath.progress.ruleset import Achievement, Rules
from questpath.progress.state import Changes

EventKey = tuple[uuid.UUID, str]  # (learner, event id): unique in the log


@dataclass(frozen=True)
class Draft:
    """An event to record for one learner. Its local date is fixed by the recorder, in the
    learner's timezone at the moment it is stored."""

    user_id: uuid.UUID
    id: str
    kind: str
    occurred_at: datetime | None = None  # default: when it is recorded
    topic: str | None = None
    grade: float | None = None
    time_spent_seconds: int | None = None
    hints_used: int | None = None
    metadata: dict[str, Any] | None = None
    api_key_id: uuid.UUID | None = None

    @property
    def key(self) -> EventKey:
        return (self.user_id, self.id)


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

    def draft(self, user_id: uuid.UUID) -> Draft:
        return Draft(
            user_id=user_id,
            id=system_event_id(self),
            kind=self.kind,
            occurred_at=self.occurred_at,
            topic=self.topic,
            grade=self.grade,
            time_spent_seconds=self.time_spent_seconds,
            metadata=self.metadata,
        )


def system_event_id(event: SystemEvent) -> str:
    return SYSTEM_ID_PREFIX + event.id


@dataclass(frozen=True)
class Recorded:
    """What a recording stored: the keys inserted (the others were stored already) and, for each
    learner whose progress moved, the projection changes (with what they unlocked)."""

    created: set[EventKey] = field(default_factory=set)
    changes: dict[uuid.UUID, Changes] = field(default_factory=dict)

    def unlocked(self, user_id: uuid.UUID) -> list[Achievement]:
        change = self.changes.get(user_id)
        return list(change.unlocked) if change else []


class UnknownLearner(LookupError):
    """Events were addressed to ids that name no learner; nothing was recorded."""

    def __init__(self, user_ids: set[uuid.UUID]) -> None:
        super().__init__(f"no learner has the id {', '.join(map(str, sorted(user_ids)))}")
        self.user_ids = user_ids


class Recorder(Protocol):
    """The one write path of the event log, used inside the caller's transaction."""

    @property
    def rules(self) -> Rules: ...

    async def record(self, session: AsyncSession, drafts: list[Draft], now: datetime) -> Recorded:
        """Store each draft not stored yet, fold it into its learner's progress, and settle
        the learners' goals; all in `session`'s transaction."""
        ...

    async def settle(self, session: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
        """Achieve the learner's goals that are reached now (after a goal or level changed)."""
        ...
