"""Request and response bodies of the progress API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from questpath.events.schemas import EventId, Topic
from questpath.fields import Moment, WholeNumber
from questpath.progress.vacations import (
    MAX_DAY_START_HOUR,
    MAX_DAYS_AHEAD,
    MAX_VACATION_DAYS,
    VacationStatus,
)

LocalDate = date  # for fields named "date", which would shadow the type in their class
Period = Literal["daily", "weekly", "monthly", "all"]


class RankResourceRead(BaseModel):
    title: str
    url: str | None = Field(
        description="an http(s) address, or a path in QuestPath such as /reviews; "
        "null for a general suggestion"
    )


class RankRead(BaseModel):
    """A rung of the rank ladder and its guide: what to focus on, what a learner at this rank can
    do and is expected to deliver, what tends to be hard, what to do next, and where to look."""

    id: str
    name: str
    icon: str
    min_projects: int
    max_projects: int | None = Field(description="null for the top rank")
    focus: str = Field(description="what this rank is about, in a phrase")
    what_you_can_do: list[str] = Field(description="what a learner at this rank can do")
    quality_expectations: list[str] = Field(description="what good work looks like at this rank")
    common_challenges: list[str] = Field(description="what learners at this rank often find hard")
    next_steps: list[str] = Field(description="what to do to move on from this rank")
    resources: list[RankResourceRead] = Field(description="where to look for help at this rank")


class Requirement(BaseModel):
    metric: str
    current: int
    target: int
    missing: int
    description: str = Field(
        description="the requirement as a sentence, e.g. "
        "'Complete 3 more projects to reach Competent'"
    )


class SkillLevelRead(BaseModel):
    topic: str
    level: str
    exercises_completed: int
    average_grade: float | None
    time_spent_seconds: int
    previous_level: str | None
    level_updated_at: datetime | None
    next_level: str | None
    exercises_to_next_level: int = Field(description="0 when only the average grade is missing")
    average_grade_for_next_level: float | None
    next_level_eta: date | None = Field(
        description="when the exercise count would be reached at the recent pace in this topic; "
        "null when there is no next level, no recent activity, or the grade falls short"
    )


class Predictions(BaseModel):
    window_days: int
    next_level_eta: date | None
    next_rank_eta: date | None


class ProgressRead(BaseModel):
    today: date = Field(description="the learner's local date now")
    timezone: str
    xp: int
    level: int
    xp_to_next_level: int
    xp_for_current_level: int = Field(description="total XP at which the current level began")
    xp_for_next_level: int
    level_progress_percent: int
    rank: RankRead
    next_rank: RankRead | None
    rank_requirements_missing: list[Requirement]
    exercises_completed: int
    projects_completed: int
    study_sessions: int
    current_streak: int
    longest_streak: int
    streak_freezes: int
    on_vacation_until: date | None = Field(
        default=None,
        description="the last day of the vacation covering today; null when not on vacation",
    )
    active_days: int
    total_time_spent_seconds: int
    average_grade: float | None
    hints_used: int
    achievements_unlocked: int = Field(description="how many achievements are unlocked")
    achievement_points: int
    skill_levels: list[SkillLevelRead]
    predictions: Predictions


class AchievementRead(BaseModel):
    id: str
    name: str
    description: str
    category: str
    metric: str
    icon: str
    points: int
    unlocked: bool
    unlocked_at: datetime | None
    progress: int = Field(ge=0, le=100, description="percent of the target reached")
    current: int
    target: int
    eta: date | None = Field(
        description="when it should unlock at the learner's recent pace; null when locked with "
        "no recent progress, or already unlocked"
    )


class AchievementsRead(BaseModel):
    achievements: list[AchievementRead]


class Badge(BaseModel):
    id: str
    name: str
    description: str
    category: str
    icon: str
    points: int
    earned_at: datetime | None = None
    progress: int = 0


class BadgesRead(BaseModel):
    earned: list[Badge]
    available: list[Badge]
    total_points: int = Field(description="points of the earned badges")
    available_points: int = Field(description="points still to earn")


class StreakUpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: Moment | None = Field(None, description="when the learner checked in; default now")
    id: EventId | None = Field(None, description="idempotency key of the check-in event")


class UnlockedRead(BaseModel):
    id: str
    name: str
    description: str
    icon: str
    points: int


class StreakUpdateRead(BaseModel):
    date: LocalDate = Field(description="the local date checked in")
    current_streak: int
    longest_streak: int
    streak_freezes: int
    status: Literal["started", "incremented", "maintained", "restored_by_freeze"]
    new_record: bool
    achievements_unlocked: list[UnlockedRead]


class TopicStatistics(BaseModel):
    topic: str
    exercises_completed: int
    average_grade: float | None
    items_completed: int = Field(description="track items done for the first time")


class TrendPoint(BaseModel):
    date: LocalDate
    exercises_completed: int
    average_grade: float | None
    time_spent_seconds: int
    xp_gained: int


class StatisticsRead(BaseModel):
    period: Period
    start_date: date | None = Field(description="first local date counted; null for all")
    end_date: date
    exercises_completed: int
    projects_completed: int
    study_sessions: int
    average_grade: float | None
    average_time_seconds: float | None = Field(description="per exercise that reported its time")
    total_hints: int
    hints_per_exercise: float | None
    time_spent_seconds: int
    xp_gained: int
    by_topic: list[TopicStatistics]
    grade_distribution: dict[str, int]
    trend_7d: list[TrendPoint]


class Snapshot(BaseModel):
    date: LocalDate
    events: int
    exercises_completed: int
    cumulative_exercises: int
    projects_completed: int
    study_sessions: int
    time_spent_seconds: int
    average_grade: float | None
    hints_used: int
    xp_gained: int
    streak: int
    freezes_spent: int
    achievements_unlocked: list[str]


class HistoryRead(BaseModel):
    start_date: date
    end_date: date
    snapshots: list[Snapshot]


class SkillLevelsRead(BaseModel):
    skill_levels: list[SkillLevelRead]


class SkillLevelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topic: Topic


class SkillLevelChange(BaseModel):
    topic: str
    level: str
    previous_level: str | None
    changed: bool


# The day start and vacations --------------------------------------------------------------------


class DayStartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day_start_hour: WholeNumber = Field(
        ge=0,
        le=MAX_DAY_START_HOUR,
        description="the local hour at which the learner's day starts: activity before it "
        f"counts for the day before (0 = midnight, at most {MAX_DAY_START_HOUR})",
    )


class DayStartRead(BaseModel):
    day_start_hour: int = Field(description="the local hour at which the learner's day starts")
    today: LocalDate = Field(description="the learner's day now, with this day start")


class VacationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start_date: LocalDate = Field(
        description="the first local date of the vacation: today or later, at most "
        f"{MAX_DAYS_AHEAD} days ahead"
    )
    end_date: LocalDate = Field(
        description="the last local date of the vacation, inclusive: at most "
        f"{MAX_VACATION_DAYS} days after start_date counting both"
    )


class VacationRead(BaseModel):
    id: str
    start_date: LocalDate
    end_date: LocalDate = Field(
        description="the last day the vacation covers; the day before start_date when cancelled"
    )
    planned_end_date: LocalDate = Field(description="the last day as scheduled")
    status: VacationStatus


class VacationList(BaseModel):
    items: list[VacationRead] = Field(description="every vacation, latest start first")
    on_vacation_until: LocalDate | None = Field(
        description="the last day of the vacation covering today; null when not on vacation"
    )
