"""Leaderboards: joining, leaving, and the XP board of the caller's current week, month or all
time, or the board of current streaks. A learner who leaves, or deletes their account, is off
every board at once: the XP boards are read from progress_periods joined with the members, and
leaving takes the learner's row off the streak board in the same transaction."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.principal import UserLike
from questpath.leaderboards import repository as repo
from questpath.leaderboards import rules, streaks
from questpath.leaderboards.schemas import (
    BoardKind,
    LeaderboardEntry,
    LeaderboardRead,
    LeaderboardSettingsRead,
    LeaderboardSettingsUpdate,
    LeaderboardStanding,
    StreakLeaderboardEntry,
    StreakLeaderboardRead,
    StreakLeaderboardStanding,
)
from questpath.problems import Invalid
from questpath.progress.periods import Period, period_end, period_start
from questpath.progress.service import today_for


def shown_as(user_id: uuid.UUID, display_name: str, show_name: bool, secret: str) -> str:
    """The display name if its owner chose to show it, else their alias: keyed by the server's
    secret, so that nobody can tell whose alias it is from their id."""
    if show_name:
        return display_name
    key = hmac.new(secret.encode(), b"leaderboard alias:" + user_id.bytes, hashlib.sha256)
    return rules.alias(key.digest())


async def settings_of(
    session: AsyncSession, user: UserLike, secret: str
) -> LeaderboardSettingsRead:
    found = await repo.member(session, user.id)
    show_name = found is not None and found.show_name
    return LeaderboardSettingsRead(
        listed=found is not None,
        show_name=show_name,
        shown_as=shown_as(user.id, user.display_name, show_name, secret),
    )


async def update(
    session: AsyncSession,
    user: UserLike,
    body: LeaderboardSettingsUpdate,
    secret: str,
    now: datetime,
) -> LeaderboardSettingsRead:
    if body.listed:
        await repo.join(session, user.id, body.show_name, now)
    else:
        await repo.leave(session, user.id)
    return await settings_of(session, user, secret)


async def board(
    session: AsyncSession,
    user: UserLike,
    period: Period,
    limit: int,
    secret: str,
    now: datetime,
    among: Any = None,
) -> LeaderboardRead:
    """The board of the period that holds the caller's today (each learner's XP counts their
    own local days of it): everyone's, or with `among` (a query of user ids) a group's."""
    start = period_start(period, today_for(user, now))
    end = period_end(period, start)
    rows = await repo.top(session, period, start, limit, among)
    entries = [
        LeaderboardEntry(
            rank=rank,
            name=shown_as(row.user_id, row.display_name, row.show_name, secret),
            xp=row.xp,
            you=row.user_id == user.id,
        )
        for row, rank in zip(rows, rules.ranks([row.xp for row in rows]), strict=True)
    ]
    xp = await repo.xp_of(session, user.id, period, start)
    if among is None:
        learners, higher, lower = await repo.counts(session, period, start, xp or 0)
    else:
        learners, higher, lower = await repo.counts_among(session, period, start, xp or 0, among)
    standing = None
    if xp is not None:
        mine = rules.standing(higher, lower, learners)
        standing = LeaderboardStanding(rank=mine.rank, xp=xp, percentile=mine.percentile)
    dated = period != "all"
    return LeaderboardRead(
        period=period,
        start_date=start if dated else None,
        end_date=end - timedelta(days=1) if dated and end is not None else None,
        learners=learners,
        top=entries,
        you=standing,
    )


def board_period(by: BoardKind, period: Period | None) -> Period:
    """The period of the board asked for: the week unless named; the streak board has none but
    all time, and naming another is refused (422 naming `period`)."""
    if by == "streak":
        if period not in (None, "all"):
            raise Invalid.field(
                "period", "the streak board counts current streaks: leave period out or give all"
            )
        return "all"
    return period or "week"


async def any_board(
    session: AsyncSession,
    user: UserLike,
    by: BoardKind,
    period: Period | None,
    limit: int,
    secret: str,
    now: datetime,
    among: Any = None,
) -> LeaderboardRead | StreakLeaderboardRead:
    """The XP board of `period` (the week unless named), or the streak board."""
    chosen = board_period(by, period)
    if by == "streak":
        return await streak_board(session, user, limit, secret, now, among)
    return await board(session, user, chosen, limit, secret, now, among)


async def streak_board(
    session: AsyncSession,
    user: UserLike,
    limit: int,
    secret: str,
    now: datetime,
    among: Any = None,
) -> StreakLeaderboardRead:
    """The current streaks on the caller's today (each learner's streak current in their own
    local days up to it): everyone's, or with `among` (a query of user ids) a group's."""
    today = today_for(user, now)
    rows = await streaks.top(session, today, limit, among)
    entries = [
        StreakLeaderboardEntry(
            rank=rank,
            name=shown_as(row.user_id, row.display_name, row.show_name, secret),
            streak=row.run,
            you=row.user_id == user.id,
        )
        for row, rank in zip(rows, rules.ranks([row.run for row in rows]), strict=True)
    ]
    run = await streaks.run_of(session, user.id, today)
    if among is None:
        learners, longer, shorter = await streaks.counts(session, today, run or 0)
    else:
        learners, longer, shorter = await streaks.counts_among(session, today, run or 0, among)
    standing = None
    if run is not None:
        mine = rules.standing(longer, shorter, learners)
        standing = StreakLeaderboardStanding(rank=mine.rank, streak=run, percentile=mine.percentile)
    return StreakLeaderboardRead(
        by="streak", period="all", learners=learners, top=entries, you=standing
    )
