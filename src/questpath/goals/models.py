"""The goals table: what a learner set out to reach, and whether they did.

It leads with user_id, like every per-learner table, so a learner's goals sit together and shard
by learner.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from questpath.db import Base, UTCDateTime
from questpath.goals.rules import StoredStatus


class Goal(Base):
    __tablename__ = "goals"
    # Settling after every event batch asks for the learner's active goals: one index lookup.
    __table_args__ = (Index("ix_goals_user_status", "user_id", "status"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    # The target as the learner gave it (a JSON object with its "type"); it never changes.
    target: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Exercise goals: the learner's exercise count (overall or in the topic) at creation.
    baseline: Mapped[int] = mapped_column(BigInteger, default=0)
    target_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[StoredStatus] = mapped_column(String(16))
    achieved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
