"""Pure rules of tracks: what headings imply, how progress is counted, what to study next."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from questpath.tracks.drafts import HORIZONS, PRIORITIES, Horizon, Priority

_HORIZON_WORDS = {
    "immediate": "immediate",
    "short term": "short_term",
    "medium term": "medium_term",
    "long term": "long_term",
}
_PARENTHESISED = re.compile(r"\([^)]*\)")
_NUMBERING = re.compile(r"^\s*\d+(?:\.\d+)*[.)]?\s+")
TOPIC_MAX_LENGTH = 100
SECTION_SEPARATOR = " › "


def _words(heading: str) -> str:
    """A heading reduced to lower-case words: parenthesised text, numbering, punctuation gone."""
    text = _NUMBERING.sub("", _PARENTHESISED.sub(" ", heading)).lower()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def horizon_for_heading(heading: str) -> Horizon | None:
    """ "Immediate (This Month)", "Short-term", "## 3. Long Term" name a horizon; others do not."""
    horizon = _HORIZON_WORDS.get(_words(heading))
    return horizon  # type: ignore[return-value]


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
    horizon: Horizon | None, priority: Priority, due_date: date | None, position: tuple[int, ...]
) -> tuple[int, int, bool, date, tuple[int, ...]]:
    """Sort key of "what to study next": sooner horizon, then higher priority, then earlier due
    date (undated last), then document order. Items without a horizon come after every horizon."""
    horizon_rank = HORIZONS.index(horizon) if horizon else len(HORIZONS)
    return (
        horizon_rank,
        PRIORITIES.index(priority),
        due_date is None,
        due_date or date.max,
        position,
    )
