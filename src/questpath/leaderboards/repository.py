"""Leaderboard queries over progress_periods, for joined learners only."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.models import User
from questpath.db import dialect_of, insert_for
from questpath.leaderboards.models import LeaderboardMember
from questpath.progress.models import ProgressPeriod


async def member(session: AsyncSession, user_id: uuid.UUID) -> LeaderboardMember | None:
    return await session.get(LeaderboardMember, user_id)


async def join(session: AsyncSession, user_id: uuid.UUID, show_name: bool, now: datetime) -> None:
    stmt = insert_for(dialect_of(session), LeaderboardMember).values(
        user_id=user_id, show_name=show_name, joined_at=now
    )
    await session.execute(
        stmt.on_conflict_do_update(index_elements=["user_id"], set_={"show_name": show_name})
    )


async def leave(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(delete(LeaderboardMember).where(LeaderboardMember.user_id == user_id))


def _board(period: str, start: date) -> Any:
    """The board's rows: joined learners with XP in the period, less any account that waits to
    be deleted or is disabled."""
    return (
        select(ProgressPeriod.xp)
        .join(LeaderboardMember, LeaderboardMember.user_id == ProgressPeriod.user_id)
        .join(User, User.id == ProgressPeriod.user_id)
        .where(
            ProgressPeriod.period == period,
            ProgressPeriod.start == start,
            User.deletion_due_at.is_(None),
            User.disabled_at.is_(None),
        )
    )


async def top(session: AsyncSession, period: str, start: date, limit: int) -> list[Any]:
    """The board's first `limit` rows (user_id, xp, display_name, show_name), in board order:
    more XP first, then whoever reached it first."""
    query = (
        _board(period, start)
        .add_columns(ProgressPeriod.user_id, User.display_name, LeaderboardMember.show_name)
        .order_by(ProgressPeriod.xp.desc(), ProgressPeriod.reached_at, ProgressPeriod.user_id)
        .limit(limit)
    )
    return list(await session.execute(query))


async def xp_of(session: AsyncSession, user_id: uuid.UUID, period: str, start: date) -> int | None:
    found = await session.scalar(_board(period, start).where(ProgressPeriod.user_id == user_id))
    return None if found is None else int(found)


async def counts(session: AsyncSession, period: str, start: date, xp: int) -> tuple[int, int, int]:
    """How many are on the board, how many of them have more XP than `xp`, and how many less:
    one pass over the board."""
    board = _board(period, start).subquery()
    query = select(
        func.count(),
        func.coalesce(func.sum(case((board.c.xp > xp, 1), else_=0)), 0),
        func.coalesce(func.sum(case((board.c.xp < xp, 1), else_=0)), 0),
    ).select_from(board)
    learners, higher, lower = (await session.execute(query)).one()
    return int(learners), int(higher), int(lower)
