"""The leaderboard rules: order, rank, percentile, how long a streak stays on the streak board,
and aliases."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.leaderboards.rules import (
    ADJECTIVES,
    ANIMALS,
    alias,
    alive_until,
    rank,
    ranks,
    standing,
)
from questpath.progress.rules import StreakState, streak_on
from questpath.progress.vacations import Vacation, VacationDays


@dataclass(frozen=True)
class Entry:
    """One learner on one board: among equal scores, whoever reached it first is listed first."""

    learner: str
    score: int
    reached_at: datetime


def board_order(entries: Iterable[Entry]) -> list[Entry]:
    """The board's order as `leaderboards.repository.top` reads it: highest score first, equal
    scores by who reached them first, then by learner."""
    return sorted(entries, key=lambda e: (-e.score, e.reached_at, e.learner))


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


@given(st.lists(st.integers(min_value=0, max_value=20), max_size=30))
def test_ranks_of_a_listed_board_count_who_scored_more(scores: list[int]) -> None:
    listed = sorted(scores, reverse=True)
    assert ranks(listed) == [rank(sum(s > mine for s in listed)) for mine in listed]


# The streak board -----------------------------------------------------------------------------

DAY_ZERO = date(2026, 1, 5)
streak_states = st.builds(
    StreakState,
    last_date=st.integers(min_value=0, max_value=30).map(lambda n: DAY_ZERO + timedelta(n)),
    run=st.integers(min_value=1, max_value=400),
    freezes=st.integers(min_value=0, max_value=5),
)
vacation_spans = st.lists(
    st.tuples(st.integers(min_value=0, max_value=60), st.integers(min_value=-2, max_value=12)),
    max_size=4,
).map(
    lambda spans: VacationDays.of(
        Vacation(
            str(n),
            DAY_ZERO + timedelta(first),
            DAY_ZERO + timedelta(first + length),
            DAY_ZERO + timedelta(first + length),  # before the first day: cancelled
        )
        for n, (first, length) in enumerate(spans)
    )
)


@given(streak_states, vacation_spans, st.integers(min_value=0, max_value=120))
def test_a_streak_is_on_the_board_exactly_while_the_dashboard_calls_it_current(
    state: StreakState, vacations: VacationDays, days_on: int
) -> None:
    assert state.last_date is not None
    today = state.last_date + timedelta(days_on)
    last = alive_until(state, vacations)

    assert last is not None
    assert last > state.last_date  # today not being active yet breaks nothing
    current = streak_on(state, today, vacations).current
    assert (current == state.run) == (today <= last)
    assert (current == 0) == (today > last)


@given(streak_states, vacation_spans)
def test_a_freeze_or_a_vacation_never_shortens_how_long_a_streak_stays_current(
    state: StreakState, vacations: VacationDays
) -> None:
    assert state.last_date is not None
    longer = alive_until(replace(state, freezes=state.freezes + 1), vacations)
    without = alive_until(state)
    found = alive_until(state, vacations)
    assert found is not None
    assert longer is not None
    assert without is not None
    assert longer > found >= without


def test_without_a_streak_there_is_nothing_to_keep_current() -> None:
    assert alive_until(StreakState()) is None
    assert alive_until(StreakState(DAY_ZERO, 0, 2)) is None


def test_a_streak_stays_current_through_the_day_after_its_last_active_day_and_its_freezes() -> None:
    monday = date(2026, 12, 7)
    assert alive_until(StreakState(monday, 3, 0)) == date(2026, 12, 8)
    assert alive_until(StreakState(monday, 3, 2)) == date(2026, 12, 10)
    sunday = date(2026, 12, 14)
    week_off = VacationDays.of([Vacation("v", date(2026, 12, 8), sunday, sunday)])
    assert alive_until(StreakState(monday, 3, 0), week_off) == date(2026, 12, 15)


@dataclass(frozen=True)
class StreakEntry:
    learner: str
    run: int
    reached_on: date


@given(
    st.lists(
        st.builds(
            StreakEntry,
            learner=st.uuids().map(str),
            run=st.integers(min_value=1, max_value=10),
            reached_on=st.dates(min_value=DAY_ZERO, max_value=DAY_ZERO + timedelta(10)),
        ),
        min_size=1,
        max_size=30,
        unique_by=lambda e: e.learner,
    ),
    st.data(),
)
def test_the_streak_board_ranks_by_length_and_lists_equal_lengths_by_who_reached_them_first(
    entries: list[StreakEntry], data: st.DataObject
) -> None:
    ordered = sorted(entries, key=lambda e: (-e.run, e.reached_on, e.learner))
    listed = ranks([e.run for e in ordered])
    me = data.draw(st.sampled_from(ordered))
    mine = standing(
        sum(e.run > me.run for e in entries), sum(e.run < me.run for e in entries), len(entries)
    )
    assert mine.rank == listed[ordered.index(me)]
    for ahead, behind in pairwise(ordered):
        assert ahead.run > behind.run or ahead.reached_on <= behind.reached_on
