"""Working a track's items: adding, changing and deleting them. A change to or from done goes
through the event log, so XP, streaks, achievements and goals follow it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.principal import UserLike
from questpath.events.drafts import SystemEvent, system_event_id
from questpath.events.schemas import AchievementUnlocked
from questpath.problems import Invalid, NotFound
from questpath.progress.recording import Recorder
from questpath.progress.rules import EventFacts, event_xp
from questpath.tracks import repository as repo
from questpath.tracks import tree
from questpath.tracks.drafts import ItemDraft, Resource
from questpath.tracks.models import Track, TrackItem
from questpath.tracks.schemas import ItemChanged, ItemCreate, ItemRead, ItemUpdate
from questpath.tracks.service import completion_read, item_read, item_row, load_tree, own_track


async def _own_item(
    session: AsyncSession, user: UserLike, track_id: uuid.UUID, item_id: uuid.UUID
) -> tuple[Track, TrackItem]:
    track = await own_track(session, user, track_id)
    item = await repo.item(session, user.id, item_id)
    if item is None or item.track_id != track_id:
        raise NotFound(f"no item with the id {item_id} in this track")
    return track, item


async def add_item(
    session: AsyncSession, user: UserLike, track_id: uuid.UUID, new: ItemCreate, now: datetime
) -> ItemRead:
    """Add an item at the end of its category, or under another item."""
    track = await own_track(session, user, track_id)
    category_id = new.category_id
    if new.parent_id is not None:
        parent = await repo.item(session, user.id, new.parent_id)
        if parent is None or parent.track_id != track_id:
            raise Invalid.field("parent_id", f"no item with the id {new.parent_id} in this track")
        if category_id is not None and category_id != parent.category_id:
            raise Invalid.field("category_id", "must be the category of the parent item")
        category_id = parent.category_id
    elif category_id is not None:
        category = await repo.category(session, user.id, category_id)
        if category is None or category.track_id != track_id:
            raise Invalid.field(
                "category_id", f"no category with the id {category_id} in this track"
            )
    position = await repo.next_position(session, user.id, track_id, category_id, new.parent_id)
    draft = ItemDraft(
        title=new.title,
        description=new.description,
        resources=tuple(Resource(r.title, r.url) for r in new.resources),
        notes=new.notes,
        state=new.state,
        priority=new.priority,
        horizon=new.horizon,
        due_date=new.due_date,
        topic=new.topic,
    )
    row = item_row(
        user.id, track_id, uuid.uuid4(), category_id, new.parent_id, position, draft, now
    )
    item = TrackItem(**row)
    session.add(item)
    track.updated_at = now
    await session.flush()
    return item_read(await _node_of(session, track, item.id))


async def _node_of(session: AsyncSession, track: Track, item_id: uuid.UUID) -> tree.ItemNode:
    root = await load_tree(session, track)
    return next(node for node in root.walk_items() if node.row.id == item_id)


async def delete_item(
    session: AsyncSession, user: UserLike, track_id: uuid.UUID, item_id: uuid.UUID
) -> None:
    """Delete an item and its sub-items. Events already recorded for them stay in the log."""
    await _own_item(session, user, track_id, item_id)
    await repo.delete_item(session, user.id, item_id)


async def update_item(
    session: AsyncSession,
    user: UserLike,
    track_id: uuid.UUID,
    item_id: uuid.UUID,
    changes: ItemUpdate,
    now: datetime,
    recorder: Recorder,
) -> ItemChanged:
    """Change an item. Marking it done records `item_completed` (its XP is awarded once, however
    often it is reopened), and `category_finished` / `track_finished` for what it finishes;
    taking it out of done records `item_reopened`, which removes nothing."""
    track, item = await _own_item(session, user, track_id, item_id)
    values = changes.set_fields(
        not_null=("title", "description", "resources", "notes", "state", "priority")
    )
    was_done = item.state == "done"
    for name, value in values.items():
        setattr(item, name, value)
    item.updated_at = track.updated_at = now
    now_done = item.state == "done"
    if now_done != was_done:
        item.completed_at = now if now_done else None
    await session.flush()

    root = await load_tree(session, track)
    node = next(n for n in root.walk_items() if n.row.id == item_id)
    events = []
    if now_done and not was_done:
        events.append(_completed_event(track, item, node.topic))
    elif was_done and not now_done:
        events.append(
            SystemEvent(
                f"item:{item.id}:reopened:{uuid.uuid4()}",
                "item_reopened",
                node.topic,
                _item_metadata(track, item),
            )
        )
    if "state" in values:
        events += _finished_events(track, root, item.category_id)
    stored = await recorder.record(session, [e.draft(user.id) for e in events], now)
    recorded = [e.kind for e in events if (user.id, system_event_id(e)) in stored.created]
    return ItemChanged(
        item=item_read(node),
        track_progress=completion_read(root.completion),
        events_recorded=recorded,
        xp_awarded=sum(
            event_xp(EventFacts(kind, now.date()), recorder.ruleset.xp) for kind in recorded
        ),
        achievements_unlocked=[
            AchievementUnlocked(user_id=user.id, **a.model_dump()) for a in stored.unlocked(user.id)
        ],
    )


def _completed_event(track: Track, item: TrackItem, topic: str) -> SystemEvent:
    # One id per item: the event log stores it once, so XP comes once however often the item
    # is reopened and done again.
    return SystemEvent(
        f"item:{item.id}",
        "item_completed",
        topic,
        _item_metadata(track, item),
    )


def _item_metadata(track: Track, item: TrackItem) -> dict[str, str]:
    return {"track_id": str(track.id), "item_id": str(item.id), "title": item.title[:200]}


def _finished_events(
    track: Track, root: tree.CategoryNode, category_id: uuid.UUID | None
) -> list[SystemEvent]:
    """`category_finished` for each finished category holding the item, `track_finished` when
    the whole track is; each id is recorded once per category or track, ever."""
    events = [
        SystemEvent(
            f"category:{node.id}",
            "category_finished",
            node.topic,
            {"track_id": str(track.id), "category_id": str(node.id), "title": node.title[:200]},
        )
        for node in tree.ancestors(root, category_id)
        if node.completion.finished
    ]
    if root.completion.finished:
        events.append(
            SystemEvent(
                f"track:{track.id}",
                "track_finished",
                None,
                {"track_id": str(track.id), "title": track.title[:200]},
            )
        )
    return events
