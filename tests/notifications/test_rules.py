"""What a learner is told and when: pure rules, with hypothesis over clocks and streaks."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from questpath.events.rules import local_date
from questpath.notifications.rules import (
    KINDS,
    from_signals,
    link_of,
    reminder_day,
    streak_at_risk,
    title_of,
)
from questpath.progress.rules import StreakState, streak_on
from questpath.progress.signals import Signal
from questpath.progress.vacations import VacationDays

NOW = datetime(2026, 12, 4, 18, tzinfo=UTC)
USER = uuid.uuid4()
ZONES = st.sampled_from(
    ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "Pacific/Apia"]
)
MOMENTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


def signal(type_: str, **data: object) -> Signal:
    return Signal(USER, type_, NOW, dict(data))  # type: ignore[arg-type]


def test_levels_and_ranks_gained_are_told_and_plain_events_are_not() -> None:
    found = from_signals(
        [
            signal("event.recorded", event={}),
            signal("level.changed", **{"from": 1, "to": 3, "xp": 260}),
            signal(
                "rank.changed",
                **{"from": {"id": "novice", "name": "Novice"}, "to": {"id": "a", "name": "Adept"}},
                projects_completed=3,
            ),
            signal("goal.achieved", goal_id="g", title="Ship it"),
            signal("streak.broken", length=4, last_day="2026-12-01"),
        ]
    )
    assert [(s.type, d.kind, d.data) for s, d in found] == [
        ("level.changed", "level.up", {"level": 3, "xp": 260}),
        (
            "rank.changed",
            "rank.up",
            {"rank": {"id": "a", "name": "Adept"}, "projects_completed": 3},
        ),
        ("goal.achieved", "goal.achieved", {"goal_id": "g", "title": "Ship it"}),
    ]
    assert all(d.key is None for _, d in found)


def test_a_level_lost_is_not_told() -> None:
    assert from_signals([signal("level.changed", **{"from": 3, "to": 2, "xp": 150})]) == []


@given(st.sampled_from(KINDS), st.dictionaries(st.text(max_size=5), st.integers()))
def test_every_kind_reads_as_a_sentence_and_links_into_the_app(
    kind: str, data: dict[str, int]
) -> None:
    assert title_of(kind, data).strip()
    assert link_of(kind, data).startswith("/")


def test_titles_read_well() -> None:
    assert title_of("rank.up", {"rank": {"name": "Expert"}}) == "You are now an Expert"
    assert title_of("reviews.due", {"count": 1}) == "1 review card is due"
    assert title_of("reviews.due", {"count": 4}) == "4 review cards are due"
    assert title_of("streak.at_risk", {"streak": 6}).startswith("Your 6-day streak ends tonight")


@given(MOMENTS, ZONES, st.integers(0, 23), st.integers(0, 23))
def test_a_reminder_is_due_once_the_hour_has_come_in_the_learners_day(
    now: datetime, zone: str, day_start: int, hour: int
) -> None:
    day = reminder_day(now, zone, day_start, hour)
    today = local_date(now, zone, day_start)
    hours_in = (hour - day_start) % 24
    begins = datetime.combine(today, time(day_start)) + timedelta(hours=hours_in)
    due_at = begins.replace(tzinfo=ZoneInfo(zone))
    assert day == (today if now >= due_at else None)


def test_an_evening_reminder_comes_at_seven_on_the_learners_clock() -> None:
    berlin = "Europe/Berlin"  # UTC+1 in December
    assert reminder_day(datetime(2026, 12, 4, 17, 59, tzinfo=UTC), berlin, 0, 19) is None
    assert reminder_day(datetime(2026, 12, 4, 18, 0, tzinfo=UTC), berlin, 0, 19) == date(
        2026, 12, 4
    )
    # With a day that starts at 4, two o'clock at night still belongs to the day before.
    late = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)  # 02:00 in Berlin
    assert reminder_day(late, berlin, 4, 19) == date(2026, 12, 4)
    assert reminder_day(late, berlin, 4, 3) is None


STATES = st.builds(
    StreakState,
    last_date=st.one_of(st.none(), st.dates(date(2026, 11, 1), date(2026, 12, 10))),
    run=st.integers(1, 40),
    freezes=st.integers(0, 2),
)
VACATIONS = st.lists(
    st.tuples(st.dates(date(2026, 11, 1), date(2026, 12, 10)), st.integers(0, 5)), max_size=2
).map(
    lambda spans: VacationDays(
        tuple(sorted({(first, first + timedelta(days=n)) for first, n in spans}))[:1]
    )
)


@given(STATES, st.dates(date(2026, 11, 20), date(2026, 12, 10)), VACATIONS)
def test_a_streak_is_at_risk_when_today_is_its_last_chance(
    state: StreakState, today: date, vacations: VacationDays
) -> None:
    risk = streak_at_risk(state, today, vacations)
    active_today = state.last_date is not None and state.last_date >= today
    alive = streak_on(state, today, vacations).current
    survives_today = streak_on(state, today + timedelta(days=1), vacations).current > 0
    expected = alive if (not active_today and alive and not survives_today) else 0
    assert risk == expected


def test_a_streak_last_active_yesterday_without_freezes_is_at_risk_and_with_one_is_not() -> None:
    today = date(2026, 12, 4)
    yesterday = today - timedelta(days=1)
    assert streak_at_risk(StreakState(yesterday, 5, 0), today, VacationDays()) == 5
    assert streak_at_risk(StreakState(yesterday, 5, 1), today, VacationDays()) == 0
    assert streak_at_risk(StreakState(today, 5, 0), today, VacationDays()) == 0
    on_vacation = VacationDays(((today, today),))
    assert streak_at_risk(StreakState(yesterday, 5, 0), today, on_vacation) == 0
