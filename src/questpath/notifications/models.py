"""Notifications shown to a learner in the app, and each learner's choices about them.

A notification is written in the transaction that caused it (the recorder's, for progress) or
by the reminder sweep. `key` makes a reminder once per learner and day, whichever server
process sends it first: the others' inserts meet the unique index and do nothing.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from questpath.db import Base, UTCDateTime


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_created", "user_id", "created_at", "id"),
        Index("uq_notifications_user_key", "user_id", "key", unique=True),
        # The unread count in the navigation of every page: just the unread rows.
        Index(
            "ix_notifications_unread",
            "user_id",
            postgresql_where=text("read_at IS NULL"),
            sqlite_where=text("read_at IS NULL"),
        ),
        # What the SQLite process-wide poll reads: anything new since its last look.
        Index("ix_notifications_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    key: Mapped[str | None] = mapped_column(String(80), nullable=True)


class NotificationSettings(Base):
    """A learner's choices; a learner without a row has the defaults."""

    __tablename__ = "notification_settings"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    streak_reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    review_reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    email_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    # The learner's day whose digest was sent last: one digest a day, whichever process sends.
    digest_sent_on: Mapped[date | None] = mapped_column(Date, nullable=True)
