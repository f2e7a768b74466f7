"""Tables of progress sharing: one row of settings per learner, and the tracks they show."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, ForeignKeyConstraint, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from questpath.db import Base, UTCDateTime


class ProgressShare(Base):
    """What a learner shows in public. The page is found by its unguessable token, or by the
    handle when the learner picked one; both work only while `enabled`. Only the token's hash is
    kept, so the link is shown once, when it is made."""

    __tablename__ = "progress_shares"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # replaced when revoked
    handle: Mapped[str | None] = mapped_column(String(32), unique=True)  # stored lower-cased
    sections: Mapped[list[str]] = mapped_column(JSON)  # names from sharing.rules.SECTIONS
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SharedTrack(Base):
    """A track the learner shows on their public page; deleting the track removes it."""

    __tablename__ = "progress_share_tracks"
    __table_args__ = (
        ForeignKeyConstraint(
            ["user_id", "track_id"],
            ["tracks.user_id", "tracks.id"],
            ondelete="CASCADE",
            name="fk_progress_share_tracks_track_id",
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("progress_shares.user_id", ondelete="CASCADE"), primary_key=True
    )
    track_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
