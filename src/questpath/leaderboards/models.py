"""Who takes part in the leaderboards: a row for each learner who joined, none for the rest."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from questpath.db import Base, UTCDateTime


class LeaderboardMember(Base):
    __tablename__ = "leaderboard_members"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    show_name: Mapped[bool] = mapped_column(Boolean)  # else an alias
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LeaderboardSize(Base):
    """How many learners' rows each board lists (`progress_periods.listed`), kept with them, so
    that a learner's percentile needs no count of the whole board."""

    __tablename__ = "leaderboard_sizes"

    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    start: Mapped[date] = mapped_column(Date, primary_key=True)
    learners: Mapped[int] = mapped_column(Integer)


class LeaderboardScore(Base):
    """How many of a board's listed rows hold each XP, kept with them, so that a learner's rank
    adds up one row per distinct score above them instead of counting learners. A score no
    listed row holds has no row."""

    __tablename__ = "leaderboard_scores"
    # On SQLite the key holds the counts too, so that a rank reads the key alone.
    __table_args__ = ({"sqlite_with_rowid": False},)

    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    start: Mapped[date] = mapped_column(Date, primary_key=True)
    xp: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    learners: Mapped[int] = mapped_column(Integer)


class LeaderboardStreak(Base):
    """The streak of a learner who joined the leaderboards, as the streak board reads it: its
    length, the local date it reached that length (its last active date), and the last local
    date on which it is still current (`rules.alive_until`). Kept by the recorder from the
    streak in `progress_totals` and the learner's vacations; no row without a streak."""

    __tablename__ = "leaderboard_streaks"
    __table_args__ = (
        Index("ix_leaderboard_streaks_board", "run", "reached_on", "alive_until", "user_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    run: Mapped[int] = mapped_column(Integer)
    reached_on: Mapped[date] = mapped_column(Date)
    alive_until: Mapped[date] = mapped_column(Date)


class LeaderboardStreakCount(Base):
    """How many rows of `leaderboard_streaks` hold each length and last current day, kept with
    them: the streak board of a day is the rows alive until then or later, one range of this
    key, so a rank adds up a few rows whatever the number of learners."""

    __tablename__ = "leaderboard_streak_counts"
    __table_args__ = ({"sqlite_with_rowid": False},)

    alive_until: Mapped[date] = mapped_column(Date, primary_key=True)
    run: Mapped[int] = mapped_column(Integer, primary_key=True)
    learners: Mapped[int] = mapped_column(Integer)
