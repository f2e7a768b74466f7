"""Pure rules of tracks: what headings imply, how progress is counted, what to study next."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from questpath.tracks.drafts import HORIZONS, PRIORITIES, Horizon, Priority

# Headings that name a horizon, as `_words` reduces them; docs/tracks.md lists them too.
HORIZON_HEADINGS: dict[str, Horizon] = {
    **dict.fromkeys(
        ["immediate", "now", "today", "this week", "next week", "this month", "next month"],
        "immediate",
    ),
    **dict.fromkeys(
        ["short term", "next 3 months", "next three months", "this quarter", "next quarter"],
        "short_term",
    ),
    **dict.fromkeys(["medium term", "mid term", "next 6 months", "next six months"], "medium_term"),
    **dict.fromkeys(
        ["long term", "this year", "next year", "next 12 months", "next twelve months"],
        "long_term",
    ),
}
_PARENTHESISED = re.compile(r"\([^)]*\)")
_NUMBERING = re.compile(r"^\s*\d+(?:\.\d+)*[.)]?\s+")
TOPIC_MAX_LENGTH = 100
SECTION_SEPARATOR = " › "


def _words(heading: str) -> str:
    """A heading reduced to lower-case words: parenthesised text, numbering, punctuation gone."""
    text = _NUMBERING.sub("", _PARENTHESISED.sub(" ", heading)).lower()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def horizon_for_heading(heading: str) -> Horizon | None:
    """ "Immediate (This Month)", "Short-term", "3. Long Term", "Next 3 Months" name a horizon:
    the heading without numbering and parenthesised text, in any case and punctuation, is one of
    HORIZON_HEADINGS. Others ("Immediate goals", "Learning Path") do not."""
    return HORIZON_HEADINGS.get(_words(heading))


def path_key(title: str) -> str:
    """What a learning-path entry and an item are compared by: the title's words in lower case,
    without parenthesised text, numbering or punctuation ("API documentation (OpenAPI)" and
    "**API Documentation**" both give "api documentation"). A title that is only parenthesised
    text or punctuation keeps its words."""
    return _words(title) or " ".join(re.sub(r"[\W_]+", " ", title.lower()).split())


def link_path_entries(entries: Sequence[str | None], items: Sequence[str]) -> list[int | None]:
    """Which item each learning-path entry names: for each entry title (None: an entry that
    cannot link, having more than a title), the index of the first item in document order whose
    `path_key` equals the entry's and that no earlier entry took, or None when there is none.
    An entry whose key is empty links to nothing."""
    free: dict[str, list[int]] = defaultdict(list)
    for index, title in enumerate(items):
        free[path_key(title)].append(index)
    for indexes in free.values():
        indexes.reverse()  # pop() takes the first in document order
    links: list[int | None] = []
    for entry in entries:
        key = path_key(entry) if entry is not None else ""
        links.append(free[key].pop() if key and free.get(key) else None)
    return links


def is_critical_heading(heading: str) -> bool:
    return "critical" in heading.lower()


def default_topic(category_title: str) -> str:
    """A title as a topic: without numbering, at most 100 characters ("1. Git Workflow" ->
    "Git Workflow")."""
    stripped = _NUMBERING.sub("", category_title).strip() or category_title.strip()
    return stripped[:TOPIC_MAX_LENGTH].strip()


def topic_for_headings(headings: Sequence[str], track_title: str) -> str:
    """The topic of an item under `headings` (its categories' titles, outermost first): its
    top-level category's title without numbering, so "## 3. Git Workflow" / "### Unknown
    Unknowns" is "Git Workflow". An item directly in the track takes the track's title."""
    return default_topic(headings[0] if headings else track_title)


def section_for_headings(headings: Sequence[str]) -> str | None:
    """Where an item sits inside its topic: the headings below the top-level one, joined by
    SECTION_SEPARATOR; None directly in a top-level category or in the track."""
    return SECTION_SEPARATOR.join(headings[1:]) if len(headings) > 1 else None


@dataclass(frozen=True)
class Completion:
    """How far a category or track is: done / (total - skipped)."""

    total: int = 0
    done: int = 0
    skipped: int = 0
    in_progress: int = 0

    @property
    def counted(self) -> int:
        return self.total - self.skipped

    @property
    def percent(self) -> int:
        """Whole percent done of what counts; 100 once nothing is left to do."""
        if self.counted == 0:
            return 100 if self.total else 0
        return self.done * 100 // self.counted

    @property
    def finished(self) -> bool:
        """Every item done or skipped, and at least one done."""
        return self.done > 0 and self.done == self.counted

    def __add__(self, other: Completion) -> Completion:
        return Completion(
            self.total + other.total,
            self.done + other.done,
            self.skipped + other.skipped,
            self.in_progress + other.in_progress,
        )


def completion_of(states: Iterable[str]) -> Completion:
    return completion_of_counts(Counter(states))


def completion_of_counts(counts: Mapping[str, int]) -> Completion:
    """The completion of items counted by state ({"done": 3, "todo": 2})."""
    return Completion(
        total=sum(counts.values()),
        done=counts.get("done", 0),
        skipped=counts.get("skipped", 0),
        in_progress=counts.get("in_progress", 0),
    )


def is_open(state: str) -> bool:
    return state in ("todo", "in_progress")


def learning_path_key(
    horizon: Horizon | None,
    priority: Priority,
    due_date: date | None,
    position: tuple[int, ...],
    path_order: tuple[int, ...] | None = None,
) -> tuple[int, int, int, bool, date, tuple[int, ...]]:
    """Sort key of "what to study next": sooner horizon, then higher priority, then earlier due
    date (undated last), then document order. Items without a horizon come after every horizon.
    Within a horizon, items on a track's written learning path (`path_order`, e.g. the track's
    order and the item's place on its path) come first, in that order, whatever their priority."""
    horizon_rank = HORIZONS.index(horizon) if horizon else len(HORIZONS)
    if path_order is not None:
        return (horizon_rank, 0, 0, False, date.max, path_order)
    return (
        horizon_rank,
        1,
        PRIORITIES.index(priority),
        due_date is None,
        due_date or date.max,
        position,
    )
