"""Tables of mentorship: who mentors whom, and the invite links that start it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from questpath.db import Base, UTCDateTime


class Mentorship(Base):
    """The mentor reads the mentee's progress while `ended_at` is null. An ended row is kept as
    a record until either account is erased; mentoring again makes a new row."""

    __tablename__ = "mentorships"
    __table_args__ = (
        Index("ix_mentorships_mentee_id", "mentee_id"),
        Index("ix_mentorships_mentor_id", "mentor_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    mentee_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    mentor_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    allow_notes: Mapped[bool] = mapped_column(Boolean)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MentorInvite(Base):
    """A learner's one open invite link: a new one replaces it, accepting it uses it up. Only
    the token's hash is kept, so the link is shown once, when it is made."""

    __tablename__ = "mentor_invites"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
