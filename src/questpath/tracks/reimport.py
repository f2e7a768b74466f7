"""Importing an edited document into an existing track: the track becomes what the document
says, while the learner's progress stays.

Each item of the document is matched to a stored one (matching.py). A kept item takes the
document's title, texts, links, place and learning-path entry, but keeps its state, its
completion time, its due date and its topic (the stored state wins over the document's
checkbox: the learner's progress lives in QuestPath). Priority and horizon come from headings
as on import; where the headings give none, the stored value stays. New items arrive in the
document's state, as on import: history, not activity. Items the document no longer lists are
archived, with their sub-items. Categories are kept where the document has a heading of the
same title under the same kept parent (so what finishing one recorded stays recorded once);
others are made or, once empty, deleted.

No state changes, so no events are recorded: XP, streaks and everything the log derives stay
as they were, archived items' completions included.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.principal import UserLike
from questpath.problems import Invalid
from questpath.tracks import markdown, matching, tree
from questpath.tracks import repository as repo
from questpath.tracks.drafts import CategoryDraft, ItemDraft, Resource, TrackDraft
from questpath.tracks.models import Track, TrackCategory, TrackItem
from questpath.tracks.schemas import ReimportChange, ReimportRead
from questpath.tracks.service import decode_document, item_row, load_tree, own_track, summary


async def reimport_markdown(
    session: AsyncSession,
    user: UserLike,
    track_id: uuid.UUID,
    data: bytes,
    title: str | None,
    now: datetime,
    *,
    dry_run: bool,
) -> ReimportRead:
    """Preview (`dry_run`) or apply importing a document into the track `track_id`."""
    track = await own_track(session, user, track_id)
    text = decode_document(data)
    try:
        draft = markdown.parse_track(text, title)
    except markdown.MarkdownProblem as problem:
        raise Invalid.field("document", problem.message) from problem
    categories = await repo.categories(session, user.id, track.id)
    rows = await repo.items(session, user.id, track.id, archived=True)
    rows = _in_document_order(track, categories, rows)
    headings = _headings(categories)
    stored = [_stored(row, headings) for row in rows]
    plan = matching.plan_reimport(stored, draft)
    if not dry_run:
        await _apply(session, track, categories, rows, draft, plan, now)
    root = await load_tree(session, track)
    return ReimportRead(
        applied=not dry_run,
        added=[_change(c) for c in plan.added],
        restored=[_change(c) for c in plan.restored],
        changed=[_change(c) for c in plan.changed],
        moved=[_change(c) for c in plan.moved],
        removed=[_change(c) for c in plan.removed],
        unchanged=plan.unchanged,
        track=summary(track, root.completion),
    )


def _in_document_order(
    track: Track, categories: Sequence[TrackCategory], rows: Sequence[TrackItem]
) -> list[TrackItem]:
    """Live items as the track lists them, then archived ones, oldest archived first: where
    titles repeat, matching takes them in this order."""
    live = [row for row in rows if row.archived_at is None]
    ordered = [node.row for node in tree.build(track, categories, live).walk_items()]
    archived = [row for row in rows if row.archived_at is not None]
    archived.sort(key=lambda row: (row.archived_at, row.position, str(row.id)))
    return [*ordered, *archived]


def _headings(categories: Sequence[TrackCategory]) -> dict[uuid.UUID | None, matching.Headings]:
    by_id = {category.id: category for category in categories}
    found: dict[uuid.UUID | None, matching.Headings] = {None: ()}

    def of(category_id: uuid.UUID | None) -> matching.Headings:
        if category_id not in found:
            category = by_id[category_id]  # type: ignore[index]
            found[category_id] = (*of(category.parent_id), category.title)
        return found[category_id]

    for category in categories:
        of(category.id)
    return found


def _stored(
    row: TrackItem, headings: dict[uuid.UUID | None, matching.Headings]
) -> matching.StoredItem:
    return matching.StoredItem(
        id=row.id,
        title=row.title,
        category=headings.get(row.category_id, ()),
        archived=row.archived_at is not None,
        parent_id=row.parent_id,
        description=row.description,
        resources=tuple(Resource(r["title"], r["url"]) for r in row.resources),
        notes=row.notes,
    )


def _change(change: matching.Change) -> ReimportChange:
    return ReimportChange(
        id=change.id,
        title=change.title,
        category=list(change.category),
        previous_title=change.previous_title,
        previous_category=list(change.previous_category)
        if change.previous_category is not None and change.previous_category != change.category
        else None,
        fields=list(change.fields),
    )


async def _apply(
    session: AsyncSession,
    track: Track,
    categories: Sequence[TrackCategory],
    rows: Sequence[TrackItem],
    draft: TrackDraft,
    plan: matching.Plan,
    now: datetime,
) -> None:
    """Make the stored track what `draft` says, keeping what `plan` matched."""
    user_id, track_id = track.user_id, track.id
    old_children: defaultdict[uuid.UUID | None, list[TrackCategory]] = defaultdict(list)
    for category in sorted(categories, key=lambda c: (c.position, str(c.id))):
        old_children[category.parent_id].append(category)
    kept_categories: dict[uuid.UUID, tuple[uuid.UUID | None, int, str]] = {}
    new_categories: list[dict[str, object]] = []
    category_ids: list[uuid.UUID | None] = [None]  # in document order, the track first
    item_category: list[uuid.UUID | None] = []  # per document item

    def place_items(items: tuple[ItemDraft, ...], category_id: uuid.UUID | None) -> None:
        for item in items:
            item_category.append(category_id)
            place_items(item.children, category_id)

    def place(node: CategoryDraft, node_id: uuid.UUID | None, kept: bool) -> None:
        place_items(node.items, node_id)
        for position, child in enumerate(node.children):
            candidates = old_children[node_id] if kept else []
            old = next(
                (c for c in candidates if c.id not in kept_categories and c.title == child.title),
                None,
            )
            if old is not None:
                child_id = old.id
                kept_categories[child_id] = (node_id, position, child.notes)
            else:
                child_id = uuid.uuid4()
                new_categories.append(
                    {
                        "user_id": user_id,
                        "id": child_id,
                        "track_id": track_id,
                        "parent_id": node_id,
                        "position": position,
                        "title": child.title,
                        "notes": child.notes,
                    }
                )
            category_ids.append(child_id)
            place(child, child_id, old is not None)

    place(draft.root, None, True)

    placed = matching.placed_items(draft)
    ids = [match or uuid.uuid4() for match in plan.matches]
    positions = _sibling_positions(placed)
    by_id = {row.id: row for row in rows}
    new_items: list[dict[str, object]] = []
    updates: list[tuple[TrackItem, dict[str, object]]] = []
    for index, item in enumerate(placed):
        draft_item = item.draft
        parent_id = ids[item.parent] if item.parent is not None else None
        values = item_row(
            user_id,
            track_id,
            ids[index],
            item_category[index],
            parent_id,
            positions[index],
            draft_item,
            now,
        )
        if draft_item.path is not None:
            values["path_category_id"] = category_ids[draft_item.path.section]
        if plan.matches[index] is None:
            new_items.append(values)
        else:
            updates.append((by_id[ids[index]], values))

    # New rows first, parents before children; only then the kept rows, which may now point to
    # them (the session flushes its changes before each statement).
    await repo.add_rows(session, new_categories, new_items)
    for category in categories:
        if category.id in kept_categories:
            category.parent_id, category.position, category.notes = kept_categories[category.id]
    for row, values in updates:
        _keep_progress(row, values, now)
    matched = set(plan.matches)
    for row in rows:
        if row.id not in matched and row.archived_at is None:
            row.archived_at = now
            row.path_category_id = row.path_position = None
            row.updated_at = now
    if draft.title != markdown.UNTITLED_TRACK:  # a document without a # heading keeps the title
        track.title = draft.title
    track.description, track.updated_at = draft.description, now
    await session.flush()
    gone = [c.id for c in categories if c.id not in kept_categories]
    if gone:
        # Archived items leave a category that goes: they are out of every tree anyway.
        for row in rows:
            if row.category_id in gone:
                row.category_id = None
        await session.flush()
        await repo.delete_categories(session, user_id, gone)


def _sibling_positions(placed: Sequence[matching.PlacedItem]) -> list[int]:
    """Each document item's position among its siblings (same category and parent)."""
    counters: defaultdict[tuple[matching.Headings, int | None], int] = defaultdict(int)
    positions = []
    for item in placed:
        key = (item.category, item.parent)
        positions.append(counters[key])
        counters[key] += 1
    return positions


_FROM_DOCUMENT = (
    "category_id",
    "parent_id",
    "position",
    "title",
    "description",
    "resources",
    "notes",
    "path_category_id",
    "path_position",
)


def _keep_progress(row: TrackItem, values: dict[str, object], now: datetime) -> None:
    """Take the document's texts and place; keep state, completion, due date and topic.
    Priority and horizon follow the headings where they give one."""
    for name in _FROM_DOCUMENT:
        setattr(row, name, values[name])
    if values["priority"] != "normal":
        row.priority = str(values["priority"])
    if values["horizon"] is not None:
        row.horizon = str(values["horizon"])
    row.archived_at = None
    row.updated_at = now
