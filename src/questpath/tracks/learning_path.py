"""What to study next: the learner's open items across tracks, in the order to take them."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.principal import UserLike
from questpath.tracks import repository as repo
from questpath.tracks import tree
from questpath.tracks.models import Track, TrackCategory, TrackItem
from questpath.tracks.rules import is_open, learning_path_key
from questpath.tracks.schemas import LearningPath, PathGroup, PathItem


async def learning_path(
    session: AsyncSession, user: UserLike, limit: int, *, whole_paths: bool = False
) -> LearningPath:
    """Open items across the learner's tracks: sooner horizons first; within one, the tracks'
    written learning paths in order, then higher priority, earlier due dates, older tracks and
    document order. With `whole_paths`, every open item on a written path is listed, and other
    items only while fewer than `limit` are."""
    tracks, categories = await repo.tracks_with_categories(session, user.id)
    items = await repo.all_items(session, user.id)
    categories_of: dict[uuid.UUID, list[TrackCategory]] = defaultdict(list)
    for category in categories:
        categories_of[category.track_id].append(category)
    items_of: dict[uuid.UUID, list[TrackItem]] = defaultdict(list)
    for item in items:
        items_of[item.track_id].append(item)

    entries = []
    for track_order, track in enumerate(reversed(tracks)):  # oldest track first
        root = tree.build(track, categories_of[track.id], items_of[track.id])
        titles = {c.id: c.title for c in root.walk_categories()}
        for document_order, node in enumerate(root.walk_items()):
            row = node.row
            if not is_open(row.state):
                continue
            key = learning_path_key(
                row.horizon,  # type: ignore[arg-type]
                row.priority,  # type: ignore[arg-type]
                row.due_date,
                (track_order, document_order),
                None if row.path_position is None else (track_order, row.path_position),
            )
            entries.append((key, _path_item(track, titles, node)))
    entries.sort(key=lambda entry: entry[0])
    shown: list[PathItem] = []
    for _, entry in entries:
        if len(shown) < limit or (whole_paths and entry.path_position is not None):
            shown.append(entry)
    groups: list[PathGroup] = []
    for entry in shown:
        if not groups or groups[-1].horizon != entry.horizon:
            groups.append(PathGroup(horizon=entry.horizon, items=[]))
        groups[-1].items.append(entry)
    return LearningPath(total_open=len(entries), groups=groups)


def _path_item(track: Track, titles: dict[uuid.UUID | None, str], node: tree.ItemNode) -> PathItem:
    row = node.row
    return PathItem(
        id=row.id,
        track_id=track.id,
        track_title=track.title,
        category_id=row.category_id,
        category_title=titles.get(row.category_id),
        title=row.title,
        state=row.state,
        priority=row.priority,
        horizon=row.horizon,
        due_date=row.due_date,
        topic=node.topic,
        path_position=row.path_position,
        section=node.section,
    )
