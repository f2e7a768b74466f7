"""Request and response bodies of the tracks API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from questpath.events.schemas import AchievementUnlocked, Topic
from questpath.problems import Invalid
from questpath.text import NoBidiControls
from questpath.tracks.drafts import Horizon, ItemState, Priority

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), NoBidiControls
]
LongText = Annotated[str, StringConstraints(max_length=20_000)]
ExportFormat = Literal["markdown", "json"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Patch(_Strict):
    def set_fields(self, not_null: tuple[str, ...]) -> dict[str, Any]:
        """The fields the body sets; null is refused for those that cannot be empty."""
        values = self.model_dump(exclude_unset=True)
        nulls = [name for name in not_null if name in values and values[name] is None]
        if nulls:
            raise Invalid.field(nulls[0], "may not be null")
        return values


class CompletionRead(BaseModel):
    total: int
    done: int
    skipped: int
    in_progress: int
    percent: int = Field(description="done / (total - skipped), in whole percent")
    finished: bool = Field(description="every item done or skipped, at least one done")


class ItemResourceRead(BaseModel):
    """A link to read or watch for an item: a link that was its title, or one of a list of links
    in its description."""

    title: str
    url: str = Field(description="as written; pages link it only when it is http or https")


class ItemRead(BaseModel):
    id: uuid.UUID
    title: str
    description: str
    resources: list[ItemResourceRead] = Field(description="links for the item, in document order")
    notes: str = Field(description="the learner's own notes")
    state: ItemState
    priority: Priority
    horizon: Horizon | None
    due_date: date | None
    topic: str | None = Field(
        description="set on the item; null means its top-level category's title, unnumbered"
    )
    effective_topic: str = Field(description="the topic skill levels count this item under")
    path_position: int | None = Field(
        default=None, description="its place on the track's learning path, from 0; null: off it"
    )
    path_section_id: uuid.UUID | None = Field(
        default=None,
        description="the category (a heading naming a horizon) that lists it on the learning "
        "path; null: off it",
    )
    section: str | None = Field(
        description="the headings it sits under below its top-level category, joined by ' › '; "
        "null directly in a top-level category or in the track"
    )
    completed_at: datetime | None
    children: list[ItemRead]


class CategoryRead(BaseModel):
    id: uuid.UUID
    title: str
    notes: str
    progress: CompletionRead
    items: list[ItemRead]
    categories: list[CategoryRead]


class ShareRead(BaseModel):
    """A track's read-only link. Only the token's hash is kept, so the token and the address are
    present only in the answer that made the link (201 from share or replace), null afterwards."""

    token: str | None = Field(
        description="the secret of the link; present only in the answer that made it, else null"
    )
    url: str | None = Field(
        description="/api/shared/{token}, read-only, for anyone who has the link; present only "
        "in the answer that made it, else null"
    )
    created_at: datetime = Field(description="when this link was made")


class TrackSummary(BaseModel):
    id: uuid.UUID
    title: str
    description: str
    template_id: str | None
    progress: CompletionRead
    created_at: datetime
    updated_at: datetime


class TrackRead(TrackSummary):
    share: ShareRead | None = Field(
        description="the read-only link when the track is shared (without its address, which is "
        "shown only when made), else null"
    )
    items: list[ItemRead] = Field(description="items outside any category")
    categories: list[CategoryRead]


class ArchivedItemRead(ItemRead):
    """An item a re-import removed: out of the tree, kept with its state for a later document
    that lists it again."""

    category_id: uuid.UUID | None = Field(description="where it was; null: in the track itself")
    parent_id: uuid.UUID | None = Field(description="the item it was nested under, if any")
    archived_at: datetime


class TrackExportRead(TrackRead):
    """A track as the account export holds it: the tree GET /api/tracks/{id} returns, and its
    archived items, flat (each with its place)."""

    archived_items: list[ArchivedItemRead]


class SharedTrackRead(BaseModel):
    """A shared track: the roadmap and its states, without the owner's notes or identity."""

    title: str
    description: str
    progress: CompletionRead
    items: list[ItemRead]
    categories: list[CategoryRead]


class TrackList(BaseModel):
    items: list[TrackSummary]


class TrackUpdate(_Patch):
    title: Title | None = None
    description: LongText | None = None


class ResourceWrite(_Strict):
    """A link for an item. Brackets in the title and spaces or angle brackets in the URL are
    refused: Markdown export writes the resource as `[title](url)`."""

    title: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=500, pattern=r"^[^\[\]\\\n\r]+$"
        ),
        NoBidiControls,
    ]
    url: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=2000, pattern=r"^[^\s<>\\]+$"
        ),
    ]


Resources = Annotated[list[ResourceWrite], Field(max_length=100)]


class ItemCreate(_Strict):
    title: Title
    description: LongText = ""
    resources: Resources = Field(default_factory=list, description="links for the item")
    notes: LongText = ""
    category_id: uuid.UUID | None = Field(None, description="null: directly in the track")
    parent_id: uuid.UUID | None = Field(None, description="an item to nest this one under")
    state: ItemState = "todo"
    priority: Priority = "normal"
    horizon: Horizon | None = None
    due_date: date | None = None
    topic: Topic | None = None


class ItemUpdate(_Patch):
    title: Title | None = None
    description: LongText | None = None
    resources: Resources | None = Field(None, description="replaces the item's links")
    notes: LongText | None = None
    state: ItemState | None = None
    priority: Priority | None = None
    horizon: Horizon | None = None
    due_date: date | None = None
    topic: Topic | None = None


class ItemChanged(BaseModel):
    item: ItemRead
    track_progress: CompletionRead
    events_recorded: list[str] = Field(description="kinds of the events this change recorded")
    xp_awarded: int
    achievements_unlocked: list[AchievementUnlocked]


class PathItem(BaseModel):
    id: uuid.UUID
    track_id: uuid.UUID
    track_title: str
    category_id: uuid.UUID | None
    category_title: str | None
    title: str
    state: ItemState
    priority: Priority
    horizon: Horizon | None
    due_date: date | None
    topic: str
    path_position: int | None = Field(
        default=None, description="its place on its track's learning path; null: off it"
    )
    section: str | None = Field(description="its headings below its top-level category")


class PathGroup(BaseModel):
    horizon: Horizon | None = Field(description="null: items without a horizon, last")
    items: list[PathItem]


class LearningPath(BaseModel):
    total_open: int = Field(description="open items across all tracks, before the limit")
    groups: list[PathGroup]


class TemplateRead(BaseModel):
    id: str
    title: str
    description: str
    categories: int
    items: int


class ReimportChange(BaseModel):
    """One item a re-import adds, restores, changes, moves or removes."""

    id: uuid.UUID | None = Field(description="the stored item; null for a new one")
    title: str
    category: list[str] = Field(description="its headings from the top level; [] the track")
    previous_title: str | None = Field(description="its title before, when that differs")
    previous_category: list[str] | None = Field(description="its headings before")
    fields: list[str] = Field(
        description="what changes of a kept item: title, description, resources, notes, parent"
    )


class ReimportRead(BaseModel):
    """What re-importing a document into a track does (a preview) or did. Kept items keep their
    state; removed ones are archived, keeping their events and XP."""

    applied: bool = Field(description="false for a preview (dry_run): nothing was changed")
    added: list[ReimportChange] = Field(description="new items, in the document's state")
    restored: list[ReimportChange] = Field(
        description="archived items the document lists again, back with their state"
    )
    changed: list[ReimportChange] = Field(description="kept items whose texts change")
    moved: list[ReimportChange] = Field(description="kept items going to another category")
    removed: list[ReimportChange] = Field(description="items to archive")
    unchanged: int = Field(description="kept items with nothing to change but their place")
    track: TrackSummary
