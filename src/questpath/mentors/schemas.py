"""Request and response bodies of mentorship: invites, mentors and mentees."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from questpath.fields import Flag


class MentorInviteRead(BaseModel):
    token: str = Field(
        description="the secret of the link; shown in this answer only, as only its hash is kept"
    )
    url: str = Field(description="the page that accepts the invite, /mentor-invites/{token}")
    expires_at: datetime = Field(description="after this the link answers 404")


class MentorRead(BaseModel):
    """One of the caller's mentors, as the mentee sees them."""

    user_id: uuid.UUID
    display_name: str
    email: str = Field(description="so the mentee knows whose account accepted the link")
    allow_notes: bool = Field(description="whether this mentor sees the mentee's notes")
    started_at: datetime


class MentorList(BaseModel):
    items: list[MentorRead]


class MentorUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allow_notes: Flag = Field(
        description="let this mentor see track and item notes and events' metadata"
    )


class MenteeRead(BaseModel):
    """A learner the caller mentors."""

    user_id: uuid.UUID
    display_name: str
    allow_notes: bool = Field(description="whether the mentee shows you their notes")
    started_at: datetime


class MenteeList(BaseModel):
    items: list[MenteeRead]


class MentorshipRecord(BaseModel):
    """One mentorship of the account, on either side, ended ones too: the account export's."""

    role: Literal["mentee", "mentor"] = Field(description="the account's side of it")
    other_user_id: uuid.UUID
    other_display_name: str
    allow_notes: bool
    started_at: datetime
    ended_at: datetime | None
