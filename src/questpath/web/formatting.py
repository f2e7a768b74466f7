"""Jinja filters: numbers, durations and dates as a learner reads them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def number(value: float | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def amount(value: float, metric: str) -> str:
    """An achievement metric's value: durations for time, plain numbers otherwise."""
    return duration(value) if metric.endswith("_seconds") else number(value)


def grade(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def duration(seconds: float | None) -> str:
    """3725 -> "1 h 2 min"; 45 -> "45 s"; None -> "—"."""
    if seconds is None:
        return "—"
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    hours, minutes = divmod(seconds // 60, 60)
    if hours and minutes:
        return f"{hours:,} h {minutes} min"
    return f"{hours:,} h" if hours else f"{minutes} min"


def day(value: date | None) -> str:
    """2026-11-23 -> "23 Nov 2026"."""
    return "—" if value is None else f"{value.day} {value:%b %Y}"


def moment(value: datetime | None, timezone: str = "UTC") -> str:
    """A stored UTC time on the learner's clock: "23 Nov 2026, 18:30"."""
    if value is None:
        return "—"
    local = value.astimezone(ZoneInfo(timezone))
    return f"{local.day} {local:%b %Y, %H:%M}"
