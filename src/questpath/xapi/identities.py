"""Placeholder until linked identities land: learners by their e-mail mbox."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.models import User


async def resolve(session: AsyncSession, ifis: Collection[str]) -> dict[str, uuid.UUID]:
    emails = {
        i.removeprefix("mbox:mailto:").lower(): i for i in ifis if i.startswith("mbox:mailto:")
    }
    if not emails:
        return {}
    rows = await session.execute(
        select(User.email, User.id).where(func.lower(User.email).in_(emails))
    )
    return {emails[email.lower()]: user_id for email, user_id in rows}
