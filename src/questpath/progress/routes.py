"""Progress API: the learner's standing, achievements, streaks, statistics and history."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from questpath.auth.dependencies import (
    CanReadProgress,
    CanWriteAndReadProfile,
    CanWriteEventsReadProgress,
    CredentialCacheDep,
)
from questpath.auth.limits import WriteLimitedRoute
from questpath.clock import Now
from questpath.dependencies import RulesetDep, SessionDep
from questpath.progress import service, streak_settings
from questpath.progress.dependencies import Learner, RecorderDep
from questpath.progress.rules import MAX_HISTORY_DAYS
from questpath.progress.schemas import (
    AchievementsRead,
    BadgesRead,
    DayStartIn,
    DayStartRead,
    HistoryRead,
    Period,
    ProgressRead,
    SkillLevelChange,
    SkillLevelIn,
    SkillLevelsRead,
    StatisticsRead,
    StreakUpdateIn,
    StreakUpdateRead,
    VacationCreate,
    VacationList,
    VacationRead,
)

router = APIRouter(prefix="/api/progress", tags=["progress"], route_class=WriteLimitedRoute)
settings_router = APIRouter(prefix="/api", tags=["streak settings"], route_class=WriteLimitedRoute)


@router.get("")
async def read_progress(
    user: Learner, session: SessionDep, ruleset: RulesetDep, now: Now
) -> ProgressRead:
    """XP, level, rank, streaks, totals, skill levels and predictions in one read."""
    return await service.progress(session, ruleset, user, now)


@router.get("/achievements")
async def read_achievements(
    user: Learner, session: SessionDep, ruleset: RulesetDep, now: Now
) -> AchievementsRead:
    """Every achievement: unlocked ones with their date, locked ones with progress and an ETA."""
    return await service.achievements(session, ruleset, user, now)


@router.get("/badges")
async def read_badges(
    user: Learner, session: SessionDep, ruleset: RulesetDep, now: Now
) -> BadgesRead:
    return await service.badges(session, ruleset, user, now)


@router.post("/update-streak")
async def update_streak(
    principal: CanWriteEventsReadProgress,
    session: SessionDep,
    recorder: RecorderDep,
    now: Now,
    body: StreakUpdateIn | None = None,
) -> StreakUpdateRead:
    """Check in for the day: records a `check_in` event, which keeps the streak alive."""
    return await service.update_streak(session, recorder, principal, body or StreakUpdateIn(), now)


@router.get("/statistics")
async def read_statistics(
    user: Learner,
    session: SessionDep,
    ruleset: RulesetDep,
    now: Now,
    period: Period = "all",
) -> StatisticsRead:
    """Performance over today, the last 7 or 30 local days, or all time."""
    return await service.statistics(session, ruleset, user, period, now)


# The history's query parameters, for every route that reads a history.
HistoryDays = Annotated[
    int | None,
    Query(ge=1, le=MAX_HISTORY_DAYS, description="the last N local days; not with a range"),
]
HistoryStart = Annotated[
    date | None, Query(description="first local date, inclusive; needs end_date")
]
HistoryEnd = Annotated[
    date | None, Query(description="last local date, inclusive; needs start_date")
]


@router.get("/history")
async def read_history(
    user: Learner,
    session: SessionDep,
    now: Now,
    days: HistoryDays = None,
    start_date: HistoryStart = None,
    end_date: HistoryEnd = None,
) -> HistoryRead:
    """One snapshot per local date with activity; the last 30 days unless a range is given.

    Give either `days`, or `start_date` and `end_date` together (not before `start_date`, at
    most 366 days in all), or neither: any other combination is refused with a 422 naming the
    parameter at fault."""
    return await service.history(session, user, days, start_date, end_date, now)


@router.get("/skill-levels")
async def read_skill_levels(
    user: Learner, session: SessionDep, ruleset: RulesetDep, now: Now
) -> SkillLevelsRead:
    return await service.skill_levels(session, ruleset, user, now)


@router.post("/calculate-skill-level")
async def calculate_skill_level(
    body: SkillLevelIn,
    principal: CanWriteEventsReadProgress,
    session: SessionDep,
    recorder: RecorderDep,
    now: Now,
) -> SkillLevelChange:
    """Recalculate one topic's level from its exercises under the current rules."""
    return await service.calculate_skill_level(session, recorder, principal.user, body.topic, now)


# Streak settings: the day start and vacations ---------------------------------------------------


@settings_router.put("/users/me/day-start")
async def set_day_start(
    body: DayStartIn,
    principal: CanWriteAndReadProfile,
    session: SessionDep,
    recorder: RecorderDep,
    cache: CredentialCacheDep,
    now: Now,
) -> DayStartRead:
    """Set the local hour at which your day starts. Events recorded from now on count for the
    day before until that hour; events already recorded keep their day."""
    return await streak_settings.set_day_start(
        session, recorder, cache, principal, body.day_start_hour, now
    )


@settings_router.get("/vacations")
async def list_vacations(principal: CanReadProgress, session: SessionDep, now: Now) -> VacationList:
    """Your vacations, latest start first, and the end of the one covering today."""
    return await streak_settings.list_vacations(session, principal.user, now)


@settings_router.post(
    "/vacations",
    status_code=201,
    responses={409: {"description": "overlaps another vacation, or too many are pending"}},
)
async def schedule_vacation(
    body: VacationCreate,
    principal: CanWriteEventsReadProgress,
    session: SessionDep,
    recorder: RecorderDep,
    now: Now,
) -> VacationRead:
    """Schedule a vacation: its missed days neither break your streak nor spend freezes."""
    return await streak_settings.schedule_vacation(
        session, recorder, principal, body.start_date, body.end_date, now
    )


@settings_router.delete(
    "/vacations/{vacation_id}",
    responses={
        404: {"description": "no such vacation of yours"},
        409: {"description": "the vacation is already over or cancelled"},
    },
)
async def end_vacation(
    vacation_id: str,
    principal: CanWriteEventsReadProgress,
    session: SessionDep,
    recorder: RecorderDep,
    now: Now,
) -> VacationRead:
    """End an ongoing vacation today (today is an ordinary day again), or cancel an upcoming
    one. Days already past stay vacation days."""
    return await streak_settings.end_vacation(session, recorder, principal, vacation_id, now)
