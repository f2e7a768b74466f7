"""All SQL of tracks, their categories, items and share links."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.tracks.models import Track, TrackCategory, TrackItem, TrackShare


async def add_track(
    session: AsyncSession,
    track: Track,
    categories: Sequence[dict[str, Any]],
    items: Sequence[dict[str, Any]],
) -> None:
    """Store a whole track. Rows go in parents first, so every reference resolves."""
    session.add(track)
    await session.flush()
    if categories:
        await session.execute(insert(TrackCategory), list(categories))
    if items:
        await session.execute(insert(TrackItem), list(items))


async def add_rows(
    session: AsyncSession,
    categories: Sequence[dict[str, Any]],
    items: Sequence[dict[str, Any]],
) -> None:
    """Add categories and items to a stored track, parents before children."""
    if categories:
        await session.execute(insert(TrackCategory), list(categories))
    if items:
        await session.execute(insert(TrackItem), list(items))


async def delete_categories(
    session: AsyncSession, user_id: uuid.UUID, category_ids: Sequence[uuid.UUID]
) -> None:
    """Delete categories with whatever is still in them."""
    await session.execute(
        delete(TrackCategory).where(
            TrackCategory.user_id == user_id, TrackCategory.id.in_(list(category_ids))
        )
    )


async def tracks(session: AsyncSession, user_id: uuid.UUID) -> list[Track]:
    stmt = select(Track).where(Track.user_id == user_id).order_by(Track.created_at.desc())
    return list(await session.scalars(stmt))


async def track(session: AsyncSession, user_id: uuid.UUID, track_id: uuid.UUID) -> Track | None:
    return await session.get(Track, (user_id, track_id))


async def owner_of(session: AsyncSession, track_id: uuid.UUID) -> uuid.UUID | None:
    """Whose track `track_id` is: for operators' commands, which name a track by id alone."""
    stmt = select(Track.user_id).where(Track.id == track_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def categories(
    session: AsyncSession, user_id: uuid.UUID, track_id: uuid.UUID
) -> list[TrackCategory]:
    stmt = select(TrackCategory).where(
        TrackCategory.user_id == user_id, TrackCategory.track_id == track_id
    )
    return list(await session.scalars(stmt))


_LIVE = TrackItem.archived_at.is_(None)  # archived items are kept for re-imports alone


async def items(
    session: AsyncSession, user_id: uuid.UUID, track_id: uuid.UUID, *, archived: bool = False
) -> list[TrackItem]:
    """A track's items; with `archived`, the archived ones too."""
    stmt = select(TrackItem).where(TrackItem.user_id == user_id, TrackItem.track_id == track_id)
    return list(await session.scalars(stmt if archived else stmt.where(_LIVE)))


async def item(session: AsyncSession, user_id: uuid.UUID, item_id: uuid.UUID) -> TrackItem | None:
    """A live item: an archived one is not there to be worked."""
    found = await session.get(TrackItem, (user_id, item_id))
    return found if found is not None and found.archived_at is None else None


async def category(
    session: AsyncSession, user_id: uuid.UUID, category_id: uuid.UUID
) -> TrackCategory | None:
    return await session.get(TrackCategory, (user_id, category_id))


async def state_counts(
    session: AsyncSession, user_id: uuid.UUID
) -> dict[uuid.UUID, dict[str, int]]:
    """Each track's number of items in each state."""
    stmt = (
        select(TrackItem.track_id, TrackItem.state, func.count())
        .where(TrackItem.user_id == user_id, _LIVE)
        .group_by(TrackItem.track_id, TrackItem.state)
    )
    counts: dict[uuid.UUID, dict[str, int]] = {}
    for track_id, state, count in await session.execute(stmt):
        counts.setdefault(track_id, {})[state] = count
    return counts


async def category_state_counts(
    session: AsyncSession, user_id: uuid.UUID, track_id: uuid.UUID
) -> dict[uuid.UUID | None, dict[str, int]]:
    """A track's number of items in each state, by category (None: outside any category)."""
    stmt = (
        select(TrackItem.category_id, TrackItem.state, func.count())
        .where(TrackItem.user_id == user_id, TrackItem.track_id == track_id, _LIVE)
        .group_by(TrackItem.category_id, TrackItem.state)
    )
    counts: dict[uuid.UUID | None, dict[str, int]] = {}
    for category_id, state, count in await session.execute(stmt):
        counts.setdefault(category_id, {})[state] = count
    return counts


async def next_position(
    session: AsyncSession,
    user_id: uuid.UUID,
    track_id: uuid.UUID,
    category_id: uuid.UUID | None,
    parent_id: uuid.UUID | None,
) -> int:
    """The position after the last sibling of a new item."""
    stmt = select(func.max(TrackItem.position)).where(
        TrackItem.user_id == user_id,
        TrackItem.track_id == track_id,
        TrackItem.category_id.is_(None)
        if category_id is None
        else TrackItem.category_id == category_id,
        TrackItem.parent_id.is_(None) if parent_id is None else TrackItem.parent_id == parent_id,
    )
    last = (await session.execute(stmt)).scalar_one_or_none()
    return 0 if last is None else last + 1


async def delete_track(session: AsyncSession, user_id: uuid.UUID, track_id: uuid.UUID) -> None:
    await session.execute(delete(Track).where(Track.user_id == user_id, Track.id == track_id))


async def delete_item(session: AsyncSession, user_id: uuid.UUID, item_id: uuid.UUID) -> None:
    """Delete an item; its sub-items go with it through the foreign key."""
    await session.execute(
        delete(TrackItem).where(TrackItem.user_id == user_id, TrackItem.id == item_id)
    )


async def all_items(session: AsyncSession, user_id: uuid.UUID) -> list[TrackItem]:
    stmt = select(TrackItem).where(TrackItem.user_id == user_id, _LIVE)
    return list(await session.scalars(stmt))


async def all_archived_items(session: AsyncSession, user_id: uuid.UUID) -> list[TrackItem]:
    """Every archived item of the learner, oldest archived first."""
    stmt = (
        select(TrackItem)
        .where(TrackItem.user_id == user_id, TrackItem.archived_at.is_not(None))
        .order_by(TrackItem.archived_at, TrackItem.position, TrackItem.id)
    )
    return list(await session.scalars(stmt))


async def tracks_with_categories(
    session: AsyncSession, user_id: uuid.UUID
) -> tuple[list[Track], list[TrackCategory]]:
    """The learner's tracks, newest first, and all their categories, in one statement."""
    stmt = (
        select(Track, TrackCategory)
        .outerjoin(
            TrackCategory,
            (TrackCategory.user_id == Track.user_id) & (TrackCategory.track_id == Track.id),
        )
        .where(Track.user_id == user_id)
        .order_by(Track.created_at.desc(), Track.id)
    )
    tracks: dict[uuid.UUID, Track] = {}
    categories = []
    for track, category in await session.execute(stmt):
        tracks.setdefault(track.id, track)
        if category is not None:
            categories.append(category)
    return list(tracks.values()), categories


async def all_categories(session: AsyncSession, user_id: uuid.UUID) -> list[TrackCategory]:
    stmt = select(TrackCategory).where(TrackCategory.user_id == user_id)
    return list(await session.scalars(stmt))


# Share links ----------------------------------------------------------------------------------


async def share_of(
    session: AsyncSession, user_id: uuid.UUID, track_id: uuid.UUID
) -> TrackShare | None:
    stmt = select(TrackShare).where(TrackShare.user_id == user_id, TrackShare.track_id == track_id)
    return (await session.scalars(stmt)).one_or_none()


async def all_shares(session: AsyncSession, user_id: uuid.UUID) -> dict[uuid.UUID, TrackShare]:
    """The learner's share links by track."""
    stmt = select(TrackShare).where(TrackShare.user_id == user_id)
    return {share.track_id: share for share in await session.scalars(stmt)}


async def shared(session: AsyncSession, token_hash: str) -> TrackShare | None:
    return await session.get(TrackShare, token_hash)


async def add_share(session: AsyncSession, share: TrackShare) -> None:
    session.add(share)
    await session.flush()


async def delete_share(session: AsyncSession, user_id: uuid.UUID, track_id: uuid.UUID) -> None:
    await session.execute(
        delete(TrackShare).where(TrackShare.user_id == user_id, TrackShare.track_id == track_id)
    )
