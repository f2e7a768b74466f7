"""Published badges: one hosted Open Badges assertion per row, and each learner's choice to
publish every achievement as it unlocks."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from questpath.db import Base, UTCDateTime


class BadgeAssertion(Base):
    """A hosted assertion: public at its URL until revoked (then it answers 410 Gone).

    The recipient is stored as the salted hash of the e-mail address it was issued to, so that a
    later change of address does not change what was asserted."""

    __tablename__ = "badge_assertions"
    __table_args__ = (
        Index("ix_badge_assertions_id", "id", unique=True),  # the public URL names only the id
        Index("ix_badge_assertions_user_id_achievement_id", "user_id", "achievement_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    achievement_id: Mapped[str] = mapped_column(String(64))
    salt: Mapped[str] = mapped_column(String(64))
    identity: Mapped[str] = mapped_column(String(80))  # "sha256$" + hex
    issued_on: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BadgeSettings(Base):
    """A learner who publishes every achievement as it unlocks; no row for the others."""

    __tablename__ = "badge_settings"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    publish_all: Mapped[bool] = mapped_column(Boolean)
