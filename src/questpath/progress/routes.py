"""Progress API: the learner's standing, achievements, streaks, statistics, history, export."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from questpath.auth.dependencies import EventReader, EventWriter
from questpath.dependencies import EngineDep, RulesDep, SessionDep
from questpath.progress import export, service
from questpath.progress.schemas import (
    AchievementsRead,
    BadgesRead,
    HistoryRead,
    Period,
    ProgressRead,
    SkillLevelChange,
    SkillLevelIn,
    SkillLevelsRead,
    StatisticsRead,
    StreakUpdateIn,
    StreakUpdateRead,
)

router = APIRouter(prefix="/api/progress", tags=["progress"])

AdminUserId = Annotated[uuid.UUID | None, Query(description="admins only: whose progress")]


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("")
async def read_progress(
    principal: EventReader, session: SessionDep, rules: RulesDep, user_id: AdminUserId = None
) -> ProgressRead:
    """XP, level, rank, streaks, totals, skill levels and predictions in one read."""
    user = await service.learner(session, principal, user_id)
    return await service.progress(session, rules, user, _now())


@router.get("/achievements")
async def read_achievements(
    principal: EventReader, session: SessionDep, rules: RulesDep, user_id: AdminUserId = None
) -> AchievementsRead:
    """Every achievement: unlocked ones with their date, locked ones with progress and an ETA."""
    user = await service.learner(session, principal, user_id)
    return await service.achievements(session, rules, user, _now())


@router.get("/badges")
async def read_badges(
    principal: EventReader, session: SessionDep, rules: RulesDep, user_id: AdminUserId = None
) -> BadgesRead:
    user = await service.learner(session, principal, user_id)
    return await service.badges(session, rules, user, _now())


@router.post("/update-streak")
async def update_streak(
    principal: EventWriter, session: SessionDep, rules: RulesDep, body: StreakUpdateIn | None = None
) -> StreakUpdateRead:
    """Check in for the day: records a `check_in` event, which keeps the streak alive."""
    return await service.update_streak(session, rules, principal, body or StreakUpdateIn(), _now())


@router.get("/statistics")
async def read_statistics(
    principal: EventReader,
    session: SessionDep,
    rules: RulesDep,
    period: Period = "all",
    user_id: AdminUserId = None,
) -> StatisticsRead:
    """Performance over today, the last 7 or 30 local days, or all time."""
    user = await service.learner(session, principal, user_id)
    return await service.statistics(session, rules, user, period, _now())


@router.get("/history")
async def read_history(
    principal: EventReader,
    session: SessionDep,
    days: Annotated[int | None, Query(description="the last N local days (1-366)")] = None,
    start_date: Annotated[date | None, Query(description="first local date, inclusive")] = None,
    end_date: Annotated[date | None, Query(description="last local date, inclusive")] = None,
    user_id: AdminUserId = None,
) -> HistoryRead:
    """One snapshot per local date with activity; the last 30 days unless a range is given."""
    user = await service.learner(session, principal, user_id)
    return await service.history(session, user, days, start_date, end_date, _now())


@router.get("/skill-levels")
async def read_skill_levels(
    principal: EventReader, session: SessionDep, rules: RulesDep, user_id: AdminUserId = None
) -> SkillLevelsRead:
    user = await service.learner(session, principal, user_id)
    return await service.skill_levels(session, rules, user, _now())


@router.post("/calculate-skill-level")
async def calculate_skill_level(
    body: SkillLevelIn, principal: EventWriter, session: SessionDep, rules: RulesDep
) -> SkillLevelChange:
    """Recalculate one topic's level from its exercises under the current rules."""
    return await service.calculate_skill_level(session, rules, principal.user, body.topic, _now())


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "JSON: profile, progress, achievements, skill levels, history and "
            "every event. CSV: one row per event, with a header row.",
            "content": {"application/json": {}, "text/csv": {}},
        }
    },
)
async def export_progress(
    principal: EventReader,
    session: SessionDep,
    engine: EngineDep,
    rules: RulesDep,
    fmt: Annotated[export.ExportFormat, Query(alias="format")] = "json",
    user_id: AdminUserId = None,
) -> StreamingResponse:
    """Everything recorded for the learner, streamed as a download."""
    user = await service.learner(session, principal, user_id)
    now = _now()
    return StreamingResponse(
        export.stream(engine, user, rules, fmt, now),
        media_type=export.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{export.filename(fmt, now)}"'},
    )
