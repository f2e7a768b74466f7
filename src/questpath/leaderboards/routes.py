"""Leaderboards API: join or leave, the XP boards of the caller's week, month and all time, and
the board of current streaks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from questpath.auth.dependencies import CanReadProfile, CanReadProgress, CanWriteAndReadProfile
from questpath.clock import Now
from questpath.dependencies import SessionDep, SettingsDep
from questpath.leaderboards import service
from questpath.leaderboards.schemas import (
    MAX_LIMIT,
    BoardKind,
    LeaderboardRead,
    LeaderboardSettingsRead,
    LeaderboardSettingsUpdate,
    StreakLeaderboardRead,
)
from questpath.progress.periods import Period

router = APIRouter(prefix="/api", tags=["leaderboards"])


@router.get("/leaderboard/settings")
async def read_leaderboard_settings(
    principal: CanReadProfile, session: SessionDep, settings: SettingsDep
) -> LeaderboardSettingsRead:
    """Whether the caller takes part in the leaderboards, and the name others see there."""
    return await service.settings_of(session, principal.user, settings.signing_key())


@router.put(
    "/leaderboard/settings",
    responses={422: {"description": "a field is missing or not a boolean; `errors` names it"}},
)
async def update_leaderboard_settings(
    body: LeaderboardSettingsUpdate,
    principal: CanWriteAndReadProfile,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
) -> LeaderboardSettingsRead:
    """Join the leaderboards (`listed: true`) or leave them, at once and from every board.
    Others see an alias such as 'Curious Otter 4821' unless `show_name` is true."""
    return await service.update(session, principal.user, body, settings.signing_key(), now)


BY = Query(description="xp (the default) or streak: the board of current streaks")
PERIOD = Query(description="week (the default), month or all (time); the streak board: all")
LIMIT = Query(ge=1, le=MAX_LIMIT, description="how many from the top")


@router.get(
    "/leaderboard",
    responses={
        422: {
            "description": "an unknown board or period, a period other than all for the "
            "streak board, or a limit out of range"
        }
    },
)
async def read_leaderboard(
    principal: CanReadProgress,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
    by: Annotated[BoardKind, BY] = "xp",
    period: Annotated[Period | None, PERIOD] = None,
    limit: Annotated[int, LIMIT] = 50,
) -> LeaderboardRead | StreakLeaderboardRead:
    """XP of the learners who joined, over the period that holds the caller's today. A week runs
    from Monday to Sunday and a month from its first day to its last, each learner's XP counting
    their own local days; equal XP shares a rank, listed by who reached it first. `you` is the
    caller's own rank and percentile, even outside the top.

    `by=streak`: their current streaks instead, all time only: the streaks still current on the
    caller's today (each in its learner's own local days), longer first, equal ones listed by
    who reached that length first."""
    return await service.any_board(
        session, principal.user, by, period, limit, settings.signing_key(), now
    )
