"""Request and response bodies of the goals API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationError,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from questpath.events.schemas import Topic
from questpath.goals.rules import GOAL_TYPES, ChosenStatus, Status
from questpath.text import NoBidiControls

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoBidiControls
]
Description = Annotated[str, Field(max_length=5000)]
MAX_EXERCISES = 100_000
MAX_STREAK_DAYS = 3650


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FinishTrack(Strict):
    type: Literal["finish_track"]
    track_id: uuid.UUID


class FinishCategory(Strict):
    type: Literal["finish_category"]
    track_id: uuid.UUID
    category_id: uuid.UUID


class Exercises(Strict):
    """Exercises completed after the goal was set, overall or in one topic."""

    type: Literal["exercises"]
    count: int = Field(ge=1, le=MAX_EXERCISES, strict=True)
    topic: Topic | None = None


class SkillLevel(Strict):
    type: Literal["skill_level"]
    topic: Topic
    level: str = Field(max_length=40, description="a skill level from the rules, e.g. 'advanced'")


class Streak(Strict):
    """A current streak of this many days."""

    type: Literal["streak"]
    days: int = Field(ge=1, le=MAX_STREAK_DAYS, strict=True)


class RankTarget(Strict):
    type: Literal["rank"]
    rank: str = Field(max_length=64, description="a rank id from the rules, e.g. 'competent'")


def _known_type(value: Any) -> Any:
    """Name `type` itself when it is missing or unknown, rather than the whole target."""
    if isinstance(value, BaseModel):
        return value
    if not isinstance(value, dict):
        raise ValueError("must be an object with a 'type'")
    if value.get("type") not in GOAL_TYPES:
        message = (
            "Field required"
            if "type" not in value
            else f"unknown goal type {value['type']!r}; expected one of: {', '.join(GOAL_TYPES)}"
        )
        error = InitErrorDetails(
            type=PydanticCustomError("goal_type", message),
            loc=("type",),
            input=value.get("type"),
        )
        raise ValidationError.from_exception_data("target", [error])
    return value


def _tag(value: Any) -> str:
    # "@" tags: problem details leave them out of field names ("target.count", not
    # "target.exercises.count").
    kind = value["type"] if isinstance(value, dict) else value.type
    return f"@{kind}"


Target = Annotated[
    Annotated[FinishTrack, Tag("@finish_track")]
    | Annotated[FinishCategory, Tag("@finish_category")]
    | Annotated[Exercises, Tag("@exercises")]
    | Annotated[SkillLevel, Tag("@skill_level")]
    | Annotated[Streak, Tag("@streak")]
    | Annotated[RankTarget, Tag("@rank")],
    Discriminator(_tag),
    BeforeValidator(_known_type),
]


class GoalCreate(Strict):
    title: Title
    description: Description = ""
    target_date: date | None = Field(None, description="the learner's local date to reach it by")
    target: Target = Field(
        description="what reaching the goal means, by `type`: finish_track, finish_category, "
        "exercises (completed after the goal is set), skill_level, streak, or rank"
    )


class GoalUpdate(Strict):
    """Only the fields sent change; `target_date: null` clears the date. The target is fixed."""

    title: Title | None = None
    description: Description | None = None
    target_date: date | None = None
    status: ChosenStatus | None = Field(
        None, description="abandon an active goal, or resume an abandoned one"
    )


class GoalProgressRead(BaseModel):
    current: int
    target: int
    percent: int = Field(ge=0, le=100)


class GoalRead(BaseModel):
    id: uuid.UUID
    title: str
    description: str
    target: Target
    target_date: date | None
    status: Status = Field(description="overdue: active, and today is after target_date")
    progress: GoalProgressRead
    achieved_at: datetime | None
    created_at: datetime
    updated_at: datetime


class GoalList(BaseModel):
    items: list[GoalRead]
