"""The activity calendar: a year of days in week columns, shaded relative to the busiest day."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from questpath.web.heatmap import DAYS, LEVELS, calendar, level_for


def test_calendar_ends_today_and_starts_364_days_before() -> None:
    today = date(2026, 11, 23)
    cells = [c for c in calendar(today, {}).cells if c.day is not None]
    assert len(cells) == DAYS
    assert cells[0].day == today - timedelta(days=DAYS - 1)
    assert cells[-1].day == today


def test_padding_puts_every_day_in_its_weekday_row() -> None:
    cal = calendar(date(2026, 11, 23), {})
    for index, cell in enumerate(cal.cells):
        if cell.day is not None:
            assert cell.day.weekday() == index % 7


def test_activity_outside_the_year_is_ignored() -> None:
    today = date(2026, 11, 23)
    cal = calendar(today, {today + timedelta(days=1): 5, today - timedelta(days=DAYS): 3, today: 2})
    assert (cal.active_days, cal.total) == (1, 2)


def test_busiest_day_is_darkest_and_quiet_days_are_blank() -> None:
    assert level_for(0, 10) == 0
    assert level_for(10, 10) == LEVELS
    assert level_for(1, 10) == 1


@given(
    st.dictionaries(
        st.integers(min_value=0, max_value=400).map(lambda n: date(2026, 11, 23) - timedelta(n)),
        st.integers(min_value=0, max_value=1000),
    )
)
def test_levels_grow_with_activity(counts: dict[date, int]) -> None:
    cal = calendar(date(2026, 11, 23), counts)
    days = [c for c in cal.cells if c.day is not None]
    assert all((c.level == 0) == (c.count == 0) for c in days)
    assert all(0 <= c.level <= LEVELS for c in days)
    by_count = sorted(days, key=lambda c: c.count)
    assert all(a.level <= b.level for a, b in itertools.pairwise(by_count))
    assert cal.active_days == sum(1 for c in days if c.count)
