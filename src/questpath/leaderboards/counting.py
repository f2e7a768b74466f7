"""The one way the boards' stored counts change: add to a count, or start it."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import and_, delete, or_
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.db import dialect_of, insert_for
from questpath.leaderboards.models import LeaderboardScore, LeaderboardSize, LeaderboardStreakCount

Counted = type[LeaderboardSize] | type[LeaderboardScore] | type[LeaderboardStreakCount]


@cache
def adding(dialect: str, model: Counted) -> Any:
    """INSERT ... ON CONFLICT (the key) DO UPDATE SET learners = learners + the new row's,
    returning each key with its count now."""
    stmt = insert_for(dialect, model)
    keys = [c.name for c in model.__mapper__.primary_key]
    return stmt.on_conflict_do_update(
        index_elements=keys, set_={"learners": model.learners + stmt.excluded.learners}
    ).returning(*model.__mapper__.primary_key, model.learners)


async def add(
    session: AsyncSession, model: Counted, rows: Sequence[dict[str, Any]], drop_empty: bool
) -> None:
    """Add each row's `learners` to the count of its key, in the order given (key order, so
    that two writers never wait on each other's rows in turn). With `drop_empty`, a count left
    at 0 goes, by its key: a row the upsert holds already."""
    if not rows:
        return
    found = await session.execute(adding(dialect_of(session), model), rows)
    if not drop_empty:
        return
    keys = list(model.__mapper__.primary_key)
    emptied = [row for row in found if row[-1] <= 0]
    if emptied:
        await session.execute(
            delete(model).where(
                or_(*(and_(*(c == v for c, v in zip(keys, row, strict=False))) for row in emptied))
            )
        )
