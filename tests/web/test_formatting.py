"""How pages write numbers, durations and times."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from questpath.web.formatting import amount, day, duration, grade, moment, number


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "—"), (0, "0 s"), (59, "59 s"), (60, "1 min"), (3600, "1 h"), (3725, "1 h 2 min")],
)
def test_durations_read_in_hours_and_minutes(seconds: int | None, text: str) -> None:
    assert duration(seconds) == text


def test_numbers_group_thousands_and_keep_one_decimal() -> None:
    assert (number(1234567), number(2.0), number(2.25), number(None)) == (
        "1,234,567",
        "2",
        "2.2",
        "—",
    )


def test_time_metrics_read_as_durations_and_others_as_counts() -> None:
    assert amount(360_000, "time_spent_seconds") == "100 h"
    assert amount(360_000, "xp") == "360,000"


def test_grades_dates_and_moments() -> None:
    assert (grade(91.6), grade(None)) == ("92", "—")
    assert day(date(2026, 11, 3)) == "3 Nov 2026"
    # A stored UTC time on the learner's own clock.
    assert (
        moment(datetime(2026, 11, 23, 23, 30, tzinfo=UTC), "Europe/Berlin") == "24 Nov 2026, 00:30"
    )
