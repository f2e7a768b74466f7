"""Cohort rows and the members' progress, summed."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.models import User
from questpath.cohorts.models import Cohort, CohortMember
from questpath.progress.models import ProgressPeriod, ProgressTotals


async def get(session: AsyncSession, cohort_id: uuid.UUID) -> Cohort | None:
    return await session.get(Cohort, cohort_id)


async def by_invite(session: AsyncSession, invite_hash: str) -> Cohort | None:
    return await session.scalar(select(Cohort).where(Cohort.invite_hash == invite_hash))


async def add(session: AsyncSession, cohort: Cohort) -> None:
    session.add(cohort)
    await session.flush()


def member_ids(cohort_id: uuid.UUID) -> Select[Any]:
    return select(CohortMember.user_id).where(CohortMember.cohort_id == cohort_id)


async def is_member(session: AsyncSession, cohort_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    return await session.get(CohortMember, (cohort_id, user_id)) is not None


async def add_member(session: AsyncSession, member: CohortMember) -> None:
    session.add(member)
    await session.flush()


async def remove_member(session: AsyncSession, cohort_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    removed = await session.execute(
        delete(CohortMember).where(
            CohortMember.cohort_id == cohort_id, CohortMember.user_id == user_id
        )
    )
    return bool(getattr(removed, "rowcount", 0))


async def delete_cohorts(session: AsyncSession, cohort_ids: list[uuid.UUID]) -> None:
    if cohort_ids:
        await session.execute(delete(CohortMember).where(CohortMember.cohort_id.in_(cohort_ids)))
        await session.execute(delete(Cohort).where(Cohort.id.in_(cohort_ids)))


async def owned_by(session: AsyncSession, user_id: uuid.UUID) -> list[uuid.UUID]:
    return list(await session.scalars(select(Cohort.id).where(Cohort.owner_id == user_id)))


async def of_member(session: AsyncSession, user_id: uuid.UUID) -> list[Any]:
    """The learner's cohorts (id, name, owner_id, members), by name."""
    size = (
        select(func.count())
        .where(CohortMember.cohort_id == Cohort.id)
        .correlate(Cohort)
        .scalar_subquery()
    )
    query = (
        select(Cohort.id, Cohort.name, Cohort.owner_id, size.label("members"))
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.user_id == user_id)
        .order_by(Cohort.name, Cohort.id)
    )
    return list(await session.execute(query))


async def members(session: AsyncSession, cohort_id: uuid.UUID) -> list[Any]:
    """The members (user_id, display_name, joined_at), first to join first."""
    query = (
        select(CohortMember.user_id, User.display_name, CohortMember.joined_at)
        .join(User, User.id == CohortMember.user_id)
        .where(CohortMember.cohort_id == cohort_id)
        .order_by(CohortMember.joined_at, CohortMember.user_id)
    )
    return list(await session.execute(query))


async def totals(session: AsyncSession, cohort_id: uuid.UUID) -> tuple[int, int]:
    """The members' XP and finished tracks, all time."""
    query = select(
        func.coalesce(func.sum(ProgressTotals.xp + ProgressTotals.bonus_xp), 0),
        func.coalesce(func.sum(ProgressTotals.tracks_finished), 0),
    ).where(ProgressTotals.user_id.in_(member_ids(cohort_id)))
    xp, tracks = (await session.execute(query)).one()
    return int(xp), int(tracks)


async def active_in_week(session: AsyncSession, cohort_id: uuid.UUID, week_start: date) -> int:
    """Members with an active day in the week that starts on `week_start`."""
    query = select(func.count()).where(
        ProgressPeriod.user_id.in_(member_ids(cohort_id)),
        ProgressPeriod.period == "week",
        ProgressPeriod.start == week_start,
    )
    return int(await session.scalar(query) or 0)
