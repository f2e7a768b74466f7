"""The signals of a batch follow from the projections before and after it, whatever the batches."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from questpath.progress import rules as r
from questpath.progress.signals import Signal, signals_of
from questpath.progress.state import Changes, DayRow, Totals, advance, recompute
from questpath.ruleset import default_ruleset
from tests.progress.test_state import facts_over

RULES = default_ruleset()
NOW = datetime(2026, 1, 1, tzinfo=UTC)
START = date(2025, 1, 1)
LEARNER = uuid.UUID(int=7)


class Learner:
    """A learner's totals and day rows, advanced batch by batch as the recorder does."""

    def __init__(self) -> None:
        self.totals = Totals()
        self.days: dict[date, DayRow] = {}
        self.unlocked: set[str] = set()
        self.facts: list[r.EventFacts] = []

    def record(self, batch: list[r.EventFacts]) -> list[Signal]:
        # Every row: `advance` may need any later day when a batch reaches back.
        changes = advance(self.totals, self.days, {}, {}, self.unlocked, batch, RULES, NOW)
        self.totals = changes.totals
        self.days |= changes.days
        self.unlocked |= {a.id for a in changes.unlocked}
        self.facts += batch
        return signals_of(LEARNER, [], changes, RULES, NOW)


def of_type(signals: list[Signal], kind: str) -> list[Signal]:
    return [s for s in signals if s.type == kind]


@given(st.lists(st.lists(facts_over(40), min_size=1, max_size=4), min_size=1, max_size=12))
def test_level_and_rank_changes_chain_to_the_recomputed_standing(
    batches: list[list[r.EventFacts]],
) -> None:
    learner = Learner()
    level, rank = 1, RULES.ranks[0].id
    for batch in batches:
        signals = learner.record(batch)
        for s in of_type(signals, "level.changed"):
            assert s.data["from"] == level
            assert s.data["to"] > level
            level = s.data["to"]
        for s in of_type(signals, "rank.changed"):
            assert s.data["from"]["id"] == rank
            assert s.data["to"]["id"] != rank
            rank = s.data["to"]["id"]
        assert len(of_type(signals, "level.changed")) <= 1
    whole = recompute(learner.facts, RULES)
    assert level == r.level_for_xp(whole.totals.standing().xp, RULES.levels).level
    assert rank == r.rank_for(whole.totals.tally.projects, RULES.ranks).rank.id


@given(st.lists(facts_over(60), min_size=1, max_size=20))
def test_every_unlock_is_signalled_once(facts: list[r.EventFacts]) -> None:
    learner = Learner()
    unlocked = [
        s.data["achievement"]["id"]
        for f in facts
        for s in of_type(learner.record([f]), "achievement.unlocked")
    ]
    assert sorted(unlocked) == sorted(learner.unlocked)
    assert len(set(unlocked)) == len(unlocked)


@given(st.lists(st.integers(1, 6), min_size=1, max_size=30))
def test_a_streak_is_broken_when_the_next_active_day_starts_a_new_one(gaps: list[int]) -> None:
    learner = Learner()
    day = START
    learner.record([r.EventFacts("check_in", day)])
    for gap in gaps:
        before = learner.totals.streak
        day += timedelta(days=gap)
        broken = of_type(learner.record([r.EventFacts("check_in", day)]), "streak.broken")
        restarted = learner.totals.streak.run == 1
        if restarted and before.run >= 2:
            assert [s.data for s in broken] == [
                {"length": before.run, "last_day": before.last_date.isoformat()}  # type: ignore[union-attr]
            ]
        else:
            assert broken == []


def test_a_late_event_for_a_past_day_breaks_nothing() -> None:
    learner = Learner()
    learner.record([r.EventFacts("check_in", START + timedelta(days=n)) for n in (0, 1, 5, 6)])
    signals = learner.record([r.EventFacts("check_in", START + timedelta(days=3))])
    assert of_type(signals, "streak.broken") == []


def row(kind: str, event_id: str, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "kind": kind,
        "occurred_at": NOW,
        "local_date": START,
        "topic": "sql",
        "grade": 90.0,
        "time_spent_seconds": 60,
        "hints_used": 0,
        "meta": meta,
    }


def test_each_created_event_is_recorded_and_a_goal_achieved_is_signalled_with_its_goal() -> None:
    goal = row("goal_achieved", "system:goal:1", {"goal_id": "g-1", "title": "Ten exercises"})
    created = [row("exercise_completed", "e-1"), goal]
    signals = signals_of(LEARNER, created, None, RULES, NOW)
    recorded = of_type(signals, "event.recorded")
    assert [s.data["event"]["id"] for s in recorded] == ["e-1", "system:goal:1"]
    assert recorded[0].data["event"]["local_date"] == START.isoformat()
    assert [s.data for s in of_type(signals, "goal.achieved")] == [
        {"goal_id": "g-1", "title": "Ten exercises"}
    ]
    assert all(s.user_id == LEARNER and s.occurred_at == NOW for s in signals)


def test_a_batch_that_moves_nothing_signals_only_its_events() -> None:
    nothing = Changes(Totals(), {}, {}, {}, [], [])
    assert signals_of(LEARNER, [], nothing, RULES, NOW) == []
