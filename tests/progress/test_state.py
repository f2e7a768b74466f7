"""The incremental path equals a recomputation from the whole log, whatever the arrival order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from questpath.progress import rules as r
from questpath.progress.ruleset import default_rules
from questpath.progress.state import (
    DayRow,
    Projection,
    TopicRow,
    Totals,
    advance,
    recompute,
    rows_needed,
)

RULES = default_rules()
NOW = datetime(2026, 1, 1, tzinfo=UTC)
START = date(2025, 1, 1)

facts_strategy = st.builds(
    r.EventFacts,
    kind=st.sampled_from(["exercise_completed", "project_completed", "study_session", "check_in"]),
    local_date=st.integers(0, 60).map(lambda n: START + timedelta(days=n)),
    topic=st.none() | st.sampled_from(["python", "sql", "rust"]),
    grade=st.none() | st.floats(0, 100, allow_nan=False) | st.sampled_from([100.0, 59.99, 60.0]),
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
        self.achievements: set[str] = set()

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
        assert not {a.id for a in changes.unlocked} & self.achievements
        self.achievements |= {a.id for a in changes.unlocked}

    def projection(self) -> Projection:
        return Projection(
            self.totals,
            self.days,
            {t: TopicRow(row.tally, row.first_exercise_date, row.level) for t, row in self.topics.items()},
            self.topic_days,
            self.achievements,
        )


@settings(max_examples=300, deadline=None)
@given(
    facts=st.lists(facts_strategy, max_size=60),
    cuts=st.lists(st.integers(0, 60), max_size=10),
    order=st.randoms(use_true_random=False),
)
def test_batches_in_any_order_give_the_recomputed_projection(facts, cuts, order) -> None:
    shuffled = list(facts)
    order.shuffle(shuffled)
    bounds = sorted({0, len(shuffled), *(c for c in cuts if c < len(shuffled))})
    store = Store()
    for low, high in zip(bounds, bounds[1:], strict=False):
        store.apply(shuffled[low:high])
    assert store.projection() == recompute(facts, RULES)
