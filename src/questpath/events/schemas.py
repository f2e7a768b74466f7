"""Request and response bodies of the event API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
)

from questpath.events import rules
from questpath.text import NoBidiControls

NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]+$"
EventId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=NO_CONTROL_CHARACTERS),
    NoBidiControls,
]
Topic = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=NO_CONTROL_CHARACTERS
    ),
    NoBidiControls,
]
MAX_SECONDS = 366 * 24 * 3600


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: EventId | None = Field(None, description="the client's idempotency key")
    # The enum is for the document; the validator below gives the clearer message.
    kind: str = Field(
        description="one of: " + ", ".join(rules.CLIENT_KINDS),
        json_schema_extra={"enum": list(rules.CLIENT_KINDS)},
    )
    occurred_at: AwareDatetime | None = Field(None, description="ISO 8601 with offset; default now")
    topic: Topic | None = None
    grade: float | None = Field(None, ge=0, le=100, allow_inf_nan=False, strict=True)
    time_spent_seconds: int | None = Field(None, ge=0, le=MAX_SECONDS, strict=True)
    hints_used: int | None = Field(None, ge=0, le=10_000, strict=True)
    user_id: uuid.UUID | None = Field(None, description="integration keys only: whose event")
    metadata: dict[str, Any] | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in rules.CLIENT_KINDS:
            raise ValueError(rules.unknown_kind_message(kind))
        return kind

    @field_validator("id")
    @classmethod
    def _not_reserved(cls, event_id: str | None) -> str | None:
        if event_id is not None and (problem := rules.event_id_problem(event_id)):
            raise ValueError(problem)
        return event_id

    @field_validator("metadata")
    @classmethod
    def _small_metadata(cls, metadata: dict[str, Any] | None) -> dict[str, Any] | None:
        if metadata is not None and (problem := rules.metadata_problem(metadata)):
            raise ValueError(problem)
        return metadata

    def present_fields(self) -> set[str]:
        return {name for name in type(self).model_fields if getattr(self, name) is not None}


class EventBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[EventIn] = Field(min_length=1, max_length=rules.MAX_BATCH)


def _shape(body: Any) -> str:
    return "@batch" if isinstance(body, dict) and "events" in body else "@event"


EventSubmission = Annotated[
    Annotated[EventBatchIn, Tag("@batch")] | Annotated[EventIn, Tag("@event")],
    Discriminator(_shape),
]


class EventResult(BaseModel):
    index: int
    id: str
    user_id: uuid.UUID
    status: Literal["created", "duplicate"]


class AchievementUnlocked(BaseModel):
    user_id: uuid.UUID
    id: str
    name: str
    description: str
    category: str
    metric: str
    threshold: int
    points: int
    icon: str


class EventsRecorded(BaseModel):
    created: int
    duplicates: int
    results: list[EventResult]
    achievements_unlocked: list[AchievementUnlocked] = Field(
        description="achievements these events unlocked, for each learner"
    )


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(validation_alias="event_id")
    user_id: uuid.UUID
    kind: str
    occurred_at: datetime
    recorded_at: datetime
    local_date: date
    topic: str | None
    grade: float | None
    time_spent_seconds: int | None
    hints_used: int | None
    metadata: dict[str, Any] | None = Field(validation_alias="meta")
    voided_by: str | None = Field(
        None, description="the id of the event_voided event that voided it; null: it counts"
    )


class EventPage(BaseModel):
    items: list[EventRead]
    next_cursor: str | None
