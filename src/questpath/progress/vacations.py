"""Vacations and the day start as plain values: what the log says about them, and the limits a
learner's request must meet. No database, no clock: callers pass `today` in.

A vacation is a range of local dates on which a missed day neither breaks the streak nor spends
a freeze. It is set in advance and can be ended early, never moved into the past, so a change
only ever touches days from today on.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

VACATION_SCHEDULED = "vacation_scheduled"
VACATION_ENDED = "vacation_ended"
DAY_START_CHANGED = "day_start_changed"
VACATION_KINDS = (VACATION_SCHEDULED, VACATION_ENDED)

VacationStatus = Literal["upcoming", "ongoing", "over", "cancelled"]

MAX_VACATION_DAYS = 30  # one range; a longer break is a pause, not a vacation
MAX_PENDING_VACATIONS = 3  # ongoing and upcoming at once
MAX_DAYS_AHEAD = 365  # how far ahead a vacation may start
MAX_DAY_START_HOUR = 6  # a day may end at 00:00 … 06:00 local time


@dataclass(frozen=True)
class Vacation:
    """One vacation: its planned range and the last day it actually covers. Ended before its
    first day, it was cancelled and covers none."""

    id: str
    first_day: date
    planned_last_day: date
    last_day: date

    @property
    def cancelled(self) -> bool:
        return self.last_day < self.first_day

    def status(self, today: date) -> VacationStatus:
        if self.cancelled:
            return "cancelled"
        if self.last_day < today:
            return "over"
        return "ongoing" if self.first_day <= today else "upcoming"

    def ended_before(self, day: date) -> Vacation:
        """This vacation ended so that `day` and the days after it are no longer covered."""
        return Vacation(
            self.id, self.first_day, self.planned_last_day, min(self.last_day, day - timedelta(1))
        )


@dataclass(frozen=True)
class VacationDays:
    """The local dates a learner's vacations cover, as sorted, disjoint, non-empty ranges."""

    ranges: tuple[tuple[date, date], ...] = ()

    @classmethod
    def of(cls, vacations: Iterable[Vacation]) -> VacationDays:
        spans = sorted((v.first_day, v.last_day) for v in vacations if not v.cancelled)
        merged: list[tuple[date, date]] = []
        for first, last in spans:
            if merged and first <= merged[-1][1] + timedelta(1):
                merged[-1] = (merged[-1][0], max(merged[-1][1], last))
            else:
                merged.append((first, last))
        return cls(tuple(merged))

    def between(self, after: date, before: date) -> int:
        """How many vacation days lie strictly between `after` and `before`."""
        if not self.ranges or (before - after).days < 2:
            return 0
        low, high = after + timedelta(1), before - timedelta(1)
        count = 0
        for first, last in self.ranges[bisect.bisect_left(self.ranges, low, key=lambda r: r[1]) :]:
            if first > high:
                break
            count += (min(last, high) - max(first, low)).days + 1
        return count

    def until(self, day: date) -> date | None:
        """The last day of the vacation covering `day`, or None when none covers it."""
        return next((last for first, last in self.ranges if first <= day <= last), None)

    def covers(self, day: date) -> bool:
        return any(first <= day <= last for first, last in self.ranges)


NO_VACATIONS = VacationDays()


def vacations_from_log(
    events: Iterable[tuple[str, Mapping[str, Any] | None]],
) -> dict[str, Vacation]:
    """Every vacation the log's `(kind, metadata)` pairs describe, by id, in any order."""
    return apply_vacation_events({}, events)


def apply_vacation_events(
    vacations: Mapping[str, Vacation], events: Iterable[tuple[str, Mapping[str, Any] | None]]
) -> dict[str, Vacation]:
    """`vacations` after `events` (`(kind, metadata)` pairs, in any order): each scheduled range,
    cut short by the earliest end recorded for it."""
    result = dict(vacations)
    described = [(kind, meta) for kind, meta in events if meta is not None]
    for kind, meta in described:
        vacation_id = str(meta["vacation_id"])
        if kind == VACATION_SCHEDULED and vacation_id not in result:
            first, last = (
                date.fromisoformat(meta["first_day"]),
                date.fromisoformat(meta["last_day"]),
            )
            result[vacation_id] = Vacation(vacation_id, first, last, last)
    for kind, meta in described:
        vacation_id = str(meta["vacation_id"])
        if kind == VACATION_ENDED and vacation_id in result:
            day = date.fromisoformat(meta["last_day"])
            result[vacation_id] = result[vacation_id].ended_before(day + timedelta(1))
    return result


def first_changed_day(before: Mapping[str, Vacation], after: Mapping[str, Vacation]) -> date | None:
    """The earliest local date that `after` covers and `before` does not, or the other way
    round; None when they cover the same days."""
    old, new = VacationDays.of(before.values()), VacationDays.of(after.values())
    if old == new:
        return None
    edges = {day for first, last in old.ranges + new.ranges for day in (first, last + timedelta(1))}
    return min(day for day in edges if old.covers(day) != new.covers(day))


def day_start_from_log(changes: Iterable[Mapping[str, Any] | None]) -> int:
    """The day-start hour the last of the log's `day_start_changed` events (in the order they
    were recorded) set; 0, midnight, when there is none."""
    hour = 0
    for meta in changes:
        if meta is not None:
            hour = int(meta["day_start_hour"])
    return hour


class VacationProblem(ValueError):
    """A vacation a learner asked for that cannot be granted; names the field at fault."""

    def __init__(self, field: str, message: str, *, conflict: bool = False) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.conflict = conflict


def check_new_vacation(
    first_day: date, last_day: date, today: date, existing: Iterable[Vacation]
) -> None:
    """Raise `VacationProblem` unless a vacation `first_day`..`last_day` may be scheduled now."""
    if first_day < today:
        raise VacationProblem("start_date", f"must not be in the past (today is {today})")
    if first_day > today + timedelta(MAX_DAYS_AHEAD):
        raise VacationProblem("start_date", f"must be at most {MAX_DAYS_AHEAD} days ahead")
    if last_day < first_day:
        raise VacationProblem("end_date", "must not be before start_date")
    if (last_day - first_day).days + 1 > MAX_VACATION_DAYS:
        raise VacationProblem("end_date", f"a vacation may last at most {MAX_VACATION_DAYS} days")
    pending = [v for v in existing if v.status(today) in ("ongoing", "upcoming")]
    for other in pending:
        if first_day <= other.last_day and other.first_day <= last_day:
            raise VacationProblem(
                "start_date",
                f"overlaps the vacation {other.first_day}..{other.last_day}",
                conflict=True,
            )
    if len(pending) >= MAX_PENDING_VACATIONS:
        raise VacationProblem(
            "start_date",
            f"at most {MAX_PENDING_VACATIONS} vacations may be ongoing or upcoming at once",
            conflict=True,
        )


def check_end(vacation: Vacation, today: date) -> None:
    """Raise `VacationProblem` unless `vacation` can still be ended or cancelled `today`."""
    status = vacation.status(today)
    if status in ("over", "cancelled"):
        raise VacationProblem("vacation_id", f"this vacation is already {status}", conflict=True)


def ended_vacation(vacation: Vacation, today: date, last_active: date | None) -> Vacation:
    """`vacation` ended `today`: today and the days after it are ordinary days again. The days
    up to the last active date stay vacation days (it may lie ahead of today after a change of
    timezone), so that no streak already counted can shrink."""
    cut = max(today, last_active + timedelta(1)) if last_active else today
    return vacation.ended_before(cut)


def current_vacation(vacations: Iterable[Vacation], today: date) -> Vacation | None:
    """The vacation covering `today`, if any."""
    return next((v for v in vacations if v.status(today) == "ongoing"), None)
