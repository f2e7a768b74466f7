"""Vacations and the day start as pure rules: which days a vacation covers, how it keeps a
streak, and that the incremental path still equals a recomputation from the whole log."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questpath.events.rules import LocalDays, local_date
from questpath.progress import rules as r
from questpath.progress.state import (
    DayRow,
    Prefix,
    Projection,
    TopicRow,
    Totals,
    advance,
    recompute,
    restreak_from,
    rows_needed,
    unlock_dates,
)
from questpath.progress.vacations import (
    MAX_DAY_START_HOUR,
    MAX_DAYS_AHEAD,
    MAX_PENDING_VACATIONS,
    MAX_VACATION_DAYS,
    NO_VACATIONS,
    VACATION_ENDED,
    VACATION_SCHEDULED,
    Vacation,
    VacationDays,
    VacationProblem,
    apply_vacation_events,
    check_end,
    check_new_vacation,
    day_start_from_log,
    ended_vacation,
    first_changed_day,
    vacations_from_log,
)
from questpath.ruleset import default_ruleset

RULES = default_ruleset()
NOW = datetime(2026, 1, 1, tzinfo=UTC)
D = date(2026, 3, 1)


def day(n: int) -> date:
    return D + timedelta(days=n)


def vacation(first: int, last: int, vacation_id: str = "v") -> Vacation:
    return Vacation(vacation_id, day(first), day(last), day(last))


def chain(
    active: list[int], vacations: VacationDays = NO_VACATIONS, state: r.StreakState | None = None
) -> list[r.StreakDay]:
    return r.extend_streak(
        state or r.StreakState(), [day(n) for n in active], RULES.streaks, RULES.xp, vacations
    )


# Which days a vacation covers -----------------------------------------------------------------


def test_vacation_days_count_only_the_days_strictly_between_two_dates() -> None:
    days = VacationDays.of([vacation(3, 5), vacation(10, 10, "w")])
    assert days.between(day(0), day(20)) == 4
    assert days.between(day(3), day(5)) == 1  # day 4 only
    assert days.between(day(4), day(11)) == 2  # days 5 and 10
    assert days.between(day(5), day(6)) == 0
    assert [n for n in range(12) if days.covers(day(n))] == [3, 4, 5, 10]


def test_adjacent_and_overlapping_vacations_merge_and_cancelled_ones_cover_nothing() -> None:
    cancelled = Vacation("c", day(20), day(25), day(19))
    days = VacationDays.of([vacation(1, 3), vacation(4, 6, "b"), vacation(5, 8, "c2"), cancelled])
    assert days.ranges == ((day(1), day(8)),)
    assert days.until(day(2)) == day(8)
    assert days.until(day(9)) is None


# Streaks over vacations -----------------------------------------------------------------------


def test_a_gap_inside_a_vacation_keeps_the_run_and_the_freezes_without_lengthening_it() -> None:
    days = chain([0, 1, 2, 8], VacationDays.of([vacation(3, 7)]))
    assert [(d.streak, d.freezes_spent) for d in days] == [(1, 0), (2, 0), (3, 0), (4, 0)]


def test_without_the_vacation_the_same_gap_breaks_the_streak() -> None:
    assert chain([0, 1, 2, 8])[-1].streak == 1


def test_missed_days_outside_the_vacation_still_spend_freezes() -> None:
    week = list(range(7))  # a freeze earned on day 6
    days = chain([*week, 10], VacationDays.of([vacation(7, 8)]))
    assert days[-1].freezes_spent == 1  # day 9
    assert days[-1].streak == 8
    assert days[-1].freezes == 0


def test_activity_on_a_vacation_day_extends_the_streak() -> None:
    days = chain([0, 1, 2, 3], VacationDays.of([vacation(2, 5)]))
    assert [d.streak for d in days] == [1, 2, 3, 4]


def test_the_streak_shown_today_does_not_drop_during_a_vacation() -> None:
    state = r.StreakState(day(0), 5, 0)
    vacations = VacationDays.of([vacation(1, 20)])
    for n in range(1, 22):
        assert r.streak_on(state, day(n), vacations) == r.StreakNow(5, 0)
    # The day after the vacation is open until it ends; missing it too breaks the streak.
    assert r.streak_on(state, day(22), vacations) == r.StreakNow(0, 0)


def test_freezes_are_untouched_by_vacation_days_when_the_streak_is_read() -> None:
    state = r.StreakState(day(0), 7, 1)
    assert r.streak_on(state, day(6), VacationDays.of([vacation(1, 4)])).freezes == 0
    assert r.streak_on(state, day(5), VacationDays.of([vacation(1, 4)])).freezes == 1
    assert r.streak_on(state, day(5), VacationDays()) == r.StreakNow(0, 0)


# The day start --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local_time", "hour", "expected"),
    [
        ("2026-03-10T01:30", 4, date(2026, 3, 9)),
        ("2026-03-10T04:00", 4, date(2026, 3, 10)),
        ("2026-03-10T03:59", 4, date(2026, 3, 9)),
        ("2026-03-10T00:00", 0, date(2026, 3, 10)),
        ("2026-03-10T05:59", 6, date(2026, 3, 9)),
    ],
)
def test_activity_before_the_day_start_counts_for_the_day_before(
    local_time: str, hour: int, expected: date
) -> None:
    moment = datetime.fromisoformat(local_time + "+01:00")
    assert local_date(moment, "Europe/Berlin", hour) == expected
    assert LocalDays("Europe/Berlin", hour).date_of(moment) == expected


def test_the_day_start_holds_on_the_local_clock_across_a_daylight_saving_change() -> None:
    # Berlin springs forward at 02:00 on 2026-03-29: 03:30 CEST is still before a 04:00 start.
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 local
    assert local_date(moment, "Europe/Berlin", 4) == date(2026, 3, 28)
    assert local_date(moment, "Europe/Berlin", 3) == date(2026, 3, 29)


def test_the_day_start_in_force_is_the_last_one_recorded() -> None:
    assert day_start_from_log([]) == 0
    assert day_start_from_log([{"day_start_hour": 4}, None, {"day_start_hour": 2}]) == 2


# Scheduling and ending vacations --------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        (-1, 3, "start_date"),
        (2, 1, "end_date"),
        (0, MAX_VACATION_DAYS, "end_date"),
        (366, 370, "start_date"),
    ],
)
def test_a_vacation_outside_the_limits_is_refused_naming_the_field(
    first: int, last: int, field: str
) -> None:
    with pytest.raises(VacationProblem) as refused:
        check_new_vacation(day(first), day(last), day(0), [])
    assert refused.value.field == field
    assert not refused.value.conflict


def test_a_vacation_of_the_longest_length_starting_today_is_granted() -> None:
    check_new_vacation(day(0), day(MAX_VACATION_DAYS - 1), day(0), [])


def test_overlapping_or_too_many_pending_vacations_are_conflicts() -> None:
    existing = [vacation(5, 9)]
    with pytest.raises(VacationProblem) as overlap:
        check_new_vacation(day(9), day(12), day(0), existing)
    assert overlap.value.conflict
    pending = [vacation(10 * n, 10 * n + 1, str(n)) for n in range(MAX_PENDING_VACATIONS)]
    with pytest.raises(VacationProblem) as many:
        check_new_vacation(day(100), day(101), day(0), pending)
    assert many.value.conflict
    over = [vacation(-10, -5, str(n)) for n in range(5)]
    check_new_vacation(day(1), day(2), day(0), over)  # past vacations do not count


def test_ending_an_ongoing_vacation_makes_today_an_ordinary_day_again() -> None:
    ended = ended_vacation(vacation(-3, 5), day(0), day(-4))
    assert (ended.last_day, ended.status(day(0))) == (day(-1), "over")


def test_ending_an_upcoming_vacation_cancels_it() -> None:
    ended = ended_vacation(vacation(2, 5), day(0), None)
    assert ended.cancelled
    assert ended.status(day(0)) == "cancelled"
    with pytest.raises(VacationProblem):
        check_end(ended, day(0))


def test_ending_never_uncovers_days_up_to_the_last_active_one() -> None:
    ended = ended_vacation(vacation(0, 5), day(0), day(2))
    assert ended.last_day == day(2)


def test_the_log_gives_the_same_vacations_in_any_order() -> None:
    events: list[tuple[str, dict[str, Any] | None]] = [
        (VACATION_ENDED, {"vacation_id": "a", "last_day": day(2).isoformat()}),
        (
            VACATION_SCHEDULED,
            {"vacation_id": "a", "first_day": "2026-03-01", "last_day": "2026-03-10"},
        ),
        (
            VACATION_SCHEDULED,
            {"vacation_id": "b", "first_day": "2026-04-01", "last_day": "2026-04-02"},
        ),
    ]
    expected = {"a": Vacation("a", day(0), day(9), day(2)), "b": vacation(31, 32, "b")}
    assert vacations_from_log(events) == expected
    assert vacations_from_log(reversed(events)) == expected
    assert apply_vacation_events(vacations_from_log(events[1:]), events[:1]) == expected


def test_the_first_changed_day_is_where_coverage_differs() -> None:
    before = {"a": vacation(0, 9, "a")}
    assert first_changed_day(before, before) is None
    assert first_changed_day(before, {"a": before["a"].ended_before(day(4))}) == day(4)
    assert first_changed_day(before, {**before, "b": vacation(20, 21, "b")}) == day(20)
    assert first_changed_day({}, before) == day(0)


# The incremental path equals a recomputation --------------------------------------------------


class Store:
    """The projections and vacations as the database holds them, changed step by step as the
    recorder changes them (projections.apply)."""

    def __init__(self) -> None:
        self.totals = Totals()
        self.days: dict[date, DayRow] = {}
        self.topics: dict[str, TopicRow] = {}
        self.topic_days: dict[tuple[date, str], r.Tally] = {}
        self.achievements: dict[str, date] = {}
        self.vacations: dict[str, Vacation] = {}

    def record(
        self, facts: list[r.EventFacts], vacation_events: list[tuple[str, dict[str, Any]]]
    ) -> None:
        after = apply_vacation_events(self.vacations, vacation_events)
        since = restreak_from(self.totals, self.vacations, after)
        self.vacations = after
        if not facts and since is None:
            return
        dates, tail_from = rows_needed(self.totals, facts, since)
        wanted = {d for d in self.days if d in dates}
        if tail_from is not None:
            before = [d for d in self.days if d < tail_from]
            wanted |= {d for d in self.days if d >= tail_from} | (
                {max(before)} if before else set()
            )
        topics = {f.topic: self.topics[f.topic] for f in facts if f.topic in self.topics}
        keys = {(f.local_date, f.topic) for f in facts if f.topic is not None}
        changes = advance(
            self.totals,
            {d: self.days[d] for d in wanted},
            topics,
            {k: self.topic_days[k] for k in keys if k in self.topic_days},
            set(self.achievements),
            facts,
            RULES,
            NOW,
            VacationDays.of(self.vacations.values()),
            since,
        )
        self.totals = changes.totals
        self.days |= changes.days
        self.topics |= changes.topics
        self.topic_days |= changes.topic_days
        touched = [f.local_date for f in facts] + ([since] if since else [])
        self._date_unlocks(min(touched), [a.id for a in changes.unlocked])

    def _date_unlocks(self, first: date, new: list[str]) -> None:
        movable = [a for a, d in self.achievements.items() if d > first]
        if not new and not movable:
            return
        earlier = [row for d, row in self.days.items() if d < first]
        topic_exercises: dict[str, int] = {}
        for (d, topic), tally in self.topic_days.items():
            if d < first:
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
            {d: row for d, row in self.days.items() if d >= first},
            {key: t for key, t in self.topic_days.items() if key[0] >= first},
            RULES,
        )
        for a in [*new, *movable]:
            if a in dates:
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
            self.vacations,
        )


STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("next_day"), st.integers(1, 4)),
        # The hour since today's midnight: up to tomorrow, as an event a few minutes ahead of
        # the clock or one recorded before a change of timezone can be.
        st.tuples(st.just("activity"), st.integers(0, 47)),
        st.tuples(st.just("late"), st.integers(1, 25)),  # days ago
        st.tuples(st.just("schedule"), st.integers(0, 12), st.integers(1, 12)),
        st.tuples(st.just("end"), st.integers(0, 3)),
        st.tuples(st.just("day_start"), st.integers(0, MAX_DAY_START_HOUR)),
    ),
    max_size=90,
)


def live(steps: list[tuple[Any, ...]]) -> tuple[Store, list[r.EventFacts], list[Any], VacationDays]:
    """Play `steps` through the incremental path, as a learner's clock moves on; return the
    store, the log (progress facts and vacation events) and the last vacation days."""
    store = Store()
    facts: list[r.EventFacts] = []
    log: list[tuple[str, dict[str, Any]]] = []
    midnight = datetime(2026, 3, 1, tzinfo=UTC)
    hour = 0
    for step in steps:
        now = midnight + timedelta(hours=12)
        today = local_date(now, "UTC", hour)
        new: list[r.EventFacts] = []
        events: list[tuple[str, dict[str, Any]]] = []
        match step:
            case ("next_day", n):
                midnight += timedelta(days=n)
            case ("activity", h):
                new = [
                    r.EventFacts("check_in", local_date(midnight + timedelta(hours=h), "UTC", hour))
                ]
            case ("late", n):
                new = [r.EventFacts("exercise_completed", today - timedelta(days=n), grade=90.0)]
            case ("schedule", ahead, length):
                first = today + timedelta(days=ahead)
                last = first + timedelta(days=length - 1)
                try:
                    check_new_vacation(first, last, today, store.vacations.values())
                except VacationProblem:
                    continue
                vid = f"v{len(log)}"
                meta = {
                    "vacation_id": vid,
                    "first_day": first.isoformat(),
                    "last_day": last.isoformat(),
                }
                events = [(VACATION_SCHEDULED, meta)]
            case ("end", index):
                pending = sorted(
                    (
                        v
                        for v in store.vacations.values()
                        if v.status(today) in ("ongoing", "upcoming")
                    ),
                    key=lambda v: v.id,
                )
                if not pending:
                    continue
                chosen = pending[index % len(pending)]
                ended = ended_vacation(chosen, today, store.totals.streak.last_date)
                meta = {"vacation_id": chosen.id, "last_day": ended.last_day.isoformat()}
                events = [(VACATION_ENDED, meta)]
            case ("day_start", h):
                hour = h
        facts += new
        log += events
        store.record(new, events)
    return store, facts, log, VacationDays.of(store.vacations.values())


@settings(max_examples=300, deadline=None)
@given(steps=STEPS)
def test_vacations_and_day_starts_give_the_recomputed_projection(steps) -> None:
    store, facts, log, _ = live(steps)
    vacations = vacations_from_log(log)
    expected = recompute(facts, RULES, VacationDays.of(vacations.values()))
    assert store.projection() == Projection(
        expected.totals,
        expected.days,
        expected.topics,
        expected.topic_days,
        expected.achievements,
        vacations,
    )


@settings(max_examples=1000, deadline=None)
@given(
    active=st.lists(st.integers(0, 60), unique=True, max_size=40),
    spans=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 10)), max_size=4),
)
def test_a_vacation_never_shortens_a_streak_or_spends_a_freeze(active, spans) -> None:
    vacations = VacationDays.of(
        vacation(first, first + length, str(i)) for i, (first, length) in enumerate(spans)
    )
    plain, covered = chain(sorted(active)), chain(sorted(active), vacations)
    for without, with_ in zip(plain, covered, strict=True):
        assert with_.streak >= without.streak
    for before, after in itertools.pairwise(covered):
        missed = (after.date - before.date).days - 1 - vacations.between(before.date, after.date)
        assert after.freezes_spent <= missed  # only days outside a vacation spend freezes
        if missed == 0:
            assert after.streak == before.streak + 1


@settings(max_examples=200, deadline=None)
@given(
    active=st.lists(st.integers(0, 60), unique=True, min_size=1, max_size=40),
    spans=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 10)), max_size=4),
    split=st.integers(0, 40),
)
def test_walking_the_streak_in_two_parts_equals_walking_it_at_once(active, spans, split) -> None:
    vacations = VacationDays.of(
        vacation(first, first + length, str(i)) for i, (first, length) in enumerate(spans)
    )
    ordered = sorted(active)
    whole = chain(ordered, vacations)
    head = chain(ordered[:split], vacations)
    tail = chain(ordered[split:], vacations, head[-1].state if head else None)
    assert head + tail == whole


def test_the_limits_are_the_ones_the_rules_page_gives() -> None:
    doc = " ".join((Path(__file__).parents[2] / "docs" / "rules.md").read_text().split())
    assert f"lasts 1–{MAX_VACATION_DAYS} days" in doc
    assert f"at most {MAX_DAYS_AHEAD} days ahead" in doc
    assert f"at most {MAX_PENDING_VACATIONS} can be ongoing or upcoming at once" in doc
    assert f"a later hour, 0–{MAX_DAY_START_HOUR}" in doc
