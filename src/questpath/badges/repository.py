"""Queries of published badges and the choice to publish all."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.models import User
from questpath.badges.models import BadgeAssertion, BadgeSettings
from questpath.db import dialect_of, insert_for


async def publishes_all(session: AsyncSession, user_id: uuid.UUID) -> bool:
    found = await session.get(BadgeSettings, user_id)
    return found is not None and found.publish_all


async def set_publish_all(session: AsyncSession, user_id: uuid.UUID, on: bool) -> None:
    if not on:
        await session.execute(delete(BadgeSettings).where(BadgeSettings.user_id == user_id))
        return
    stmt = insert_for(dialect_of(session), BadgeSettings).values(user_id=user_id, publish_all=True)
    await session.execute(
        stmt.on_conflict_do_update(index_elements=["user_id"], set_={"publish_all": True})
    )


async def publishing_emails(
    session: AsyncSession, user_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """The e-mail addresses of those of `user_ids` who publish every achievement."""
    rows = await session.execute(
        select(User.id, User.email)
        .join(BadgeSettings, BadgeSettings.user_id == User.id)
        .where(User.id.in_(list(user_ids)), BadgeSettings.publish_all)
    )
    return {row.id: row.email for row in rows}


async def assertions_of(session: AsyncSession, user_id: uuid.UUID) -> list[BadgeAssertion]:
    """The learner's assertions, revoked ones too, newest first."""
    found = await session.scalars(
        select(BadgeAssertion)
        .where(BadgeAssertion.user_id == user_id)
        .order_by(BadgeAssertion.issued_on.desc(), BadgeAssertion.id)
    )
    return list(found)


async def live_achievements(
    session: AsyncSession, user_ids: Collection[uuid.UUID]
) -> set[tuple[uuid.UUID, str]]:
    """(learner, achievement) of each assertion not revoked."""
    rows = await session.execute(
        select(BadgeAssertion.user_id, BadgeAssertion.achievement_id).where(
            BadgeAssertion.user_id.in_(list(user_ids)), BadgeAssertion.revoked_at.is_(None)
        )
    )
    return {(row.user_id, row.achievement_id) for row in rows}


async def assertion(session: AsyncSession, assertion_id: uuid.UUID) -> BadgeAssertion | None:
    found: BadgeAssertion | None = await session.scalar(
        select(BadgeAssertion).where(BadgeAssertion.id == assertion_id)
    )
    return found


async def assertion_of(
    session: AsyncSession, user_id: uuid.UUID, assertion_id: uuid.UUID
) -> BadgeAssertion | None:
    return await session.get(BadgeAssertion, (user_id, assertion_id))


def add(session: AsyncSession, assertions: list[BadgeAssertion]) -> None:
    session.add_all(assertions)


async def revoke(
    session: AsyncSession, user_id: uuid.UUID, assertion_id: uuid.UUID, now: datetime
) -> None:
    await session.execute(
        update(BadgeAssertion)
        .where(
            BadgeAssertion.user_id == user_id,
            BadgeAssertion.id == assertion_id,
            BadgeAssertion.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
