"""Request and response bodies of the notifications."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from questpath.fields import Flag
from questpath.notifications.rules import Kind

MAX_MARKED = 500


class NotificationRead(BaseModel):
    id: uuid.UUID
    kind: Kind
    title: str = Field(description="one line to show the learner")
    link: str = Field(description="the page of the app where the learner acts on it")
    data: dict[str, Any] = Field(
        description="the facts behind it, by kind: achievement.unlocked {id, name, description, "
        "category, points}; level.up {level, xp}; rank.up {rank {id, name}, "
        "projects_completed}; goal.achieved {goal_id, title}; streak.at_risk {streak, day}; "
        "reviews.due {count, day}"
    )
    created_at: datetime
    read_at: datetime | None


class NotificationsPage(BaseModel):
    items: list[NotificationRead]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null: last")
    unread: int = Field(description="how many of the learner's notifications are unread")


class NotificationsMarkRead(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[uuid.UUID] | None = Field(
        None,
        max_length=MAX_MARKED,
        description="the notifications to mark read; omitted or null: every unread one",
    )


class ReadResult(BaseModel):
    marked: int = Field(description="how many were unread and are read now")
    unread: int


class NotificationSettingsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    streak_reminders: Flag | None = Field(
        None, description="a reminder in the evening when the streak would end tonight"
    )
    review_reminders: Flag | None = Field(
        None, description="a reminder in the morning when review cards are due"
    )
    email_digest: Flag | None = Field(
        None, description="a daily e-mail of the unread notifications; needs a server with mail"
    )


class NotificationSettingsRead(BaseModel):
    streak_reminders: bool = True
    review_reminders: bool = True
    email_digest: bool = False
