"""Who takes part in the leaderboards: a row for each learner who joined, none for the rest."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from questpath.db import Base, UTCDateTime


class LeaderboardMember(Base):
    __tablename__ = "leaderboard_members"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    show_name: Mapped[bool] = mapped_column(Boolean)  # else an alias
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
