"""A track as plain values: what Markdown import produces and export consumes.

The root category stands for the track itself: its title is the track's title and its notes are
the track's description. Every text is kept as the Markdown source it came from, so links and
inline code survive a round trip, except links that make a title or a list of links: those
become the item's resources (see links.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal, get_args

ItemState = Literal["todo", "in_progress", "done", "skipped"]
Priority = Literal["critical", "high", "normal", "low"]
Horizon = Literal["immediate", "short_term", "medium_term", "long_term"]

ITEM_STATES: tuple[str, ...] = get_args(ItemState)
PRIORITIES: tuple[str, ...] = get_args(Priority)
HORIZONS: tuple[str, ...] = get_args(Horizon)


@dataclass(frozen=True)
class Resource:
    """Something to read or watch for an item: a link's text and its destination as written."""

    title: str
    url: str


@dataclass(frozen=True)
class PathPlace:
    """Where an item stands on the track's learning path: the path section (a category whose
    heading names a horizon) that lists it, by its index among the track's categories in
    document order (the track itself is 0), and its position on the whole path, from 0."""

    section: int
    position: int


@dataclass(frozen=True)
class ItemDraft:
    title: str
    description: str = ""
    notes: str = ""  # the learner's own
    state: ItemState = "todo"
    priority: Priority = "normal"
    horizon: Horizon | None = None
    due_date: date | None = None
    topic: str | None = None  # None: the enclosing category's topic
    children: tuple[ItemDraft, ...] = ()
    resources: tuple[Resource, ...] = ()  # from a link title and from lists of links
    path: PathPlace | None = None  # None: not on the learning path
    # The stored item this one was exported from (its id, written invisibly by export), so a
    # re-import can find it whatever else changed; None when the document names none.
    ref: str | None = None


@dataclass(frozen=True)
class CategoryDraft:
    title: str
    notes: str = ""
    items: tuple[ItemDraft, ...] = ()
    children: tuple[CategoryDraft, ...] = field(default=())

    def walk(self) -> list[CategoryDraft]:
        """This category and every one below it, in document order."""
        return [self, *(found for child in self.children for found in child.walk())]

    def all_items(self) -> list[ItemDraft]:
        """Every item in this category and below, depth first in document order."""
        found: list[ItemDraft] = []

        def walk(items: tuple[ItemDraft, ...]) -> None:
            for item in items:
                found.append(item)
                walk(item.children)

        walk(self.items)
        for child in self.children:
            found.extend(child.all_items())
        return found


@dataclass(frozen=True)
class TrackDraft:
    root: CategoryDraft

    @property
    def title(self) -> str:
        return self.root.title

    @property
    def description(self) -> str:
        return self.root.notes
