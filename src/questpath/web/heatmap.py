"""The activity calendar: a year of local dates laid out in week columns, shaded by activity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

DAYS = 365
LEVELS = 4


@dataclass(frozen=True)
class Cell:
    day: date | None  # None: padding before the first day, so that rows stay weekdays
    count: int
    level: int  # 0 (none) to LEVELS (most)


@dataclass(frozen=True)
class Calendar:
    cells: list[Cell]
    active_days: int
    total: int


def level_for(count: int, most: int) -> int:
    """0 for no activity; otherwise 1..LEVELS by the share of the busiest day's count."""
    if count <= 0 or most <= 0:
        return 0
    return max(1, min(LEVELS, -(-count * LEVELS // most)))


def calendar(today: date, counts: dict[date, int], days: int = DAYS) -> Calendar:
    """`days` local dates ending `today`, Monday-first columns, with leading padding."""
    first = today - timedelta(days=days - 1)
    window = {d: c for d, c in counts.items() if first <= d <= today and c > 0}
    most = max(window.values(), default=0)
    cells = [Cell(None, 0, 0)] * first.weekday()
    for offset in range(days):
        day = first + timedelta(days=offset)
        count = window.get(day, 0)
        cells.append(Cell(day, count, level_for(count, most)))
    return Calendar(cells=cells, active_days=len(window), total=sum(window.values()))
