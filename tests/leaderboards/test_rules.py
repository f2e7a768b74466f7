"""The leaderboard rules: UTC periods, order, rank, percentile and aliases."""

from __future__ import annotations

import uuid
from datetime import UTC, date, timedelta
from itertools import pairwise
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.leaderboards.rules import (
    ADJECTIVES,
    ALL_TIME,
    ANIMALS,
    PERIODS,
    Entry,
    Period,
    alias,
    board_order,
    period_changes,
    period_end,
    period_start,
    periods_holding,
    rank,
    standing,
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
    assert periods_holding(day) == [(p, period_start(p, day)) for p in PERIODS]


def test_a_week_runs_from_monday_to_sunday() -> None:
    assert period_start("week", date(2026, 11, 30)) == date(2026, 11, 30)  # a Monday
    assert period_start("week", date(2026, 12, 6)) == date(2026, 11, 30)  # its Sunday
    assert period_start("week", date(2026, 12, 7)) == date(2026, 12, 7)


def test_months_of_every_length_end_on_the_next_first() -> None:
    assert period_end("month", date(2026, 2, 1)) == date(2026, 3, 1)
    assert period_end("month", date(2028, 2, 1)) == date(2028, 3, 1)
    assert period_end("month", date(2026, 12, 1)) == date(2027, 1, 1)
    assert period_end("month", date(2026, 4, 1)) == date(2026, 5, 1)


@given(st.dictionaries(days, st.integers(min_value=-500, max_value=500), max_size=40))
def test_period_changes_add_up_the_changes_of_their_days(changes: dict[date, int]) -> None:
    found = period_changes(changes)
    for period in PERIODS:
        starts = {period_start(period, day) for day in changes}
        for start in starts:
            expected = sum(v for day, v in changes.items() if period_start(period, day) == start)
            assert found.get((period, start), 0) == expected
    assert all(found.values())
    assert {key for key in found if key[0] == "all"} <= {("all", ALL_TIME)}


boards = st.lists(
    st.builds(
        Entry,
        learner=st.uuids().map(str),
        score=st.integers(min_value=0, max_value=50),
        reached_at=st.datetimes(timezones=st.just(UTC)),
    ),
    max_size=30,
    unique_by=lambda e: e.learner,
)


@given(boards)
def test_the_board_lists_higher_scores_first_then_who_reached_them_first(
    entries: list[Entry],
) -> None:
    ordered = board_order(entries)
    assert sorted(map(id, ordered)) == sorted(map(id, entries))
    for ahead, behind in pairwise(ordered):
        assert ahead.score >= behind.score
        if ahead.score == behind.score:
            assert (ahead.reached_at, ahead.learner) < (behind.reached_at, behind.learner)


@given(boards, st.randoms())
def test_the_order_does_not_depend_on_how_the_entries_were_read(
    entries: list[Entry], random: Random
) -> None:
    shuffled = list(entries)
    random.shuffle(shuffled)
    assert board_order(shuffled) == board_order(entries)


@given(boards.filter(bool), st.data())
def test_each_learner_s_standing_follows_from_the_scores_on_the_board(
    entries: list[Entry], data: st.DataObject
) -> None:
    me = data.draw(st.sampled_from(entries))
    higher = sum(e.score > me.score for e in entries)
    lower = sum(e.score < me.score for e in entries)
    mine = standing(higher, lower, len(entries))

    ordered = board_order(entries)
    first_with_my_score = next(i for i, e in enumerate(ordered) if e.score == me.score)
    assert mine.rank == first_with_my_score + 1
    assert mine.learners == len(entries)
    if len(entries) == 1:
        assert mine.percentile is None
    else:
        assert mine.percentile is not None
        assert 0 <= mine.percentile <= 100
        assert (mine.percentile == 100) == (lower == len(entries) - 1)
        assert (mine.percentile == 0) == (lower == 0)


@given(boards.filter(lambda entries: len(entries) > 1), st.data())
def test_a_higher_score_never_stands_lower(entries: list[Entry], data: st.DataObject) -> None:
    one, other = data.draw(st.permutations(entries))[:2]

    def of(entry: Entry) -> tuple[int, int]:
        found = standing(
            sum(e.score > entry.score for e in entries),
            sum(e.score < entry.score for e in entries),
            len(entries),
        )
        assert found.percentile is not None
        return found.rank, found.percentile

    if one.score > other.score:
        assert of(one)[0] < of(other)[0]
        assert of(one)[1] > of(other)[1]
    elif one.score == other.score:
        assert of(one) == of(other)


def test_equal_scores_share_a_rank_and_the_next_rank_skips() -> None:
    scores = [30, 20, 20, 10]
    ranks = [rank(sum(s > mine for s in scores)) for mine in scores]
    assert ranks == [1, 2, 2, 4]


@pytest.mark.parametrize(("higher", "lower", "learners"), [(-1, 0, 1), (0, -1, 1), (1, 0, 1)])
def test_counts_that_leave_no_room_for_the_learner_are_refused(
    higher: int, lower: int, learners: int
) -> None:
    with pytest.raises(ValueError, match="board"):
        standing(higher, lower, learners)


@given(st.binary(min_size=1, max_size=64))
def test_an_alias_is_an_adjective_an_animal_and_a_four_digit_number(key: bytes) -> None:
    adjective, animal, number = alias(key).split(" ")
    assert adjective in ADJECTIVES
    assert animal in ANIMALS
    assert 1000 <= int(number) <= 9999
    assert alias(key) == alias(bytes(key))


def test_aliases_seldom_repeat_among_many_learners() -> None:
    names = [alias(uuid.uuid5(uuid.NAMESPACE_URL, str(n)).bytes) for n in range(10_000)]
    assert len(ADJECTIVES) * len(ANIMALS) * 9_000 > 1_000_000
    assert len(set(names)) >= 9_950  # a birthday bound: about 35 pairs expected
