"""All SQL of mentorship."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.models import User
from questpath.mentors.models import MentorInvite, Mentorship


async def invite_of(session: AsyncSession, user_id: uuid.UUID) -> MentorInvite | None:
    return await session.get(MentorInvite, user_id)


async def invite_by_hash(session: AsyncSession, token_hash: str) -> MentorInvite | None:
    return await session.scalar(select(MentorInvite).where(MentorInvite.token_hash == token_hash))


async def replace_invite(session: AsyncSession, invite: MentorInvite) -> None:
    await delete_invite(session, invite.user_id)
    session.add(invite)
    await session.flush()


async def delete_invite(session: AsyncSession, user_id: uuid.UUID) -> bool:
    result = await session.execute(delete(MentorInvite).where(MentorInvite.user_id == user_id))
    return _count(result) > 0


async def use_invite(session: AsyncSession, token_hash: str, now: datetime) -> bool:
    """Delete the invite if it is still open; False when another request used it first."""
    result = await session.execute(
        delete(MentorInvite).where(
            MentorInvite.token_hash == token_hash, MentorInvite.expires_at > now
        )
    )
    return _count(result) == 1


def _count(result: Any) -> int:
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


async def active(
    session: AsyncSession, *, mentee_id: uuid.UUID, mentor_id: uuid.UUID
) -> Mentorship | None:
    return await session.scalar(
        select(Mentorship).where(
            Mentorship.mentee_id == mentee_id,
            Mentorship.mentor_id == mentor_id,
            Mentorship.ended_at.is_(None),
        )
    )


async def add(session: AsyncSession, mentorship: Mentorship) -> None:
    session.add(mentorship)
    await session.flush()


async def flush(session: AsyncSession) -> None:
    await session.flush()


async def mentors_of(session: AsyncSession, mentee_id: uuid.UUID) -> list[tuple[Mentorship, User]]:
    """The mentee's active mentorships with each mentor's account, longest-standing first."""
    stmt = (
        select(Mentorship, User)
        .join(User, User.id == Mentorship.mentor_id)
        .where(Mentorship.mentee_id == mentee_id, Mentorship.ended_at.is_(None))
        .order_by(Mentorship.started_at, Mentorship.id)
    )
    return [(row[0], row[1]) for row in await session.execute(stmt)]


async def mentees_of(session: AsyncSession, mentor_id: uuid.UUID) -> list[tuple[Mentorship, User]]:
    """The mentor's active mentorships with each mentee's account, longest-standing first."""
    stmt = (
        select(Mentorship, User)
        .join(User, User.id == Mentorship.mentee_id)
        .where(Mentorship.mentor_id == mentor_id, Mentorship.ended_at.is_(None))
        .order_by(Mentorship.started_at, Mentorship.id)
    )
    return [(row[0], row[1]) for row in await session.execute(stmt)]


async def all_of(session: AsyncSession, user_id: uuid.UUID) -> list[tuple[Mentorship, User]]:
    """Every mentorship the account took part in, on either side, ended ones too, each with the
    other account; oldest first."""
    other = or_(
        and_(Mentorship.mentee_id == user_id, User.id == Mentorship.mentor_id),
        and_(Mentorship.mentor_id == user_id, User.id == Mentorship.mentee_id),
    )
    stmt = select(Mentorship, User).join(User, other).order_by(Mentorship.started_at, Mentorship.id)
    return [(row[0], row[1]) for row in await session.execute(stmt)]
