"""All SQL of progress sharing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.sharing.models import ProgressShare, SharedTrack


async def share_of(session: AsyncSession, user_id: uuid.UUID) -> ProgressShare | None:
    return await session.get(ProgressShare, user_id)


async def by_token_hash(session: AsyncSession, token_hash: str) -> ProgressShare | None:
    stmt = select(ProgressShare).where(ProgressShare.token_hash == token_hash)
    return await session.scalar(stmt)


async def by_handle(session: AsyncSession, handle: str) -> ProgressShare | None:
    return await session.scalar(select(ProgressShare).where(ProgressShare.handle == handle))


async def add(session: AsyncSession, share: ProgressShare) -> None:
    session.add(share)
    await session.flush()


async def flush(session: AsyncSession) -> None:
    await session.flush()


async def track_ids(session: AsyncSession, user_id: uuid.UUID) -> list[uuid.UUID]:
    stmt = select(SharedTrack.track_id).where(SharedTrack.user_id == user_id)
    return list(await session.scalars(stmt))


async def replace_tracks(
    session: AsyncSession, user_id: uuid.UUID, track_ids: Sequence[uuid.UUID]
) -> None:
    await session.execute(delete(SharedTrack).where(SharedTrack.user_id == user_id))
    if track_ids:
        rows = [{"user_id": user_id, "track_id": track_id} for track_id in track_ids]
        await session.execute(insert(SharedTrack), rows)
