"""The incremental path equals a recomputation from the whole log, whatever the arrival order."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from questpath.events.rules import PROGRESS_KINDS
from questpath.progress import rules as r
from questpath.progress.state import (
    DayRow,
    Prefix,
    Projection,
    TopicRow,
    Totals,
    advance,
    periods_of,
    recompute,
    rows_needed,
    unlock_dates,
)
from questpath.ruleset import default_ruleset

RULES = default_ruleset()
NOW = datetime(2026, 1, 1, tzinfo=UTC)
START = date(2025, 1, 1)


KINDS = list(PROGRESS_KINDS)


def facts_over(days: int) -> st.SearchStrategy[r.EventFacts]:
    """Events on local dates within `days` of START: few days make dense, freeze-earning runs."""
    return st.builds(
        r.EventFacts,
        kind=st.sampled_from(KINDS),
        local_date=st.integers(0, days).map(lambda n: START + timedelta(days=n)),
        topic=st.none() | st.sampled_from(["python", "sql", "rust"]),
        grade=st.none()
        | st.floats(0, 100, allow_nan=False)
        | st.sampled_from([100.0, 59.99, 60.0]),
        time_spent_seconds=st.none() | st.integers(0, 10_000),
        hints_used=st.none() | st.integers(0, 8),
    )


class Store:
    """The projections as the database holds them, advanced batch by batch."""

    def __init__(self) -> None:
        self.totals = Totals()
        self.days: dict[date, DayRow] = {}
        self.topics: dict[str, TopicRow] = {}
        self.topic_days: dict[tuple[date, str], r.Tally] = {}
        self.achievements: dict[str, date] = {}

    def apply(self, batch: list[r.EventFacts]) -> None:
        dates, tail_from = rows_needed(self.totals, batch)
        days = {d: row for d, row in self.days.items() if d in dates}
        if tail_from is not None:
            before = [d for d in self.days if d < tail_from]
            wanted = {d for d in self.days if d >= tail_from} | ({max(before)} if before else set())
            days |= {d: self.days[d] for d in wanted}
        topics = {f.topic: self.topics[f.topic] for f in batch if f.topic in self.topics}
        keys = {(f.local_date, f.topic) for f in batch if f.topic is not None}
        topic_days = {k: self.topic_days[k] for k in keys if k in self.topic_days}
        changes = advance(
            self.totals, days, topics, topic_days, set(self.achievements), batch, RULES, NOW
        )
        self.totals = changes.totals
        self.days |= changes.days
        self.topics |= changes.topics
        self.topic_days |= changes.topic_days
        assert not {a.id for a in changes.unlocked} & self.achievements.keys()
        self._date_unlocks(batch, [a.id for a in changes.unlocked])

    def _date_unlocks(self, batch: list[r.EventFacts], new: list[str]) -> None:
        """As the database does: walk the days from the batch's earliest date."""
        first = min(f.local_date for f in batch)
        movable = [a for a, day in self.achievements.items() if day > first]
        if not new and not movable:
            return
        earlier = [row for day, row in self.days.items() if day < first]
        topic_exercises: dict[str, int] = {}
        for (day, topic), tally in self.topic_days.items():
            if day < first:
                topic_exercises[topic] = topic_exercises.get(topic, 0) + tally.exercises
        prefix = Prefix(
            totals=r.total(row.tally for row in earlier),
            bonus_xp=sum(row.streak.bonus_xp for row in earlier),
            longest_streak=max((row.streak.streak for row in earlier), default=0),
            active_days=len(earlier),
            topic_exercises=topic_exercises,
        )
        dates = unlock_dates(
            prefix,
            {day: row for day, row in self.days.items() if day >= first},
            {key: t for key, t in self.topic_days.items() if key[0] >= first},
            RULES,
        )
        for a in [*new, *movable]:
            self.achievements[a] = dates[a]

    def projection(self) -> Projection:
        return Projection(
            self.totals,
            self.days,
            {
                t: TopicRow(row.tally, row.first_exercise_date, row.level)
                for t, row in self.topics.items()
            },
            self.topic_days,
            self.achievements,
            periods=periods_of(self.days),
        )


def arrive_in_batches(facts: list[r.EventFacts], cuts: list[int], order: Random) -> Store:
    """Apply `facts` shuffled by `order`, in batches split at `cuts`."""
    shuffled = list(facts)
    order.shuffle(shuffled)
    bounds = sorted({0, len(shuffled), *(c for c in cuts if c < len(shuffled))})
    store = Store()
    for low, high in itertools.pairwise(bounds):
        store.apply(shuffled[low:high])
    return store


@settings(max_examples=300, deadline=None)
@given(
    facts=st.lists(facts_over(60), max_size=60),
    cuts=st.lists(st.integers(0, 60), max_size=10),
    order=st.randoms(use_true_random=False),
)
def test_batches_in_any_order_give_the_recomputed_projection(facts, cuts, order) -> None:
    assert arrive_in_batches(facts, cuts, order).projection() == recompute(facts, RULES)


@settings(max_examples=200, deadline=None)
@given(
    facts=st.lists(facts_over(30), min_size=20, max_size=80),
    cuts=st.lists(st.integers(0, 80), max_size=12),
    order=st.randoms(use_true_random=False),
)
def test_dense_months_with_freezes_give_the_recomputed_projection(facts, cuts, order) -> None:
    """Most days active, so runs pass 7 and 14 days and freezes are earned and spent."""
    assert arrive_in_batches(facts, cuts, order).projection() == recompute(facts, RULES)


def test_a_late_day_that_bridges_two_runs_adds_the_bonuses_of_the_joined_run() -> None:
    days = [START + timedelta(days=n) for n in (0, 1, 3, 4)]
    store = Store()
    store.apply([r.EventFacts("check_in", d) for d in days])
    assert store.totals.longest_streak == 2
    assert store.totals.bonus_xp == 0

    store.apply([r.EventFacts("check_in", START + timedelta(days=2))])

    assert store.totals.longest_streak == 5
    # Days 3, 4 and 5 of the run now extend it to three days or more.
    assert store.totals.bonus_xp == 3 * RULES.xp.streak_bonus
    assert store.projection() == recompute(
        [r.EventFacts("check_in", START + timedelta(days=n)) for n in range(5)], RULES
    )


@settings(max_examples=100, deadline=None)
@given(
    per_day=st.lists(st.integers(0, 40), min_size=1, max_size=4),
    cuts=st.lists(st.integers(0, 160), max_size=8),
    order=st.randoms(use_true_random=False),
)
def test_review_xp_is_capped_per_local_day_whatever_the_batches(per_day, cuts, order) -> None:
    reviews = [
        r.EventFacts("quiz_reviewed", START + timedelta(days=day), grade=100.0)
        for day, count in enumerate(per_day)
        for _ in range(count)
    ]
    store = arrive_in_batches(reviews, cuts, order)
    xp = RULES.xp
    expected = {
        START + timedelta(days=day): min(count * xp.quiz_review, xp.quiz_review_daily_maximum)
        for day, count in enumerate(per_day)
        if count
    }
    assert {day: row.tally.xp for day, row in store.days.items()} == expected
    streak_bonus = sum(row.streak.bonus_xp for row in store.days.values())
    assert store.totals.standing().xp == sum(expected.values()) + streak_bonus
    assert store.projection() == recompute(reviews, RULES)


def test_a_quiz_counts_as_a_graded_exercise_in_its_topic() -> None:
    quiz = r.EventFacts("quiz_completed", START, topic="sql", grade=80.0, time_spent_seconds=90)
    projection = recompute([quiz], RULES)
    topic = projection.topics["sql"]
    assert (topic.tally.exercises, topic.tally.quizzes, topic.tally.average_grade) == (1, 1, 80.0)
    exercise = r.EventFacts("exercise_completed", START, grade=80.0)
    assert projection.totals.tally.xp == r.event_xp(exercise, RULES.xp)
