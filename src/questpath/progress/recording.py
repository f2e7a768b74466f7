"""What recording an event means to the domains that record: what comes back
(`events.drafts` are what they hand over), and the `Recorder` they are handed.

The recorder itself (`questpath.recorder`) sits above the domains: it locks the learners,
inserts the new events, folds them into the projections, settles goals and collects unlocks.
A domain service that records takes a `Recorder` argument instead of importing it, so imports
keep descending.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.events.drafts import Draft, EventKey
from questpath.events.models import Event
from questpath.progress.state import Changes
from questpath.ruleset import Achievement, Ruleset


@dataclass(frozen=True)
class Recorded:
    """What a recording stored: the keys inserted (the others were stored already) and, for each
    learner whose progress moved, the projection changes (with what they unlocked)."""

    created: set[EventKey] = field(default_factory=set)
    changes: dict[uuid.UUID, Changes] = field(default_factory=dict)

    def unlocked(self, user_id: uuid.UUID) -> list[Achievement]:
        change = self.changes.get(user_id)
        return list(change.unlocked) if change else []


class Recorder(Protocol):
    """The one write path of the event log, used inside the caller's transaction."""

    @property
    def ruleset(self) -> Ruleset: ...

    async def lock(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        """Hold the learner's lock until the transaction ends: take it before reading what the
        recording will change (a streak, a quiz card), so no other writer changes it between."""
        ...

    async def record(self, session: AsyncSession, drafts: list[Draft], now: datetime) -> Recorded:
        """Store each draft not stored yet, fold it into its learner's progress, and settle
        the learners' goals; all in `session`'s transaction."""
        ...

    async def settle(self, session: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
        """Achieve the learner's goals that are reached now (after a goal or level changed)."""
        ...

    async def void(
        self, session: AsyncSession, user_id: uuid.UUID, event_id: str, now: datetime
    ) -> tuple[Event, bool]:
        """Void a learner's event so it counts for nothing; return it and whether it was voided
        now. 404 for an unknown event, 409 for one QuestPath recorded itself."""
        ...
