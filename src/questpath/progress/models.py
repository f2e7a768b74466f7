"""Projection tables: aggregates of the event log, kept in step with it in each transaction.

Every table leads with user_id, so a learner's rows sit together and shard by learner.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Uuid, false
from sqlalchemy.orm import Mapped, mapped_column

from questpath.db import Base, UTCDateTime


def _user_key() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


def _counter() -> Mapped[int]:
    return mapped_column(BigInteger, default=0)


class TallyColumns:
    """The additive counters of `rules.Tally`, one column each."""

    events: Mapped[int] = _counter()
    exercises: Mapped[int] = _counter()
    projects: Mapped[int] = _counter()
    study_sessions: Mapped[int] = _counter()
    time_spent_seconds: Mapped[int] = _counter()
    exercise_seconds: Mapped[int] = _counter()
    timed_exercises: Mapped[int] = _counter()
    graded_exercises: Mapped[int] = _counter()
    grade_hundredths: Mapped[int] = _counter()
    hints_used: Mapped[int] = _counter()
    perfect_scores: Mapped[int] = _counter()
    hintless_exercises: Mapped[int] = _counter()
    items_completed: Mapped[int] = _counter()
    categories_finished: Mapped[int] = _counter()
    tracks_finished: Mapped[int] = _counter()
    quizzes: Mapped[int] = _counter()
    quiz_reviews: Mapped[int] = _counter()
    quiz_reviews_passed: Mapped[int] = _counter()
    grades_0_59: Mapped[int] = _counter()
    grades_60_69: Mapped[int] = _counter()
    grades_70_79: Mapped[int] = _counter()
    grades_80_89: Mapped[int] = _counter()
    grades_90_100: Mapped[int] = _counter()
    xp: Mapped[int] = _counter()


class ProgressTotals(TallyColumns, Base):
    """One row per learner: all-time counters and the streak as of the last active day."""

    __tablename__ = "progress_totals"

    user_id: Mapped[uuid.UUID] = _user_key()
    bonus_xp: Mapped[int] = _counter()
    active_days: Mapped[int] = mapped_column(Integer, default=0)
    longest_streak: Mapped[int] = mapped_column(Integer, default=0)
    streak_last_date: Mapped[date | None] = mapped_column(Date)
    streak_run: Mapped[int] = mapped_column(Integer, default=0)
    streak_freezes: Mapped[int] = mapped_column(Integer, default=0)
    distinct_topics: Mapped[int] = mapped_column(Integer, default=0)
    top_topic_exercises: Mapped[int] = _counter()


class ProgressDay(TallyColumns, Base):
    """One row per learner and active local date."""

    __tablename__ = "progress_days"

    user_id: Mapped[uuid.UUID] = _user_key()
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    streak: Mapped[int] = mapped_column(Integer)
    freezes: Mapped[int] = mapped_column(Integer)
    freezes_spent: Mapped[int] = mapped_column(Integer)
    bonus_xp: Mapped[int] = mapped_column(Integer)


class ProgressPeriod(Base):
    """One row per learner and week, month or all time with an active day: the XP of its days
    (streak bonuses included), for the leaderboards. `reached_at` is when it last rose.
    `listed` is not derived from the log: `questpath.leaderboards` keeps it true while the
    learner is on the leaderboards, so that a board is one range of the index."""

    __tablename__ = "progress_periods"
    __table_args__ = (Index("ix_progress_periods_board", "period", "start", "listed", "xp"),)

    user_id: Mapped[uuid.UUID] = _user_key()
    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    start: Mapped[date] = mapped_column(Date, primary_key=True)
    xp: Mapped[int] = mapped_column(BigInteger)
    reached_at: Mapped[datetime] = mapped_column(UTCDateTime)
    listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ProgressTopic(TallyColumns, Base):
    """One row per learner and topic: the counters behind skill levels."""

    __tablename__ = "progress_topics"

    user_id: Mapped[uuid.UUID] = _user_key()
    topic: Mapped[str] = mapped_column(String(100), primary_key=True)
    first_exercise_date: Mapped[date | None] = mapped_column(Date)
    level: Mapped[str] = mapped_column(String(40))
    previous_level: Mapped[str | None] = mapped_column(String(40))
    level_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProgressTopicDay(TallyColumns, Base):
    """One row per learner, local date and topic: per-topic statistics for a period."""

    __tablename__ = "progress_topic_days"

    user_id: Mapped[uuid.UUID] = _user_key()
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    topic: Mapped[str] = mapped_column(String(100), primary_key=True)


class UnlockedAchievement(Base):
    """An achievement a learner unlocked: written once, never removed."""

    __tablename__ = "unlocked_achievements"

    user_id: Mapped[uuid.UUID] = _user_key()
    achievement_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    unlocked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The latest local date of the activity that unlocked it: its day in the history.
    local_date: Mapped[date] = mapped_column(Date)


class Vacation(Base):
    """A learner's vacation as the log's `vacation_scheduled` and `vacation_ended` events leave
    it: `last_day` is where it ends now, before `first_day` when it was cancelled."""

    __tablename__ = "vacations"

    user_id: Mapped[uuid.UUID] = _user_key()
    vacation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_day: Mapped[date] = mapped_column(Date)
    planned_last_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
