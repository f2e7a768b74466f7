"""Request and response bodies of cohorts."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

CohortName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
ONCE = "; shown only in the answer that made it"


class CohortCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: CohortName = Field(description="what its members call it, e.g. 'Evening SQL class'")


class CohortJoin(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=200, description="the secret of an invite link")


class CohortInvite(BaseModel):
    token: str = Field(description="the invite link's secret" + ONCE)
    url: str = Field(description="the invite page, /cohorts/join/{token}" + ONCE)


class CohortSummary(BaseModel):
    id: uuid.UUID
    name: str
    owner: bool = Field(description="whether the caller made it (and may remove its members)")
    members: int


class CohortMemberRead(BaseModel):
    user_id: uuid.UUID
    name: str = Field(description="the member's display name, which members of a cohort see")
    owner: bool
    joined_at: datetime


class CohortProgress(BaseModel):
    week_start: date = Field(description="the Monday of the caller's week")
    active_this_week: int = Field(description="members with an active day in that week")
    xp: int = Field(description="all the members' XP, all time")
    tracks_finished: int = Field(description="tracks the members finished, all time")


class CohortRead(CohortSummary):
    created_at: datetime
    member_list: list[CohortMemberRead]
    progress: CohortProgress


class CohortCreated(CohortRead):
    invite: CohortInvite
