"""The periods a learner's XP is added up over for the leaderboards: pure, no I/O.

Periods are made of the learner's own local days, the days their streak and dashboard count:
a week runs from Monday to Sunday and a month from its first day to its last, in the learner's
timezone, and all time is one period. Review XP and streak bonuses are earned per local day, so
no other boundary could add up to what the learner's dashboard shows for the same week.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Literal

Period = Literal["week", "month", "all"]
PERIODS: tuple[Period, ...] = ("week", "month", "all")
DATED: tuple[Period, ...] = ("week", "month")
# The start that stands for the one all-time period.
ALL_TIME = date(1970, 1, 1)

PeriodKey = tuple[Period, date]


def period_start(period: Period, day: date) -> date:
    """The first day of the `period` that holds the local `day`."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return ALL_TIME


def period_end(period: Period, start: date) -> date | None:
    """The first day after the period that starts on `start`; None for all time."""
    if period == "week":
        return start + timedelta(days=7)
    if period == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return None


def dated_periods(days: Iterable[date]) -> set[PeriodKey]:
    """The weeks and months that hold any of `days`."""
    return {(period, period_start(period, day)) for day in days for period in DATED}


def spans(keys: Iterable[PeriodKey]) -> list[tuple[date, date]]:
    """The days to read to add up these dated periods: each period's first day and the day
    after its last, sorted, with ranges that overlap or touch merged."""
    merged: list[tuple[date, date]] = []
    for period, start in sorted(keys, key=lambda key: key[1]):
        end = period_end(period, start)
        if end is None:
            raise ValueError("only weeks and months have days to read")
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def dated_xp(day_xp: Mapping[date, int], keys: Iterable[PeriodKey]) -> dict[PeriodKey, int]:
    """The XP of each of the dated periods `keys` that holds an active day of `day_xp`,
    the sum of its days' XP (zero when its days earned none)."""
    wanted = set(keys)
    found: dict[PeriodKey, int] = defaultdict(int)
    for day, xp in day_xp.items():
        for key in dated_periods([day]) & wanted:
            found[key] += xp
    return dict(found)
