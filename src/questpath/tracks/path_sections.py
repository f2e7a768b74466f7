"""A track's learning path as written: sections under headings that name a horizon, each an
ordered list of entries. Pure: drafts in, drafts out.

Every entry directly in a path section is on the path, in document order across the sections.
A bare entry (a title and nothing else: no description, notes, links or sub-items) that names an
item outside the path sections (`rules.link_path_entries`) is that item: the item takes the
section's horizon and the entry's place, and the entry is not stored twice. Any other entry is an
item of its section. Export writes a linked entry back as a bare entry with the item's title and
state, which import links to the same item again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace

from questpath.tracks.drafts import CategoryDraft, Horizon, ItemDraft, PathPlace, TrackDraft
from questpath.tracks.rules import horizon_for_heading, link_path_entries

ItemAt = tuple[int, tuple[int, ...]]  # (category index in document order, item index path)


def section_indexes(track: TrackDraft) -> dict[int, Horizon]:
    """The path sections: categories (never the track itself) whose heading names a horizon, by
    their index in document order."""
    found: dict[int, Horizon] = {}
    for index, category in enumerate(track.root.walk()):
        horizon = horizon_for_heading(category.title) if index else None
        if horizon is not None:
            found[index] = horizon
    return found


def is_bare(item: ItemDraft) -> bool:
    return not (item.description or item.notes or item.resources or item.children)


def place_path(track: TrackDraft) -> TrackDraft:
    """The track with its path placed: entries of path sections numbered along the path, and
    bare entries that name an item elsewhere replaced by a place on that item."""
    categories = track.root.walk()
    sections = section_indexes(track)
    candidates: list[ItemAt] = []
    titles: list[str] = []
    for index, category in enumerate(categories):
        if index not in sections:
            for at, item in _items_at(category.items, ()):
                candidates.append((index, at))
                titles.append(item.title)
    entries = [(index, item) for index in sections for item in categories[index].items]
    links = link_path_entries(
        [item.title if is_bare(item) else None for _, item in entries], titles
    )
    linked: dict[ItemAt, tuple[PathPlace, Horizon]] = {}
    kept: dict[int, list[ItemDraft]] = defaultdict(list)
    for position, ((index, item), link) in enumerate(zip(entries, links, strict=True)):
        place = PathPlace(index, position)
        if link is None:
            kept[index].append(replace(item, path=place))
        else:
            linked[candidates[link]] = (place, sections[index])

    counter = iter(range(len(categories)))

    def rebuilt(draft: CategoryDraft) -> CategoryDraft:
        index = next(counter)
        items = (
            tuple(kept[index])
            if index in sections
            else tuple(_with_links(draft.items, index, (), linked))
        )
        return replace(draft, items=items, children=tuple(rebuilt(c) for c in draft.children))

    return TrackDraft(rebuilt(track.root))


def _items_at(
    items: tuple[ItemDraft, ...], above: tuple[int, ...]
) -> Iterator[tuple[tuple[int, ...], ItemDraft]]:
    for number, item in enumerate(items):
        yield (*above, number), item
        yield from _items_at(item.children, (*above, number))


def _with_links(
    items: tuple[ItemDraft, ...],
    index: int,
    above: tuple[int, ...],
    linked: dict[ItemAt, tuple[PathPlace, Horizon]],
) -> Iterator[ItemDraft]:
    for number, item in enumerate(items):
        at = (*above, number)
        children = tuple(_with_links(item.children, index, at, linked))
        place = linked.get((index, at))
        if place is None:
            yield replace(item, children=children)
        else:
            yield replace(item, children=children, path=place[0], horizon=place[1])


def path_entries(track: TrackDraft) -> dict[int, list[tuple[ItemDraft, bool]]]:
    """For export: each path section's entries in path order, as (item, linked from elsewhere),
    by the section's index in document order. A section's own items that are not on the path
    (added later) follow its entries. A place in a category that is no longer a path section
    (renamed) is not written: the item stays where it is."""
    categories = track.root.walk()
    sections = section_indexes(track)
    placed: dict[int, list[tuple[int, ItemDraft, bool]]] = defaultdict(list)
    unplaced: dict[int, list[ItemDraft]] = defaultdict(list)
    for index, category in enumerate(categories):
        for item in category.items:
            if item.path is None:
                unplaced[index].append(item)
        for at, item in _items_at(category.items, ()):
            if item.path is not None and item.path.section in sections:
                own = item.path.section == index and len(at) == 1
                placed[item.path.section].append((item.path.position, item, not own))
    return {
        index: [
            *((item, linked) for _, item, linked in sorted(placed[index], key=lambda p: p[0])),
            *((item, False) for item in unplaced[index]),
        ]
        for index in range(len(categories))
        if placed[index]
    }
