"""Request and response bodies of progress sharing: the learner's settings, and the public page."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from questpath.fields import Flag
from questpath.sharing.rules import DEFAULT_SECTIONS, HANDLE_MAX, HANDLE_MIN, Section

MAX_SHARED_TRACKS = 100


class SharingUpdate(BaseModel):
    """The whole of the sharing settings; a field left out takes its default."""

    model_config = ConfigDict(extra="forbid")

    enabled: Flag = Field(description="whether the public page and badge answer at all")
    handle: str | None = Field(
        None,
        max_length=100,
        description=f"a public profile at /u/{{handle}}: {HANDLE_MIN}-{HANDLE_MAX} letters a-z, "
        "digits, '-' or '_', unique ignoring case; null for none (the page is then reached only "
        "by its link and asks search engines not to index it)",
    )
    sections: list[Section] = Field(
        default=list(DEFAULT_SECTIONS),
        max_length=20,
        description="what the public page shows; anything not listed stays private",
    )
    tracks: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=MAX_SHARED_TRACKS,
        description="the caller's tracks to show (title and completion) when 'tracks' is shared",
    )


ONCE = (
    "; present only in the response that made the link (the first PUT, or a revoke) and null "
    "afterwards: only its hash is kept, so it cannot be shown again"
)


class SharingRead(BaseModel):
    enabled: bool
    has_link: bool = Field(
        description="whether a link exists; it answers while `enabled`, and a revoke replaces it"
    )
    token: str | None = Field(description="the secret of the link" + ONCE)
    url: str | None = Field(description="the public page, /p/{token}" + ONCE)
    badge_url: str | None = Field(
        description="an SVG badge of rank and streak for a README, /p/{token}/badge.svg" + ONCE
    )
    handle: str | None
    profile_url: str | None = Field(description="/u/{handle} when a handle is set")
    profile_badge_url: str | None = Field(
        description="the badge under the handle, /u/{handle}/badge.svg, when a handle is set"
    )
    sections: list[Section]
    tracks: list[uuid.UUID]
    updated_at: datetime | None


class SharedRank(BaseModel):
    name: str
    icon: str


class SharedLevel(BaseModel):
    level: int
    xp: int
    level_progress_percent: int


class SharedStreaks(BaseModel):
    current: int
    longest: int


class SharedBadge(BaseModel):
    name: str
    description: str
    icon: str
    points: int


class SharedSkill(BaseModel):
    topic: str
    level: str
    exercises_completed: int


class SharedTrackProgress(BaseModel):
    title: str
    done: int
    total: int
    percent: int
    finished: bool


class PublicProgress(BaseModel):
    """Only what the learner chose: a section left out is null, and nothing else is here."""

    handle: str | None
    indexable: bool = Field(description="a public profile; a page reached by link alone is not")
    today: date
    rank: SharedRank | None = None
    level: SharedLevel | None = None
    streaks: SharedStreaks | None = None
    badges: list[SharedBadge] | None = None
    skill_levels: list[SharedSkill] | None = None
    activity: dict[date, int] | None = Field(None, description="events per active local date")
    tracks: list[SharedTrackProgress] | None = None
