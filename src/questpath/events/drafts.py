"""An event about to enter the log: what every writer hands the recorder
(`progress.recording.Recorder`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from questpath.events.rules import SYSTEM_ID_PREFIX

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


class UnknownLearner(LookupError):
    """Events were addressed to ids that name no learner; nothing was recorded."""

    def __init__(self, user_ids: set[uuid.UUID]) -> None:
        super().__init__(f"no learner has the id {', '.join(map(str, sorted(user_ids)))}")
        self.user_ids = user_ids
