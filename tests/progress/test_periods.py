"""The periods the leaderboards add XP up over: weeks and months of local days, and all time."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.progress.periods import (
    ALL_TIME,
    PERIODS,
    Period,
    dated_periods,
    dated_xp,
    period_end,
    period_start,
    spans,
)

days = st.dates(min_value=date(1971, 1, 1), max_value=date(2200, 1, 1))
periods = st.sampled_from(PERIODS)


@given(days, periods)
def test_a_period_holds_the_day_it_was_found_for(day: date, period: Period) -> None:
    start = period_start(period, day)
    end = period_end(period, start)
    assert start <= day
    assert end is None or day < end


@given(days, periods)
def test_every_day_of_a_period_belongs_to_it_and_the_next_starts_where_it_ends(
    day: date, period: Period
) -> None:
    start = period_start(period, day)
    end = period_end(period, start)
    if end is None:
        assert period == "all"
        return
    assert {period_start(period, start + timedelta(days=n)) for n in range((end - start).days)} == {
        start
    }
    assert period_start(period, end) == end
    assert 7 <= (end - start).days <= 31


@given(days)
def test_weeks_start_on_monday_and_months_on_their_first_day(day: date) -> None:
    assert period_start("week", day).isoweekday() == 1
    assert period_start("month", day).day == 1
    assert period_start("all", day) == ALL_TIME
    assert dated_periods([day]) == {
        ("week", period_start("week", day)),
        ("month", period_start("month", day)),
    }


def test_a_week_runs_from_monday_to_sunday() -> None:
    assert period_start("week", date(2026, 11, 30)) == date(2026, 11, 30)  # a Monday
    assert period_start("week", date(2026, 12, 6)) == date(2026, 11, 30)  # its Sunday
    assert period_start("week", date(2026, 12, 7)) == date(2026, 12, 7)


def test_months_of_every_length_end_on_the_next_first() -> None:
    assert period_end("month", date(2026, 2, 1)) == date(2026, 3, 1)
    assert period_end("month", date(2028, 2, 1)) == date(2028, 3, 1)
    assert period_end("month", date(2026, 12, 1)) == date(2027, 1, 1)
    assert period_end("month", date(2026, 4, 1)) == date(2026, 5, 1)


@given(st.dictionaries(days, st.integers(min_value=0, max_value=500), max_size=40), st.data())
def test_a_period_s_xp_is_the_sum_of_its_days(day_xp: dict[date, int], data: st.DataObject) -> None:
    every = dated_periods(day_xp)
    keys = data.draw(st.sets(st.sampled_from(sorted(every)))) if every else set()
    found = dated_xp(day_xp, keys)
    assert found.keys() == keys
    for period, start in keys:
        end = period_end(period, start)
        assert end is not None
        assert found[period, start] == sum(xp for day, xp in day_xp.items() if start <= day < end)


@given(st.sets(days, min_size=1, max_size=20))
def test_spans_cover_the_days_of_the_periods_and_no_others(some_days: set[date]) -> None:
    keys = dated_periods(some_days)
    ranges = spans(keys)
    assert all(first < after for first, after in ranges)
    assert all(a_after < b_first for (_, a_after), (b_first, _) in pairwise(ranges))
    for period, start in keys:
        end = period_end(period, start)
        assert end is not None
        assert any(first <= start and end <= after for first, after in ranges)
    for first, after in ranges:  # every range is made of the periods' days only
        assert first in {start for _, start in keys}
        assert after in {period_end(period, start) for period, start in keys}


def test_all_time_has_no_days_to_read() -> None:
    with pytest.raises(ValueError, match="weeks and months"):
        spans([("all", ALL_TIME)])
