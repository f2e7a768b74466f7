"""Pure leaderboard rules: the rank of a board's learners, the share of a board a
learner is ahead of, the last day a streak stays on the streak board, and the alias shown for
a learner who has not chosen to show a name. The periods a board covers are
`progress.periods`."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from questpath.progress.rules import StreakState
from questpath.progress.vacations import NO_VACATIONS, VacationDays


def rank(higher: int) -> int:
    """A learner's rank given how many on the board scored strictly more: equal scores share a
    rank and the next rank skips, as in sport (1, 2, 2, 4)."""
    if higher < 0:
        raise ValueError("a count of learners cannot be negative")
    return higher + 1


def ranks(scores: Sequence[int]) -> list[int]:
    """The rank of each of `scores`, listed highest first: `rank` of how many scored more."""
    found: list[int] = []
    for place, score in enumerate(scores):
        found.append(found[-1] if place and score == scores[place - 1] else rank(place))
    return found


@dataclass(frozen=True)
class Standing:
    rank: int
    learners: int  # on the board, the learner included
    percentile: int | None  # the share of the other learners scoring less; None when alone


def standing(higher: int, lower: int, learners: int) -> Standing:
    """Where a learner stands, given how many on the board scored more, how many less, and how
    many are on it (the learner and those tied with them included)."""
    if min(higher, lower) < 0 or higher + lower >= learners:
        raise ValueError("the counts do not describe a board that holds the learner")
    others = learners - 1
    percentile = math.floor(100 * lower / others) if others else None
    return Standing(rank(higher), learners, percentile)


def alive_until(state: StreakState, vacations: VacationDays = NO_VACATIONS) -> date | None:
    """The last local date on which the streak `state` is still current (`progress.rules.
    streak_on`): the day on which the freezes held would no longer cover the days missed
    before it. Vacation days are not missed. None when there is no streak.

    The streak board of a reader's today lists the streaks alive until then or later, so a
    streak leaves it when a day passes, with nothing written."""
    if state.last_date is None or state.run <= 0:
        return None
    day, missable = state.last_date, state.freezes
    while True:
        day += timedelta(days=1)
        covered_until = vacations.until(day)
        if covered_until is not None:  # a vacation: none of its days is missed
            day = covered_until
            continue
        if missable == 0:
            return day  # missed only tomorrow: alive today, not after
        missable -= 1


ADJECTIVES = (
    "Agile", "Bold", "Brave", "Bright", "Brisk", "Calm", "Clever", "Curious", "Daring", "Eager",
    "Fearless", "Gentle", "Glad", "Happy", "Keen", "Kind", "Lively", "Lucky", "Merry", "Mighty",
    "Nimble", "Patient", "Plucky", "Proud", "Quick", "Quiet", "Radiant", "Sharp", "Shining",
    "Smart", "Steady", "Sunny", "Swift", "Thoughtful", "Tireless", "Witty", "Wise", "Zesty",
)  # fmt: skip
ANIMALS = (
    "Badger", "Bear", "Beaver", "Crane", "Dolphin", "Eagle", "Falcon", "Ferret", "Finch", "Fox",
    "Gecko", "Hare", "Hawk", "Heron", "Ibex", "Koala", "Lemur", "Lion", "Lynx", "Marten", "Moose",
    "Narwhal", "Newt", "Otter", "Owl", "Panda", "Puffin", "Quokka", "Raven", "Robin", "Seal",
    "Sparrow", "Stork", "Swan", "Tiger", "Toucan", "Walrus", "Wolf", "Wren", "Yak",
)  # fmt: skip
ALIAS_NUMBERS = 9000  # 1000 to 9999


def alias(key: bytes) -> str:
    """The anonymous name shown for a learner, from a key that stays the same for them (such as
    a keyed hash of their id): 'Curious Otter 4821'. It tells nothing of who they are."""
    digest = int.from_bytes(hashlib.sha256(key).digest()[:12], "big")
    digest, adjective = divmod(digest, len(ADJECTIVES))
    digest, animal = divmod(digest, len(ANIMALS))
    number = 1000 + digest % ALIAS_NUMBERS
    return f"{ADJECTIVES[adjective]} {ANIMALS[animal]} {number}"
