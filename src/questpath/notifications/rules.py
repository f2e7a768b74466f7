"""What a learner is told, and when: no database, no clock.

Progress notifications come from the signals of a recorded batch (`progress/signals.py`): an
achievement, a level or rank gained (never one lost to a voided event), a goal achieved.
Reminders come from the time of day in the learner's own timezone: a streak at risk in their
evening, review cards due in their morning, each at most once a learner's day (its `key`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo

from questpath.events.rules import local_date
from questpath.progress.rules import StreakState, streak_on
from questpath.progress.signals import Signal
from questpath.progress.vacations import VacationDays

Kind = Literal[
    "achievement.unlocked",
    "level.up",
    "rank.up",
    "goal.achieved",
    "streak.at_risk",
    "reviews.due",
]
KINDS: tuple[Kind, ...] = get_args(Kind)


@dataclass(frozen=True)
class Draft:
    """A notification to store: `key` is set for those sent at most once (a reminder a day)."""

    kind: Kind
    data: dict[str, Any]
    key: str | None = None


def from_signals(signals: Iterable[Signal]) -> list[tuple[Signal, Draft]]:
    """The notifications a batch's signals make, each with the signal it came from."""
    found = []
    for signal in signals:
        draft = _draft_of(signal)
        if draft is not None:
            found.append((signal, draft))
    return found


def _draft_of(signal: Signal) -> Draft | None:
    data = signal.data
    if signal.type == "achievement.unlocked":
        return Draft("achievement.unlocked", data["achievement"])
    if signal.type == "level.changed" and data["to"] > data["from"]:
        return Draft("level.up", {"level": data["to"], "xp": data["xp"]})
    if signal.type == "rank.changed" and data["to"]["id"] != data["from"]["id"]:
        return Draft(
            "rank.up", {"rank": data["to"], "projects_completed": data["projects_completed"]}
        )
    if signal.type == "goal.achieved":
        return Draft("goal.achieved", {"goal_id": data["goal_id"], "title": data["title"]})
    return None


def title_of(kind: str, data: Mapping[str, Any]) -> str:
    """One line a learner reads: in the list, the toast and the e-mail digest."""
    if kind == "achievement.unlocked":
        return f"Achievement unlocked: {data.get('name', 'an achievement')}"
    if kind == "level.up":
        return f"You reached level {data.get('level')}"
    if kind == "rank.up":
        rank = data.get("rank")
        name = rank.get("name") if isinstance(rank, Mapping) else None
        return f"You are now {_article(str(name))}" if name else "You moved up a rank"
    if kind == "goal.achieved":
        return f"Goal achieved: {data.get('title') or 'a goal'}"
    if kind == "streak.at_risk":
        days = data.get("streak", 0)
        return f"Your {days}-day streak ends tonight: log some activity to keep it"
    if kind == "reviews.due":
        count = data.get("count", 0)
        return f"{count} review card{' is' if count == 1 else 's are'} due"
    return kind


def _article(name: str) -> str:
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


def link_of(kind: str, data: Mapping[str, Any]) -> str:
    """The page where a learner acts on the notification."""
    return {
        "achievement.unlocked": "/achievements",
        "level.up": "/",
        "rank.up": "/ranks",
        "goal.achieved": "/goals",
        "streak.at_risk": "/log",
        "reviews.due": "/reviews",
    }.get(kind, "/notifications")


# Reminders ------------------------------------------------------------------------------------


def reminder_day(now: datetime, timezone: str, day_start_hour: int, hour: int) -> date | None:
    """The learner's day whose reminder at `hour` (local clock) is due at `now`, or None while
    the hour has not come yet in their current day.

    A learner's day runs from `day_start_hour` to the same hour the next morning, so with a day
    start of 4 a reminder at 2 o'clock falls at the end of the day, after midnight."""
    today = local_date(now, timezone, day_start_hour)
    hours_in = (hour - day_start_hour) % 24
    wall_clock = datetime.combine(today, time(day_start_hour)) + timedelta(hours=hours_in)
    return today if now >= wall_clock.replace(tzinfo=ZoneInfo(timezone)) else None


def streak_at_risk(state: StreakState, today: date, vacations: VacationDays) -> int:
    """The length of the streak that ends unless the learner is active `today`, or 0: alive
    today, not active yet today, and no freeze or vacation to carry it past today."""
    if state.last_date is None or state.last_date >= today:
        return 0
    alive = streak_on(state, today, vacations).current
    if alive == 0:
        return 0
    return alive if streak_on(state, today + timedelta(days=1), vacations).current == 0 else 0


def reminder_key(kind: Kind, day: date) -> str:
    return f"{kind}:{day.isoformat()}"
