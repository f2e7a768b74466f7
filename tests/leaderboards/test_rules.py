"""The leaderboard rules: order, rank, percentile and aliases."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.leaderboards.rules import ADJECTIVES, ANIMALS, alias, rank, ranks, standing


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
