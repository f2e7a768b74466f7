"""Request and response bodies of published badges."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from questpath.fields import Flag


class BadgeSettingsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    publish_all: Flag = Field(
        description="publish every unlocked achievement now, and each new one as it unlocks"
    )


class BadgeSettingsRead(BaseModel):
    publish_all: bool


class BadgeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    achievement: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="the id of one of the caller's unlocked achievements"
    )


class BadgeRead(BaseModel):
    id: uuid.UUID
    achievement: str = Field(description="the achievement's id")
    name: str = Field(description="the achievement's name")
    issued_on: datetime
    revoked: bool
    revoked_at: datetime | None
    url: str = Field(description="the hosted Open Badges 2.0 assertion, public until revoked")
    image_url: str = Field(description="the badge image with the assertion baked in (PNG)")


class PublishedBadgesRead(BaseModel):
    badges: list[BadgeRead] = Field(description="newest first, revoked ones too")


Ob3Credential = dict[str, Any]
