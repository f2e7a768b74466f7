"""All SQL of goals."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.goals.models import Goal
from questpath.goals.rules import Status


async def add(session: AsyncSession, goal: Goal) -> None:
    session.add(goal)
    await session.flush()


async def get(session: AsyncSession, user_id: uuid.UUID, goal_id: uuid.UUID) -> Goal | None:
    return await session.get(Goal, (user_id, goal_id))


async def list_goals(
    session: AsyncSession, user_id: uuid.UUID, status: Status | None, today: date
) -> list[Goal]:
    """The learner's goals, newest first; with `status`, only those showing it on `today`."""
    stmt = select(Goal).where(Goal.user_id == user_id)
    if status == "overdue":
        stmt = stmt.where(Goal.status == "active", Goal.target_date < today)
    elif status == "active":
        stmt = stmt.where(
            Goal.status == "active", or_(Goal.target_date.is_(None), Goal.target_date >= today)
        )
    elif status is not None:
        stmt = stmt.where(Goal.status == status)
    stmt = stmt.order_by(Goal.created_at.desc(), Goal.id.desc())
    return list(await session.scalars(stmt))


async def active(session: AsyncSession, user_id: uuid.UUID) -> list[Goal]:
    """The learner's active goals (overdue ones included), read afresh and locked until the
    transaction ends, so that two writers cannot both achieve the same goal. Flush first."""
    stmt = (
        select(Goal)
        .where(Goal.user_id == user_id, Goal.status == "active")
        .order_by(Goal.created_at, Goal.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(await session.scalars(stmt))


async def with_active_goals(
    session: AsyncSession, user_ids: Collection[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of the learners have an active goal (one statement for a whole group)."""
    rows = await session.scalars(
        select(Goal.user_id).where(Goal.user_id.in_(user_ids), Goal.status == "active").distinct()
    )
    return set(rows)


async def count_active(session: AsyncSession, user_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Goal)
        .where(Goal.user_id == user_id, Goal.status == "active")
    )
    return count or 0


async def delete(session: AsyncSession, goal: Goal) -> None:
    await session.delete(goal)
    await session.flush()
