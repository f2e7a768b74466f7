"""The leaderboard rules: UTC periods, order, rank, percentile and aliases."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
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
    period_end,
    period_start,
    periods_holding,
    rank,
    standing,
)

offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
instants = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=offsets
)
periods = st.sampled_from(PERIODS)


@given(instants, periods)
def test_a_period_holds_the_instant_it_was_found_for(at: datetime, period: Period) -> None:
    start = period_start(period, at)
    end = period_end(period, start)
    day = at.astimezone(UTC).date()
    assert start <= day
    assert end is None or day < end


@given(instants, periods)
def test_the_next_period_starts_where_this_one_ends(at: datetime, period: Period) -> None:
    start = period_start(period, at)
    end = period_end(period, start)
    if end is None:
        assert period == "all"
        return
    following = datetime.combine(end, datetime.min.time(), tzinfo=UTC)
    assert period_start(period, following) == end
    assert period_start(period, following - timedelta(microseconds=1)) == start


@given(instants)
def test_weeks_start_on_monday_and_months_on_their_first_day(at: datetime) -> None:
    assert period_start("week", at).isoweekday() == 1
    assert period_start("month", at).day == 1
    assert period_start("all", at) == ALL_TIME


@given(instants, offsets)
def test_the_same_instant_falls_in_the_same_periods_in_every_timezone(
    at: datetime, elsewhere: timezone
) -> None:
    assert periods_holding(at) == periods_holding(at.astimezone(elsewhere))


def test_a_week_ends_at_midnight_utc_on_sunday_night() -> None:
    # Sunday 23:30 in New York is already Monday 04:30 UTC: the next week's board.
    new_york_sunday_evening = datetime(2026, 11, 29, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert period_start("week", new_york_sunday_evening) == date(2026, 11, 30)
    # Monday 00:30 in Berlin is still Sunday 23:30 UTC: the week that is ending.
    berlin_monday_night = datetime(2026, 11, 30, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    assert period_start("week", berlin_monday_night) == date(2026, 11, 23)


def test_months_of_every_length_end_on_the_next_first() -> None:
    assert period_end("month", date(2026, 2, 1)) == date(2026, 3, 1)
    assert period_end("month", date(2028, 2, 1)) == date(2028, 3, 1)
    assert period_end("month", date(2026, 12, 1)) == date(2027, 1, 1)
    assert period_end("month", date(2026, 4, 1)) == date(2026, 5, 1)


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        period_start("week", datetime(2026, 1, 1))


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
