"""Leaderboard queries over progress_periods, for joined learners only.

A board is the rows of one period and start whose `listed` is true: one range of the board
index, which the joins, the leaves and the recorder keep, with each board's size and its count
of learners at each score beside it.
Accounts that wait to be deleted or are disabled stay listed but are taken off at read time;
they are few, and a partial index finds them.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.models import User, account_in_use, accounts_out_of_use
from questpath.db import dialect_of, insert_for
from questpath.leaderboards import counting, streaks
from questpath.leaderboards.models import LeaderboardMember, LeaderboardScore, LeaderboardSize
from questpath.progress.models import ProgressPeriod

Board = tuple[str, date]  # period, start
ScoreMoves = Counter[tuple[str, date, int]]  # (period, start, xp) → learners more (or fewer)


async def member(session: AsyncSession, user_id: uuid.UUID) -> LeaderboardMember | None:
    return await session.get(LeaderboardMember, user_id)


async def join(session: AsyncSession, user_id: uuid.UUID, show_name: bool, now: datetime) -> None:
    stmt = insert_for(dialect_of(session), LeaderboardMember).values(
        user_id=user_id, show_name=show_name, joined_at=now
    )
    await session.execute(
        stmt.on_conflict_do_update(index_elements=["user_id"], set_={"show_name": show_name})
    )
    await list_members(session, [user_id])
    await streaks.restreak(session, [user_id])


async def leave(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(delete(LeaderboardMember).where(LeaderboardMember.user_id == user_id))
    await unlist(session, [user_id])
    await streaks.unstreak(session, [user_id])


async def list_members(
    session: AsyncSession, user_ids: Collection[uuid.UUID], rescored: ScoreMoves | None = None
) -> None:
    """List the period rows of those of the learners who joined that are not listed yet: the
    rows a recording just added, or all of them for a learner who just joined. `rescored`: how
    a recording moved the XP of rows listed already (`progress.repository.write_all`), counted
    in the same statement as the new rows."""
    if not user_ids:
        await _add_scores(session, rescored or Counter())
        return
    joined = select(LeaderboardMember.user_id).where(LeaderboardMember.user_id.in_(user_ids))
    await _set_listed(session, ProgressPeriod.user_id.in_(joined), listed=True, rescored=rescored)


async def unlist(session: AsyncSession, user_ids: Collection[uuid.UUID]) -> None:
    """Take the learners' period rows off the boards (they left, or their rows are about to be
    rewritten or erased)."""
    if user_ids:
        await _set_listed(session, ProgressPeriod.user_id.in_(user_ids), listed=False)


async def _set_listed(
    session: AsyncSession, whose: Any, listed: bool, rescored: ScoreMoves | None = None
) -> None:
    changed = await session.execute(
        update(ProgressPeriod)
        .where(whose, ProgressPeriod.listed.is_(not listed))
        .values(listed=listed)
        .returning(ProgressPeriod.period, ProgressPeriod.start, ProgressPeriod.xp)
    )
    sign = 1 if listed else -1
    moved: Counter[Board] = Counter()
    scores: ScoreMoves = Counter(rescored or {})
    for period, start, xp in changed:
        moved[(period, start)] += sign
        scores[(period, start, int(xp))] += sign
    await _add_sizes(session, moved)
    await _add_scores(session, scores)


async def _add_sizes(session: AsyncSession, moved: Counter[Board]) -> None:
    rows = [
        {"period": period, "start": start, "learners": n}
        for (period, start), n in sorted(moved.items())
        if n
    ]
    await counting.add(session, LeaderboardSize, rows, drop_empty=False)


async def _add_scores(session: AsyncSession, moved: ScoreMoves) -> None:
    """Add to each board's count of learners at each score; a score left with none goes. The
    rows are written after the sizes, so that two writers never wait on each other's rows in
    turn."""
    rows = [
        {"period": period, "start": start, "xp": xp, "learners": n}
        for (period, start, xp), n in sorted(moved.items())
        if n
    ]
    await counting.add(session, LeaderboardScore, rows, drop_empty=True)


def _listed(period: str, start: date) -> Any:
    return and_(
        ProgressPeriod.period == period,
        ProgressPeriod.start == start,
        ProgressPeriod.listed.is_(True),
    )


async def top(
    session: AsyncSession, period: str, start: date, limit: int, among: Any = None
) -> list[Any]:
    """The board's first `limit` rows (user_id, xp, display_name, show_name), in board order:
    more XP first, then whoever reached it first. `among`: a query of the user ids of a group
    (a cohort) whose board this is; None for everyone's."""
    query = (
        select(
            ProgressPeriod.user_id,
            ProgressPeriod.xp,
            User.display_name,
            LeaderboardMember.show_name,
        )
        .join(LeaderboardMember, LeaderboardMember.user_id == ProgressPeriod.user_id)
        .join(User, User.id == ProgressPeriod.user_id)
        .where(_listed(period, start), account_in_use())
        .order_by(ProgressPeriod.xp.desc(), ProgressPeriod.reached_at, ProgressPeriod.user_id)
        .limit(limit)
    )
    if among is not None:
        query = query.where(ProgressPeriod.user_id.in_(among))
    return list(await session.execute(query))


async def xp_of(session: AsyncSession, user_id: uuid.UUID, period: str, start: date) -> int | None:
    """The learner's XP on the board; None when they are not on it."""
    query = (
        select(ProgressPeriod.xp)
        .join(User, User.id == ProgressPeriod.user_id)
        .where(_listed(period, start), ProgressPeriod.user_id == user_id, account_in_use())
    )
    found = await session.scalar(query)
    return None if found is None else int(found)


async def counts(session: AsyncSession, period: str, start: date, xp: int) -> tuple[int, int, int]:
    """How many are on the board, how many of them have more XP than `xp`, and how many less.

    One statement: the stored size, the learners at the scores on one side of `xp` (the side
    away from the board's middle, the smaller one) and at `xp` itself, from the counts per
    score, less the hidden accounts among them; the other side follows."""
    size = (
        select(LeaderboardSize.learners)
        .where(LeaderboardSize.period == period, LeaderboardSize.start == start)
        .scalar_subquery()
    )
    upper = xp >= await _middle_xp(session, period, start)
    board = and_(LeaderboardScore.period == period, LeaderboardScore.start == start)
    at_scores = LeaderboardScore.xp > xp if upper else LeaderboardScore.xp < xp
    beyond = ProgressPeriod.xp > xp if upper else ProgressPeriod.xp < xp
    hidden = _hidden_rows(period, start)
    learners_at = func.coalesce(func.sum(LeaderboardScore.learners), 0)
    query = select(
        func.coalesce(size, 0),
        select(learners_at).where(board, at_scores).scalar_subquery(),
        select(learners_at).where(board, LeaderboardScore.xp == xp).scalar_subquery(),
        select(func.count()).where(hidden).scalar_subquery(),
        select(func.count()).where(hidden, beyond).scalar_subquery(),
        select(func.count()).where(hidden, ProgressPeriod.xp == xp).scalar_subquery(),
    )
    stored, counted, level, hidden_all, hidden_beyond, hidden_level = (
        await session.execute(query)
    ).one()
    learners = stored - hidden_all
    counted = int(counted) - hidden_beyond
    level = int(level) - hidden_level
    other_side = learners - counted - level
    return (learners, counted, other_side) if upper else (learners, other_side, counted)


def _hidden_rows(period: str, start: date) -> Any:
    """The board's listed rows whose accounts wait to be deleted or are disabled."""
    hidden = accounts_out_of_use()
    # `period || ''` keeps the planner off the board index, which would read the whole board:
    # by the primary key, each hidden learner's row is one lookup.
    return and_(
        ProgressPeriod.user_id.in_(hidden),
        ProgressPeriod.period.concat("") == period,
        ProgressPeriod.start == start,
        ProgressPeriod.listed.is_(True),
    )


async def counts_among(
    session: AsyncSession, period: str, start: date, xp: int, among: Any
) -> tuple[int, int, int]:
    """`counts` on the board of a group (a cohort), small enough to count in one pass."""
    query = (
        select(
            func.count(),
            func.count().filter(ProgressPeriod.xp > xp),
            func.count().filter(ProgressPeriod.xp < xp),
        )
        .join(User, User.id == ProgressPeriod.user_id)
        .where(_listed(period, start), ProgressPeriod.user_id.in_(among), account_in_use())
    )
    learners, higher, lower = (await session.execute(query)).one()
    return int(learners), int(higher), int(lower)


MIDDLE_TTL = 60.0  # seconds; a stale middle costs time, never a wrong count
_middles: dict[Board, tuple[float, int]] = {}


async def _middle_xp(session: AsyncSession, period: str, start: date) -> int:
    """The XP halfway down the board, read at most once a minute per board by this process:
    it only chooses which side of a learner to count."""
    cached = _middles.get((period, start))
    if cached is not None and time.monotonic() - cached[0] < MIDDLE_TTL:
        return cached[1]
    size = await session.scalar(
        select(LeaderboardSize.learners).where(
            LeaderboardSize.period == period, LeaderboardSize.start == start
        )
    )
    found = await session.scalar(
        select(ProgressPeriod.xp)
        .where(_listed(period, start))
        .order_by(ProgressPeriod.xp)
        .offset(max(size or 0, 0) // 2)
        .limit(1)
    )
    if len(_middles) > 64:  # the boards of past weeks and months are read no more
        _middles.clear()
    _middles[(period, start)] = (time.monotonic(), int(found or 0))
    return int(found or 0)


async def listed_rows(session: AsyncSession, user_id: uuid.UUID) -> dict[Board, bool]:
    """Whether each of the learner's period rows is listed."""
    found = await session.execute(
        select(ProgressPeriod.period, ProgressPeriod.start, ProgressPeriod.listed).where(
            ProgressPeriod.user_id == user_id
        )
    )
    return {(period, start): bool(listed) for period, start, listed in found}


async def sizes(session: AsyncSession) -> dict[Board, int]:
    """Each board's stored size (boards that were emptied may hold 0)."""
    found = await session.execute(
        select(LeaderboardSize.period, LeaderboardSize.start, LeaderboardSize.learners)
    )
    return {(period, start): learners for period, start, learners in found}


async def counted_sizes(session: AsyncSession) -> dict[Board, int]:
    """Each board's size, counted from the listed rows."""
    found = await session.execute(
        select(ProgressPeriod.period, ProgressPeriod.start, func.count())
        .where(ProgressPeriod.listed.is_(True))
        .group_by(ProgressPeriod.period, ProgressPeriod.start)
    )
    return {(period, start): n for period, start, n in found}


async def scores(session: AsyncSession) -> dict[tuple[str, date, int], int]:
    """How many learners each board's stored counts hold at each score."""
    found = await session.execute(
        select(
            LeaderboardScore.period,
            LeaderboardScore.start,
            LeaderboardScore.xp,
            LeaderboardScore.learners,
        )
    )
    return {(period, start, int(xp)): n for period, start, xp, n in found}


async def counted_scores(session: AsyncSession) -> dict[tuple[str, date, int], int]:
    """How many listed rows each board holds at each score, counted."""
    found = await session.execute(
        select(ProgressPeriod.period, ProgressPeriod.start, ProgressPeriod.xp, func.count())
        .where(ProgressPeriod.listed.is_(True))
        .group_by(ProgressPeriod.period, ProgressPeriod.start, ProgressPeriod.xp)
    )
    return {(period, start, int(xp)): n for period, start, xp, n in found}


async def recount_sizes(session: AsyncSession) -> None:
    """Store every board's size, and its learners at each score, as counted from the listed
    rows."""
    await session.execute(delete(LeaderboardSize))
    counted = await counted_sizes(session)
    if counted:
        rows = [{"period": p, "start": s, "learners": n} for (p, s), n in sorted(counted.items())]
        await session.execute(insert_for(dialect_of(session), LeaderboardSize), rows)
    await session.execute(delete(LeaderboardScore))
    at_scores = await counted_scores(session)
    if at_scores:
        rows = [
            {"period": p, "start": s, "xp": xp, "learners": n}
            for (p, s, xp), n in sorted(at_scores.items())
        ]
        await session.execute(insert_for(dialect_of(session), LeaderboardScore), rows)
