"""The learner lock: every change to a learner's log and projections happens under it."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.models import User
from questpath.events.drafts import UnknownLearner
from questpath.events.rules import LocalDays

_LOCK_LEARNERS = (
    select(User.id, User.timezone, User.day_start_hour)
    .where(User.id.in_(bindparam("ids", expanding=True)))
    .order_by(User.id)
    .with_for_update(key_share=True)
)


async def lock_learners(
    session: AsyncSession, user_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, LocalDays]:
    """Serialise changes per learner, and return each learner's timezone and day start as they
    stand under the lock (PostgreSQL row locks; SQLite has one writer anyway). Ids that name no
    learner are left out.

    One statement locks them all in id order, so concurrent writers cannot deadlock. FOR NO KEY
    UPDATE, not FOR UPDATE: inserting an event takes FOR KEY SHARE on its user row (the foreign
    key check), which FOR UPDATE would wait for.
    """
    rows = await session.execute(_LOCK_LEARNERS, {"ids": sorted(set(user_ids))})
    return {row.id: LocalDays(row.timezone, row.day_start_hour) for row in rows}


async def lock_known_learners(
    session: AsyncSession, user_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, LocalDays]:
    """`lock_learners`, raising `UnknownLearner` for ids that name no learner."""
    timezones = await lock_learners(session, user_ids)
    if missing := set(user_ids) - timezones.keys():
        raise UnknownLearner(missing)
    return timezones
