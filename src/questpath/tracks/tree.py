"""A stored track assembled into its tree: categories holding items, items holding sub-items.

Pure: it takes rows already loaded and never touches the database. The tree is what the API
shows, what Markdown export writes and what progress per category is counted from.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from questpath.tracks.drafts import CategoryDraft, ItemDraft, PathPlace, Resource, TrackDraft
from questpath.tracks.models import Track, TrackCategory, TrackItem
from questpath.tracks.rules import (
    Completion,
    completion_of,
    section_for_headings,
    topic_for_headings,
)


@dataclass
class ItemNode:
    row: TrackItem
    topic: str  # the item's own topic, or its top-level category's
    section: str | None  # its headings below the top-level category ("Unknown Unknowns")
    children: list[ItemNode] = field(default_factory=list)

    def walk(self) -> Iterator[ItemNode]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class CategoryNode:
    id: uuid.UUID | None  # None for the track itself
    title: str
    notes: str
    items: list[ItemNode] = field(default_factory=list)
    categories: list[CategoryNode] = field(default_factory=list)
    completion: Completion = field(default_factory=Completion)
    topic: str = ""  # what its items count under: its top-level category's title, unnumbered
    section: str | None = None  # its headings below the top-level category

    def walk_items(self) -> Iterator[ItemNode]:
        """Every item here and below, in document order."""
        for item in self.items:
            yield from item.walk()
        for category in self.categories:
            yield from category.walk_items()

    def walk_categories(self) -> Iterator[CategoryNode]:
        for category in self.categories:
            yield category
            yield from category.walk_categories()


Row = TypeVar("Row", TrackCategory, TrackItem)


def _by_position(rows: Iterable[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: (row.position, str(row.id)))


def build(
    track: Track, categories: Sequence[TrackCategory], items: Sequence[TrackItem]
) -> CategoryNode:
    """The track as a tree, each category's completion counted over everything below it."""
    root = CategoryNode(None, track.title, track.description)
    nodes: dict[uuid.UUID | None, CategoryNode] = {None: root}
    child_categories: dict[uuid.UUID | None, list[TrackCategory]] = defaultdict(list)
    for category in categories:
        child_categories[category.parent_id].append(category)
        nodes[category.id] = CategoryNode(category.id, category.title, category.notes)
    for parent_id, children in child_categories.items():
        nodes[parent_id].categories = [nodes[c.id] for c in _by_position(children)]

    _label(root, [], track.title)

    sub_items: dict[uuid.UUID, list[TrackItem]] = defaultdict(list)
    top_items: dict[uuid.UUID | None, list[TrackItem]] = defaultdict(list)
    for item in items:
        if item.parent_id is None:
            top_items[item.category_id].append(item)
        else:
            sub_items[item.parent_id].append(item)

    def item_node(row: TrackItem, category: CategoryNode) -> ItemNode:
        children = _by_position(sub_items.get(row.id, ()))
        return ItemNode(
            row,
            row.topic or category.topic,
            category.section,
            [item_node(child, category) for child in children],
        )

    for category_id, rows in top_items.items():
        node = nodes[category_id]
        node.items = [item_node(row, node) for row in _by_position(rows)]
    _count(root)
    return root


def _label(node: CategoryNode, headings: list[str], track_title: str) -> None:
    """Give `node` (under `headings`) and every category below it a topic and a section."""
    node.topic = topic_for_headings(headings, track_title)
    node.section = section_for_headings(headings)
    for child in node.categories:
        _label(child, [*headings, child.title], track_title)


def _count(node: CategoryNode) -> Completion:
    own = completion_of(item.row.state for top in node.items for item in top.walk())
    node.completion = sum((_count(child) for child in node.categories), own)
    return node.completion


def ancestors(root: CategoryNode, category_id: uuid.UUID | None) -> list[CategoryNode]:
    """The category with `category_id` and every category above it, innermost first."""

    def path(node: CategoryNode) -> list[CategoryNode] | None:
        if node.id == category_id:
            return [node]
        for child in node.categories:
            found = path(child)
            if found is not None:
                return [*found, node]
        return None

    return [node for node in path(root) or [] if node.id is not None]


def to_draft(root: CategoryNode) -> TrackDraft:
    # A path place names its section by index in document order, the track itself being 0.
    section_of = {node.id: index for index, node in enumerate([root, *root.walk_categories()])}

    def path(row: TrackItem) -> PathPlace | None:
        section = section_of.get(row.path_category_id)
        if row.path_position is None or row.path_category_id is None or section is None:
            return None
        return PathPlace(section, row.path_position)

    def item(node: ItemNode) -> ItemDraft:
        row = node.row
        return ItemDraft(
            title=row.title,
            description=row.description,
            resources=tuple(Resource(r["title"], r["url"]) for r in row.resources),
            notes=row.notes,
            state=row.state,  # type: ignore[arg-type]
            priority=row.priority,  # type: ignore[arg-type]
            horizon=row.horizon,  # type: ignore[arg-type]
            due_date=row.due_date,
            topic=row.topic,
            children=tuple(item(child) for child in node.children),
            path=path(row),
            ref=str(row.id),
        )

    def category(node: CategoryNode) -> CategoryDraft:
        return CategoryDraft(
            title=node.title,
            notes=node.notes,
            items=tuple(item(i) for i in node.items),
            children=tuple(category(c) for c in node.categories),
        )

    return TrackDraft(category(root))
