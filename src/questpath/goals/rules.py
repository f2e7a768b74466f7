"""Pure rules of goals: how far a goal is, when it is reached, which status it shows.

No database, no clock: the service reads the learner's numbers and `today` and passes them in.
Each target type first turns what the learner has into a `Reading` (current and target in the
goal's own unit); `progress_of` then decides percent and reached the same way for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

from questpath.ruleset import Rank, SkillLevelRules
from questpath.tracks.rules import Completion

GoalType = Literal["finish_track", "finish_category", "exercises", "skill_level", "streak", "rank"]
StoredStatus = Literal["active", "achieved", "abandoned"]
ChosenStatus = Literal["active", "abandoned"]  # the statuses a learner sets
Status = Literal["active", "achieved", "abandoned", "overdue"]
GOAL_TYPES: tuple[str, ...] = get_args(GoalType)
STATUSES: tuple[str, ...] = get_args(Status)
FINISH_TYPES = ("finish_track", "finish_category")


@dataclass(frozen=True)
class Reading:
    """Where a goal stands, in its own unit: exercises, days, projects, levels, items."""

    current: int
    target: int


@dataclass(frozen=True)
class GoalProgress:
    current: int
    target: int
    percent: int  # 0-100, whole, capped
    reached: bool


# A goal whose target no longer exists (a deleted track, a rank or level gone from the rules).
GONE = GoalProgress(current=0, target=0, percent=0, reached=False)


def progress_of(goal_type: GoalType, reading: Reading | None) -> GoalProgress:
    """Percent done and whether the target is reached; `None` when the target is gone.

    Reached means current >= target. A finish target of 0 items (an empty track, or every item
    skipped) has nothing to finish, so it is neither reached nor any percent done; any other
    target of 0 (the first rank) is reached at once.
    """
    if reading is None:
        return GONE
    current, target = max(0, reading.current), max(0, reading.target)
    if target == 0:
        if goal_type in FINISH_TYPES:
            return GoalProgress(current, target, 0, False)
        return GoalProgress(current, target, 100, True)
    return GoalProgress(current, target, min(100, current * 100 // target), current >= target)


# Readings, one per target type ----------------------------------------------------------------


def exercises_reading(exercises_now: int, baseline: int, count: int) -> Reading:
    """Exercises completed since the goal was set: the count now less the count then."""
    return Reading(max(0, exercises_now - baseline), count)


def streak_reading(current_streak: int, days: int) -> Reading:
    return Reading(current_streak, days)


def rank_reading(projects: int, rank_id: str, ranks: tuple[Rank, ...]) -> Reading | None:
    """Completed projects against the projects the rank needs; None when the rank is gone."""
    rank = next((rank for rank in ranks if rank.id == rank_id), None)
    return Reading(projects, rank.min_projects) if rank is not None else None


def skill_level_reading(
    level_now: str | None, level: str, rules: SkillLevelRules
) -> Reading | None:
    """Levels climbed: the topic's level and the goal's as positions on the ladder (the base
    level is 0); None when the goal's level is gone from the rules."""
    names = rules.names
    if level not in names:
        return None
    current = names.index(level_now) if level_now in names else 0
    return Reading(current, names.index(level))


def finish_reading(completion: Completion | None) -> Reading | None:
    """Items done against the items that count (skipped ones do not); None when the track or
    category is gone."""
    if completion is None:
        return None
    return Reading(completion.done, completion.counted)


# Status ---------------------------------------------------------------------------------------


def status_on(stored: StoredStatus, target_date: date | None, today: date) -> Status:
    """The status a goal shows on `today`: an active goal strictly past its date is overdue."""
    if stored == "active" and target_date is not None and today > target_date:
        return "overdue"
    return stored


def status_change_problem(stored: StoredStatus, requested: ChosenStatus) -> str | None:
    """Why a learner may not set a goal from `stored` to `requested`, or None when they may.

    Learners move goals between active and abandoned; only reaching the target achieves one,
    and an achieved goal stays achieved.
    """
    if stored == "achieved":
        verb = "reopened" if requested == "active" else "abandoned"
        return f"this goal is achieved; an achieved goal cannot be {verb}"
    return None
