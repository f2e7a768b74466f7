"""The streak board: the current streaks of the learners who joined the leaderboards.

A current streak ends with nothing written: a day passes. So each member's streak is stored
with the last local date on which it is still current (`rules.alive_until`), and the board of a
day is the rows alive until then or later. Beside them, `leaderboard_streak_counts` counts the
rows at each length and last current day: a day's board is one range of its key, a few rows
whatever the number of learners, so a rank adds them up. The recorder keeps both whenever a
member's streak or vacations change, as do joining and leaving; accounts that wait to be deleted
or are disabled stay and are taken off at read time, as on the XP boards.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import and_, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.models import User, account_in_use, accounts_out_of_use
from questpath.db import dialect_of, insert_for
from questpath.leaderboards import counting, rules
from questpath.leaderboards.models import (
    LeaderboardMember,
    LeaderboardStreak,
    LeaderboardStreakCount,
)
from questpath.progress import repository as progress
from questpath.progress.models import ProgressTotals
from questpath.progress.rules import StreakState
from questpath.progress.vacations import Vacation, VacationDays

StreakRow = tuple[int, date, date]  # run, reached_on, alive_until
CountKey = tuple[date, int]  # alive_until, run


def row_of(streak: StreakState, vacations: Collection[Vacation]) -> StreakRow | None:
    """A member's row on the streak board, from their stored streak and vacations."""
    alive = rules.alive_until(streak, VacationDays.of(vacations))
    if alive is None or streak.last_date is None:
        return None
    return streak.run, streak.last_date, alive


async def restreak(session: AsyncSession, user_ids: Collection[uuid.UUID]) -> None:
    """Bring the streak board's rows of those of the learners who joined to their streaks and
    vacations as stored now, and the counts with them; the others' rows go."""
    if not user_ids:
        return
    ids = sorted(set(user_ids))
    found = await session.execute(
        select(
            ProgressTotals.user_id,
            ProgressTotals.streak_last_date,
            ProgressTotals.streak_run,
            ProgressTotals.streak_freezes,
        )
        .join(LeaderboardMember, LeaderboardMember.user_id == ProgressTotals.user_id)
        .where(ProgressTotals.user_id.in_(ids), ProgressTotals.streak_run > 0)
    )
    streaks = {user_id: StreakState(last, run, freezes) for user_id, last, run, freezes in found}
    vacations = await progress.vacations_of(session, sorted(streaks))
    expected = {
        user_id: row
        for user_id, streak in streaks.items()
        if (row := row_of(streak, list(vacations[user_id].values()))) is not None
    }
    await _write(session, await stored_rows(session, ids), expected)


async def unstreak(session: AsyncSession, user_ids: Collection[uuid.UUID]) -> None:
    """Take the learners' streaks off the streak board (they left, or are erased)."""
    if user_ids:
        await _write(session, await stored_rows(session, sorted(set(user_ids))), {})


async def stored_rows(
    session: AsyncSession, user_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, StreakRow]:
    found = await session.execute(
        select(
            LeaderboardStreak.user_id,
            LeaderboardStreak.run,
            LeaderboardStreak.reached_on,
            LeaderboardStreak.alive_until,
        ).where(LeaderboardStreak.user_id.in_(sorted(user_ids)))
    )
    return {user_id: (run, reached, alive) for user_id, run, reached, alive in found}


async def _write(
    session: AsyncSession,
    stored: dict[uuid.UUID, StreakRow],
    expected: dict[uuid.UUID, StreakRow],
) -> None:
    """Write the rows that changed, in key order, then the counts they moved."""
    gone = sorted(stored.keys() - expected.keys())
    changed = sorted(u for u, row in expected.items() if stored.get(u) != row)
    if gone:
        await session.execute(delete(LeaderboardStreak).where(LeaderboardStreak.user_id.in_(gone)))
    if changed:
        stmt = insert_for(dialect_of(session), LeaderboardStreak)
        stmt = stmt.on_conflict_do_update(
            index_elements=["user_id"],
            set_={name: stmt.excluded[name] for name in ("run", "reached_on", "alive_until")},
        )
        await session.execute(
            stmt,
            [
                {"user_id": u, "run": run, "reached_on": reached, "alive_until": alive}
                for u in changed
                for run, reached, alive in [expected[u]]
            ],
        )
    moves: Counter[CountKey] = Counter()
    for user_id in gone + changed:
        if user_id in stored:
            run, _, alive = stored[user_id]
            moves[(alive, run)] -= 1
        if user_id in expected:
            run, _, alive = expected[user_id]
            moves[(alive, run)] += 1
    await _add_counts(session, moves)


async def _add_counts(session: AsyncSession, moves: Counter[CountKey]) -> None:
    rows = [
        {"alive_until": alive, "run": run, "learners": n}
        for (alive, run), n in sorted(moves.items())
        if n
    ]
    await counting.add(session, LeaderboardStreakCount, rows, drop_empty=True)


# Reading ---------------------------------------------------------------------------------------


async def top(session: AsyncSession, today: date, limit: int, among: Any = None) -> list[Any]:
    """The streak board of `today`: its first `limit` rows (user_id, run, display_name,
    show_name), longer streaks first, then whoever reached their length first. `among`: a query
    of the user ids of a group (a cohort) whose board this is; None for everyone's."""
    query = (
        select(
            LeaderboardStreak.user_id,
            LeaderboardStreak.run,
            User.display_name,
            LeaderboardMember.show_name,
        )
        .join(LeaderboardMember, LeaderboardMember.user_id == LeaderboardStreak.user_id)
        .join(User, User.id == LeaderboardStreak.user_id)
        .where(LeaderboardStreak.alive_until >= today, account_in_use())
        .order_by(
            LeaderboardStreak.run.desc(), LeaderboardStreak.reached_on, LeaderboardStreak.user_id
        )
        .limit(limit)
    )
    if among is not None:
        query = query.where(LeaderboardStreak.user_id.in_(among))
    return list(await session.execute(query))


async def run_of(session: AsyncSession, user_id: uuid.UUID, today: date) -> int | None:
    """The learner's streak on the board of `today`; None when they are not on it."""
    found = await session.scalar(
        select(LeaderboardStreak.run)
        .join(User, User.id == LeaderboardStreak.user_id)
        .where(
            LeaderboardStreak.user_id == user_id,
            LeaderboardStreak.alive_until >= today,
            account_in_use(),
        )
    )
    return None if found is None else int(found)


async def counts(session: AsyncSession, today: date, run: int) -> tuple[int, int, int]:
    """How many are on the streak board of `today`, how many of them have a longer streak than
    `run`, and how many a shorter one: one statement over the counts alive until `today` or
    later, less the hidden accounts among them."""
    counted = LeaderboardStreakCount.learners
    alive = LeaderboardStreakCount.alive_until >= today
    hidden_ids = accounts_out_of_use()
    hidden = and_(LeaderboardStreak.user_id.in_(hidden_ids), LeaderboardStreak.alive_until >= today)
    query = select(
        select(func.coalesce(func.sum(counted), 0)).where(alive).scalar_subquery(),
        select(func.coalesce(func.sum(counted), 0))
        .where(alive, LeaderboardStreakCount.run > run)
        .scalar_subquery(),
        select(func.coalesce(func.sum(counted), 0))
        .where(alive, LeaderboardStreakCount.run < run)
        .scalar_subquery(),
        select(func.count()).where(hidden).scalar_subquery(),
        select(func.count()).where(hidden, LeaderboardStreak.run > run).scalar_subquery(),
        select(func.count()).where(hidden, LeaderboardStreak.run < run).scalar_subquery(),
    )
    learners, longer, shorter, hidden_all, hidden_longer, hidden_shorter = (
        await session.execute(query)
    ).one()
    return (
        int(learners) - hidden_all,
        int(longer) - hidden_longer,
        int(shorter) - hidden_shorter,
    )


async def counts_among(
    session: AsyncSession, today: date, run: int, among: Any
) -> tuple[int, int, int]:
    """`counts` on the streak board of a group (a cohort), small enough to count in one pass."""
    query = (
        select(
            func.count(),
            func.count().filter(LeaderboardStreak.run > run),
            func.count().filter(LeaderboardStreak.run < run),
        )
        .join(User, User.id == LeaderboardStreak.user_id)
        .where(
            LeaderboardStreak.alive_until >= today,
            LeaderboardStreak.user_id.in_(among),
            account_in_use(),
        )
    )
    learners, longer, shorter = (await session.execute(query)).one()
    return int(learners), int(longer), int(shorter)


# Verifying -------------------------------------------------------------------------------------


async def stored_counts(session: AsyncSession) -> dict[CountKey, int]:
    found = await session.execute(
        select(
            LeaderboardStreakCount.alive_until,
            LeaderboardStreakCount.run,
            LeaderboardStreakCount.learners,
        )
    )
    return {(alive, run): n for alive, run, n in found}


async def counted_counts(session: AsyncSession) -> dict[CountKey, int]:
    found = await session.execute(
        select(LeaderboardStreak.alive_until, LeaderboardStreak.run, func.count()).group_by(
            LeaderboardStreak.alive_until, LeaderboardStreak.run
        )
    )
    return {(alive, run): n for alive, run, n in found}


async def recount(session: AsyncSession) -> None:
    """Store the counts as counted from the streak board's rows."""
    await session.execute(delete(LeaderboardStreakCount))
    counted = await counted_counts(session)
    if counted:
        rows = [
            {"alive_until": alive, "run": run, "learners": n}
            for (alive, run), n in sorted(counted.items())
        ]
        await session.execute(insert_for(dialect_of(session), LeaderboardStreakCount), rows)
