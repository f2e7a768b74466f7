"""Which stored item each item of a re-imported document is, and what the document changes.

Pure: the stored items come in as plain values, the document as its draft. An item of the
document is the stored item

1. whose id it carries (export writes each item's id; an id this track does not hold is
   ignored, and an id two items carry goes to the first);
2. else with the same title in the same category (its headings from the top), live items
   before archived ones, in document order;
3. else with the same title anywhere in the track, when exactly one stored item left and
   exactly one document item left have that title: an item moved to another category.

Titles compare in any case, with runs of spaces as one. What no document item takes is
removed (archived; an archived one stays so); a document item that takes an archived item
restores it, and one that takes none is added.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from questpath.tracks.drafts import CategoryDraft, ItemDraft, Resource, TrackDraft

Headings = tuple[str, ...]  # a category's heading titles from the top level down; () the track


@dataclass(frozen=True)
class StoredItem:
    """What matching and the preview need of a stored item."""

    id: uuid.UUID
    title: str
    category: Headings
    archived: bool = False
    parent_id: uuid.UUID | None = None
    description: str = ""
    resources: tuple[Resource, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class PlacedItem:
    """An item of the document with where it stands: its category and its parent item (by index
    into the document's items, depth first in document order)."""

    draft: ItemDraft
    category: Headings
    parent: int | None


@dataclass(frozen=True)
class Change:
    """One line of the preview: an item, where it was and where it goes, and what changes."""

    title: str
    id: uuid.UUID | None = None  # None: a new item
    category: Headings = ()
    previous_title: str | None = None
    previous_category: Headings | None = None
    fields: tuple[str, ...] = ()  # for a changed item: which of its texts change


@dataclass(frozen=True)
class Plan:
    """The stored item each document item becomes (None: a new one), and the preview."""

    matches: tuple[uuid.UUID | None, ...]  # one per document item, in document order
    added: tuple[Change, ...]
    restored: tuple[Change, ...]
    changed: tuple[Change, ...]
    moved: tuple[Change, ...]
    removed: tuple[Change, ...]
    unchanged: int


def title_key(title: str) -> str:
    return " ".join(title.casefold().split())


def placed_items(track: TrackDraft) -> list[PlacedItem]:
    """Every item of the document, depth first in document order, with its category and parent."""
    found: list[PlacedItem] = []

    def items(drafts: Sequence[ItemDraft], category: Headings, parent: int | None) -> None:
        for draft in drafts:
            found.append(PlacedItem(draft, category, parent))
            items(draft.children, category, len(found) - 1)

    def walk(node: CategoryDraft, category: Headings) -> None:
        items(node.items, category, None)
        for child in node.children:
            walk(child, (*category, child.title))

    walk(track.root, ())
    return found


def match_items(stored: Sequence[StoredItem], placed: Sequence[PlacedItem]) -> list[int | None]:
    """For each document item, the index of the stored item it is, or None (see the module)."""
    matches: list[int | None] = [None] * len(placed)
    taken: set[int] = set()
    by_id = {str(item.id): index for index, item in enumerate(stored)}
    for position, item in enumerate(placed):
        index = by_id.get(item.draft.ref or "")
        if index is not None and index not in taken:
            matches[position] = index
            taken.add(index)

    in_category: defaultdict[tuple[Headings, str], list[int]] = defaultdict(list)
    live_first = sorted(range(len(stored)), key=lambda index: stored[index].archived)
    for index in live_first:
        known = stored[index]
        in_category[known.category, title_key(known.title)].append(index)
    for position in _unmatched(matches):
        item = placed[position]
        candidates = in_category[item.category, title_key(item.draft.title)]
        index = next((i for i in candidates if i not in taken), None)
        if index is not None:
            matches[position] = index
            taken.add(index)

    left_stored: defaultdict[str, list[int]] = defaultdict(list)
    for index, known in enumerate(stored):
        if index not in taken:
            left_stored[title_key(known.title)].append(index)
    left_placed: defaultdict[str, list[int]] = defaultdict(list)
    for position in _unmatched(matches):
        left_placed[title_key(placed[position].draft.title)].append(position)
    for key, positions in left_placed.items():
        if len(positions) == 1 and len(left_stored[key]) == 1:
            matches[positions[0]] = left_stored[key][0]
    return matches


def _unmatched(matches: list[int | None]) -> Iterator[int]:
    return (position for position, index in enumerate(matches) if index is None)


def plan_reimport(stored: Sequence[StoredItem], track: TrackDraft) -> Plan:
    """What importing `track` into a track holding `stored` does, item by item."""
    placed = placed_items(track)
    matches = match_items(stored, placed)
    ids = [stored[index].id if index is not None else None for index in matches]
    added, restored, changed, moved = [], [], [], []
    unchanged = 0
    for item, index in zip(placed, matches, strict=True):
        draft = item.draft
        if index is None:
            added.append(Change(draft.title, category=item.category))
            continue
        old = stored[index]
        parent = ids[item.parent] if item.parent is not None else None
        fields = _changed_fields(old, draft, parent)
        change = Change(
            draft.title,
            old.id,
            item.category,
            old.title if old.title != draft.title else None,
            old.category,
            fields,
        )
        if old.archived:
            restored.append(change)
        elif old.category != item.category:
            moved.append(change)
        elif fields:
            changed.append(change)
        else:
            unchanged += 1
    taken = {index for index in matches if index is not None}
    removed = [
        Change(item.title, item.id, item.category)
        for index, item in enumerate(stored)
        if index not in taken and not item.archived
    ]
    return Plan(
        tuple(ids),
        tuple(added),
        tuple(restored),
        tuple(changed),
        tuple(moved),
        tuple(removed),
        unchanged,
    )


def _changed_fields(old: StoredItem, new: ItemDraft, parent: uuid.UUID | None) -> tuple[str, ...]:
    checks = (
        ("title", old.title != new.title),
        ("description", old.description != new.description),
        ("resources", old.resources != new.resources),
        ("notes", old.notes != new.notes),
        ("parent", old.parent_id != parent),
    )
    return tuple(name for name, differs in checks if differs)
