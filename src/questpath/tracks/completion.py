"""How far a learner's track or one of its categories is, counted in the database.

Goals ask this after every batch of events, so it reads item counts per category and state
rather than loading the track's items.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.tracks import repository as repo
from questpath.tracks.rules import Completion, completion_of_counts


async def completion(
    session: AsyncSession, user_id: uuid.UUID, track_id: uuid.UUID, category_id: uuid.UUID | None
) -> Completion | None:
    """The track's completion (category_id None) or a category's, everything below it included;
    None when the learner has no such track or category."""
    if await repo.track(session, user_id, track_id) is None:
        return None
    categories = await repo.categories(session, user_id, track_id)
    if category_id is not None and category_id not in {c.id for c in categories}:
        return None
    counts = await repo.category_state_counts(session, user_id, track_id)
    children: dict[uuid.UUID | None, list[uuid.UUID]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category.id)

    def below(node: uuid.UUID | None) -> Completion:
        own = completion_of_counts(counts.get(node, {}))
        return sum((below(child) for child in children.get(node, [])), own)

    return below(category_id)
