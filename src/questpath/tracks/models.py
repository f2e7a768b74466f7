"""Tables of learning tracks: a tree of categories holding checklist items.

Every table leads its primary key with user_id, so a learner's tracks sit together and shard by
learner. Deleting a track deletes its categories and items through the foreign keys.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from questpath.db import Base, UTCDateTime


def _user_key() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


def _same_learner(table: str, column: str, target: str) -> ForeignKeyConstraint:
    """A reference to another row of the same learner; deleting that row deletes this one."""
    return ForeignKeyConstraint(
        ["user_id", column],
        [f"{target}.user_id", f"{target}.id"],
        ondelete="CASCADE",
        name=f"fk_{table}_{column}",
    )


def _track_of(table: str) -> ForeignKeyConstraint:
    return _same_learner(table, "track_id", "tracks")


class Track(Base):
    __tablename__ = "tracks"

    user_id: Mapped[uuid.UUID] = _user_key()
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    template_id: Mapped[str | None] = mapped_column(String(64))  # when adopted from a template
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TrackCategory(Base):
    __tablename__ = "track_categories"
    __table_args__ = (
        _track_of("track_categories"),
        _same_learner("track_categories", "parent_id", "track_categories"),
        Index("ix_track_categories_track", "user_id", "track_id"),
        Index("ix_track_categories_parent", "user_id", "parent_id"),
    )

    user_id: Mapped[uuid.UUID] = _user_key()
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    track_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # None: a top-level category
    position: Mapped[int] = mapped_column(Integer)  # among its siblings
    title: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text)


class TrackItem(Base):
    __tablename__ = "track_items"
    __table_args__ = (
        _track_of("track_items"),
        _same_learner("track_items", "category_id", "track_categories"),
        _same_learner("track_items", "parent_id", "track_items"),
        Index("ix_track_items_track", "user_id", "track_id"),
        # The foreign keys' own lookups: without them a cascading delete scans the table once
        # for every row it deletes.
        Index("ix_track_items_category", "user_id", "category_id"),
        Index("ix_track_items_parent", "user_id", "parent_id"),
    )

    user_id: Mapped[uuid.UUID] = _user_key()
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    track_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    category_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # None: directly in the track
    parent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # None: not a sub-item
    position: Mapped[int] = mapped_column(Integer)  # among its siblings
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    # Links to read or watch, [{"title": ..., "url": ...}] in document order (tracks/links.py).
    resources: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(16))
    horizon: Mapped[str | None] = mapped_column(String(16))
    due_date: Mapped[date | None] = mapped_column(Date)
    topic: Mapped[str | None] = mapped_column(String(100))
    # On the track's learning path: the path section (a category whose heading names a horizon)
    # that lists it, and its place on the whole path. No foreign key: the section may be the
    # item's own category or another, and a path without its section is simply no path.
    path_category_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    path_position: Mapped[int | None] = mapped_column(Integer)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when a re-imported document no longer lists the item: it leaves the tree, the path
    # and the counts, but its events stay, and a document listing it again brings it back.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TrackShare(Base):
    """A read-only link to a track. Looked up by the hash of its unguessable token alone; the
    token itself is shown once, when the link is made."""

    __tablename__ = "track_shares"
    __table_args__ = (
        _track_of("track_shares"),
        UniqueConstraint("user_id", "track_id", name="uq_track_shares_track"),  # one per track
    )

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    track_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
