"""Erasing the accounts whose deletion came due: every row of the learner, in every table.

Every table that holds a learner's data has a `user_id` column, so the tables to clear come
from the schema itself and a new table cannot be forgotten. Failed sign-ins are kept by e-mail
address, not by id, and are cleared by it, as are the invites made for the address. A
mentorship names two accounts: erasing either erases it.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

import structlog
from sqlalchemy import Table, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from questpath.auth.models import Invite, LoginFailures, User
from questpath.auth.rules import sign_in_keys
from questpath.clock import utc_now
from questpath.cohorts import repository as cohorts
from questpath.db import Base, transaction
from questpath.leaderboards import repository as boards
from questpath.mentors.models import Mentorship
from questpath.recorder.lock import lock_learners

log = structlog.get_logger("questpath.erasure")


def learner_tables() -> list[Table]:
    """The tables with learners' rows, those that refer to others first."""
    return [table for table in reversed(Base.metadata.sorted_tables) if "user_id" in table.c]


async def erase(session: AsyncSession, user_id: uuid.UUID) -> bool:
    """Erase the learner and every row of theirs; False when there is no such learner. The
    caller holds the learner's lock."""
    email = await session.scalar(select(User.email).where(User.id == user_id))
    if email is None:
        return False
    await boards.leave(session, user_id)  # off the boards, and their sizes kept
    await cohorts.delete_cohorts(session, await cohorts.owned_by(session, user_id))
    for table in learner_tables():
        await session.execute(delete(table).where(table.c.user_id == user_id))
    keys = sign_in_keys(email, "")
    await session.execute(
        delete(LoginFailures).where(
            or_(
                LoginFailures.key == keys.account,
                LoginFailures.key.startswith(keys.pair, autoescape=True),
            )
        )
    )
    await session.execute(
        delete(Mentorship).where(
            or_(Mentorship.mentee_id == user_id, Mentorship.mentor_id == user_id)
        )
    )
    # Invites name the address they were made for; those the learner made lose their maker
    # (ON DELETE SET NULL).
    await session.execute(delete(Invite).where(Invite.email == email))
    await session.execute(delete(User).where(User.id == user_id))
    return True


async def erase_due(maker: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Erase every account whose deletion is due at `now`; returns how many. Each is erased in
    a transaction of its own, after checking again that it is still due."""
    async with maker() as session:
        due = list(await session.scalars(select(User.id).where(User.deletion_due_at <= now)))
    erased = 0
    for user_id in due:
        async with transaction(maker) as session:
            await lock_learners(session, [user_id])  # a cancellation waits, or went first
            still_due = await session.scalar(
                select(User.id).where(User.id == user_id, User.deletion_due_at <= now)
            )
            if still_due is not None and await erase(session, user_id):
                erased += 1
                log.info("erased an account whose deletion came due", user_id=str(user_id))
    return erased


async def erase_due_accounts(maker: async_sessionmaker[AsyncSession], interval: float) -> None:
    """Run by each server process: erase the accounts that came due, every `interval` seconds.
    Processes that run it at once erase each account once (see `erase_due`)."""
    while True:
        try:
            await erase_due(maker, utc_now())
        except Exception as exc:  # noqa: BLE001  (the next round tries again)
            log.warning("could not erase the accounts due for deletion", error=repr(exc))
        await asyncio.sleep(interval)
