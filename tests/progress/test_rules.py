"""The pure progress rules against the product spec, with the shipped default numbers.

Expectations come from the spec (XP formula, level costs 100, 150, 200, ..., the rank ladder, the
streak and freeze rules, skill thresholds, grade buckets, periods), never from the code. Where a
rule is easiest to state day by day (streaks), an independent day-by-day model is the oracle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questpath.events.rules import PROGRESS_KINDS
from questpath.progress import rules as r
from questpath.ruleset import Achievement, LevelRules, default_ruleset

RULES = default_ruleset()
XP = RULES.xp
LEVELS = RULES.levels
STREAKS = RULES.streaks
SKILLS = RULES.skill_levels
TODAY = date(2026, 3, 15)
START = date(2025, 1, 1)

KINDS = list(PROGRESS_KINDS)


def facts(kind: str = "exercise_completed", **kwargs: object) -> r.EventFacts:
    return r.EventFacts(kind=kind, local_date=TODAY, **kwargs)  # type: ignore[arg-type]


def exercise(**kwargs: object) -> r.EventFacts:
    return facts("exercise_completed", **kwargs)


def days_from(start: date, offsets: list[int]) -> list[date]:
    return [start + timedelta(days=n) for n in offsets]


# XP -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "hints", "expected"),
    [
        (None, None, 10),  # no grade counts as 0: the base only
        (None, 0, 10),
        (0, 0, 10),
        (9.99, 0, 10),  # not a full step of 10
        (10, 0, 11),
        (59.99, 0, 15),
        (60, 0, 16),
        (87, 0, 18),  # 10 + floor(8.7)
        (87, 1, 16),
        (87, 3, 12),
        (100, 0, 20),
        (100, 9, 2),
        (100, 10, 1),  # 20 - 20 = 0, lifted to the minimum of 1
        (0, 4, 2),
        (0, 5, 1),  # 10 - 10 = 0 -> 1
        (0, 8, 1),  # 10 - 16 < 0 -> 1
        (None, 50, 1),
    ],
)
def test_exercise_xp_is_base_plus_grade_steps_minus_hint_penalty(grade, hints, expected) -> None:
    assert r.event_xp(exercise(grade=grade, hints_used=hints), XP) == expected


@given(
    grade=st.none() | st.floats(0, 100, allow_nan=False),
    hints=st.none() | st.integers(0, 50),
)
def test_exercise_xp_follows_the_formula_and_is_at_least_one(grade, hints) -> None:
    # Grades count to the hundredth of a point (docs/rules.md).
    spec = 10 + math.floor(round(grade or 0, 2) / 10) - 2 * (hints or 0)
    xp = r.event_xp(exercise(grade=grade, hints_used=hints), XP)
    assert xp == max(1, spec)
    assert 1 <= xp <= 20


@given(grade=st.floats(0, 100, allow_nan=False), hints=st.integers(0, 20))
def test_more_hints_never_earn_more_and_a_higher_grade_never_earns_less(grade, hints) -> None:
    assert r.event_xp(exercise(grade=grade, hints_used=hints + 1), XP) <= r.event_xp(
        exercise(grade=grade, hints_used=hints), XP
    )
    higher = min(100.0, grade + 10)
    assert r.event_xp(exercise(grade=higher, hints_used=hints), XP) >= r.event_xp(
        exercise(grade=grade, hints_used=hints), XP
    )


@pytest.mark.parametrize("grade", [None, 0, 55.5, 100])
@pytest.mark.parametrize("time", [None, 0, 3600])
def test_a_project_earns_100_xp_whatever_else_it_reports(grade, time) -> None:
    event = facts("project_completed", grade=grade, time_spent_seconds=time, hints_used=3)
    assert r.event_xp(event, XP) == 100


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (None, 0),
        (0, 0),
        (299, 0),  # not a full 5 minutes
        (300, 1),
        (599, 1),
        (600, 2),
        (3600, 12),
        (7199, 23),
        (7200, 24),
        (7500, 24),  # capped
        (10**9, 24),
    ],
)
def test_a_study_session_earns_one_xp_per_full_five_minutes_up_to_24(seconds, expected) -> None:
    assert r.event_xp(facts("study_session", time_spent_seconds=seconds), XP) == expected


@given(seconds=st.integers(0, 10**7))
def test_study_session_xp_counts_full_five_minute_blocks(seconds) -> None:
    assert r.event_xp(facts("study_session", time_spent_seconds=seconds), XP) == min(
        24, seconds // 300
    )


@given(
    grade=st.none() | st.floats(0, 100, allow_nan=False),
    time=st.none() | st.integers(0, 10**6),
    hints=st.none() | st.integers(0, 10),
)
def test_a_check_in_earns_no_xp(grade, time, hints) -> None:
    event = facts("check_in", grade=grade, time_spent_seconds=time, hints_used=hints)
    assert r.event_xp(event, XP) == 0
    assert r.tally_event(event, XP).xp == 0


@pytest.mark.parametrize(
    ("kind", "counter", "xp"),
    [
        ("item_completed", "items_completed", 10),
        ("category_finished", "categories_finished", 25),
        ("track_finished", "tracks_finished", 100),
    ],
)
def test_track_events_count_once_each_with_their_xp(kind, counter, xp) -> None:
    tally = r.tally_event(facts(kind, topic="Git"), XP)
    assert r.event_xp(facts(kind), XP) == xp
    assert getattr(tally, counter) == 1
    assert tally.xp == xp
    assert tally.exercises == tally.projects == 0


# Levels ---------------------------------------------------------------------------------------


def spec_level_start(level: int) -> int:
    """Level 1 at 0; reaching level 2 costs 100 and each later level 50 more than the last."""
    return sum(100 + 50 * (k - 1) for k in range(1, level))


@pytest.mark.parametrize(
    ("level", "xp"),
    [(1, 0), (2, 100), (3, 250), (4, 450), (5, 700), (6, 1000), (10, 2700)],
)
def test_levels_start_at_the_spec_totals(level, xp) -> None:
    assert r.xp_for_level(level, LEVELS) == xp


@pytest.mark.parametrize("level", range(1, 60))
def test_xp_for_level_is_the_sum_of_the_level_costs(level) -> None:
    assert r.xp_for_level(level, LEVELS) == spec_level_start(level)


def test_each_level_costs_strictly_more_than_the_last() -> None:
    costs = [r.xp_for_level(n + 1, LEVELS) - r.xp_for_level(n, LEVELS) for n in range(1, 200)]
    assert costs[0] == 100
    assert all(b - a == 50 for a, b in pairwise(costs))
    assert all(b > a for a, b in pairwise(costs))


@pytest.mark.parametrize(
    ("xp", "level", "start", "next_start"),
    [
        (0, 1, 0, 100),
        (1, 1, 0, 100),
        (99, 1, 0, 100),
        (100, 2, 100, 250),
        (249, 2, 100, 250),
        (250, 3, 250, 450),
        (449, 3, 250, 450),
        (450, 4, 450, 700),
        (699, 4, 450, 700),
        (700, 5, 700, 1000),
        (999, 5, 700, 1000),
        (1000, 6, 1000, 1350),
    ],
)
def test_level_for_xp_at_and_around_each_level_start(xp, level, start, next_start) -> None:
    info = r.level_for_xp(xp, LEVELS)
    assert info == r.LevelInfo(level, start, next_start)
    assert info.xp_to_next_level(xp) == next_start - xp


@settings(max_examples=300)
@given(xp=st.integers(0, 10**9) | st.integers(0, 5000))
def test_level_for_xp_is_the_inverse_of_xp_for_level(xp) -> None:
    info = r.level_for_xp(xp, LEVELS)
    assert info.xp_at_level_start == r.xp_for_level(info.level, LEVELS)
    assert info.xp_at_next_level == r.xp_for_level(info.level + 1, LEVELS)
    assert info.xp_at_level_start <= xp < info.xp_at_next_level
    assert 1 <= info.xp_to_next_level(xp) <= info.xp_at_next_level - info.xp_at_level_start


@settings(max_examples=300)
@given(level=st.integers(1, 10**7))
def test_a_level_starts_exactly_at_its_xp_and_not_one_point_earlier(level) -> None:
    start = r.xp_for_level(level, LEVELS)
    assert r.level_for_xp(start, LEVELS).level == level
    assert r.level_for_xp(start - 1, LEVELS).level == level - 1 or level == 1


@given(
    first=st.integers(1, 10_000),
    increase=st.integers(1, 10_000),
    xp=st.integers(0, 10**12),
)
def test_level_for_xp_inverts_xp_for_level_under_any_level_rules(first, increase, xp) -> None:
    ruleset = LevelRules(first_level_cost=first, cost_increase=increase)
    info = r.level_for_xp(xp, ruleset)
    assert r.xp_for_level(info.level, ruleset) <= xp < r.xp_for_level(info.level + 1, ruleset)
    assert r.level_for_xp(r.xp_for_level(info.level, ruleset), ruleset).level == info.level


@pytest.mark.parametrize("xp", [10**15, 10**18 + 7, 10**24, 10**30])
def test_level_for_xp_stays_exact_far_beyond_float_precision(xp) -> None:
    info = r.level_for_xp(xp, LEVELS)
    assert r.xp_for_level(info.level, LEVELS) <= xp < r.xp_for_level(info.level + 1, LEVELS)


@given(a=st.integers(0, 10**9), b=st.integers(0, 10**9))
def test_more_xp_never_means_a_lower_level(a, b) -> None:
    low, high = sorted((a, b))
    assert r.level_for_xp(low, LEVELS).level <= r.level_for_xp(high, LEVELS).level


# Ranks ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("projects", "rank", "next_rank", "missing"),
    [
        (0, "novice", "competent", 3),
        (1, "novice", "competent", 2),
        (2, "novice", "competent", 1),
        (3, "competent", "proficient", 3),
        (5, "competent", "proficient", 1),
        (6, "proficient", "expert", 4),
        (9, "proficient", "expert", 1),
        (10, "expert", None, 0),
        (11, "expert", None, 0),
        (1000, "expert", None, 0),
    ],
)
def test_rank_follows_completed_projects(projects, rank, next_rank, missing) -> None:
    standing = r.rank_for(projects, RULES.ranks)
    assert standing.rank.id == rank
    assert (standing.next_rank.id if standing.next_rank else None) == next_rank
    assert standing.projects_missing == missing


def test_rank_names_follow_the_ladder() -> None:
    names = [r.rank_for(n, RULES.ranks).rank.name for n in (0, 3, 6, 10)]
    assert names == ["Novice", "Competent", "Proficient", "Expert"]


@given(projects=st.integers(0, 10_000))
def test_the_missing_projects_reach_exactly_the_next_rank(projects) -> None:
    standing = r.rank_for(projects, RULES.ranks)
    assert standing.rank.min_projects <= projects
    if standing.next_rank is None:
        assert standing.projects_missing == 0
        assert standing.rank.id == "expert"
    else:
        assert standing.projects_missing >= 1
        after = r.rank_for(projects + standing.projects_missing, RULES.ranks)
        assert after.rank == standing.next_rank
        before = r.rank_for(projects + standing.projects_missing - 1, RULES.ranks)
        assert before.rank == standing.rank


# Streaks --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelDay:
    date: date
    streak: int
    freezes: int
    freezes_spent: int


def model_streak(
    active: list[date], until: date | None = None, every: int = 7, max_freezes: int = 2
) -> tuple[list[ModelDay], int, int]:
    """The spec, one calendar day at a time, from the first active date through `until`.

    An active day extends the run (earning a freeze at each multiple of `every`, at most
    `max_freezes` held); a missed day uses a held freeze, or breaks the run when none is left.
    Returns the active days, and the run and freezes at the end of `until`.
    """
    active_set = set(active)
    last = max(active[-1], until) if until is not None else active[-1]
    out: list[ModelDay] = []
    run = freezes = spent = 0
    day = active[0]
    while day <= last:
        if day in active_set:
            run += 1
            if run % every == 0:
                freezes = min(max_freezes, freezes + 1)
            out.append(ModelDay(day, run, freezes, spent))
            spent = 0
        elif freezes:
            freezes -= 1
            spent += 1
        else:
            run = 0
        day += timedelta(days=1)
    return out, run, freezes


def extend(dates: list[date], state: r.StreakState | None = None, streaks=STREAKS):
    return r.extend_streak(state or r.StreakState(), dates, streaks, XP)


def streaks_of(dates: list[date]) -> list[int]:
    return [d.streak for d in extend(dates)]


gaps_strategy = st.lists(st.integers(1, 5) | st.integers(1, 40), min_size=1, max_size=70)


def dates_from_gaps(gaps: list[int]) -> list[date]:
    dates, day = [], START
    for gap in gaps:
        day += timedelta(days=gap)
        dates.append(day)
    return dates


def consecutive(n: int, start: date = START) -> list[date]:
    return days_from(start, list(range(n)))


def test_the_first_active_day_starts_a_streak_of_one() -> None:
    [day] = extend([START])
    assert day == r.StreakDay(START, 1, 0, 0, 0)


def test_consecutive_active_days_count_up() -> None:
    assert streaks_of(consecutive(6)) == [1, 2, 3, 4, 5, 6]


def test_no_dates_change_nothing() -> None:
    assert extend([]) == []
    assert extend([], r.StreakState(START, 4, 1)) == []


def test_a_missed_day_without_a_freeze_breaks_the_streak() -> None:
    dates = [*consecutive(5), START + timedelta(days=6)]  # day 5 missed
    assert streaks_of(dates) == [1, 2, 3, 4, 5, 1]


def test_a_freeze_is_earned_at_each_multiple_of_seven_and_at_most_two_are_held() -> None:
    days = extend(consecutive(30))
    held = {d.streak: d.freezes for d in days}
    assert all(held[n] == 0 for n in range(1, 7))
    assert all(held[n] == 1 for n in range(7, 14))
    assert all(held[n] == 2 for n in range(14, 31))  # day 21 and 28 earn nothing beyond 2
    assert all(d.freezes_spent == 0 for d in days)


def test_a_freeze_covers_exactly_one_missed_day() -> None:
    dates = [*consecutive(7), START + timedelta(days=8)]  # one freeze held, day 7 missed
    days = extend(dates)
    assert days[-1].streak == 8
    assert days[-1].freezes_spent == 1
    assert days[-1].freezes == 0


def test_one_freeze_cannot_cover_two_missed_days_and_is_used_up_by_the_break() -> None:
    dates = [*consecutive(7), START + timedelta(days=9)]  # one freeze held, days 7 and 8 missed
    days = extend(dates)
    assert days[-1].streak == 1
    assert days[-1].freezes == 0
    assert days[-1].freezes_spent == 1


def test_two_freezes_cover_two_missed_days() -> None:
    dates = [*consecutive(14), START + timedelta(days=16)]  # two held, days 14 and 15 missed
    days = extend(dates)
    assert (days[-1].streak, days[-1].freezes, days[-1].freezes_spent) == (15, 0, 2)


def test_two_freezes_cover_one_missed_day_and_one_is_kept() -> None:
    dates = [*consecutive(14), START + timedelta(days=15)]
    days = extend(dates)
    assert (days[-1].streak, days[-1].freezes, days[-1].freezes_spent) == (15, 1, 1)


def test_three_missed_days_with_two_freezes_break_the_streak() -> None:
    dates = [*consecutive(14), START + timedelta(days=17), START + timedelta(days=18)]
    days = extend(dates)
    assert [(d.streak, d.freezes) for d in days[-2:]] == [(1, 0), (2, 0)]
    assert days[-2].freezes_spent == 2


def test_freezes_are_not_spent_when_no_day_is_missed() -> None:
    days = extend(consecutive(16))
    assert days[-1].freezes == 2
    assert all(d.freezes_spent == 0 for d in days)


def test_a_freeze_spent_can_be_earned_again_later_in_the_same_run() -> None:
    # 7 days (freeze), miss one, 6 more days -> run 14 earns again.
    dates = [*consecutive(7), *consecutive(7, START + timedelta(days=8))]
    days = extend(dates)
    assert [d.streak for d in days] == list(range(1, 15))
    assert days[7].freezes == 0
    assert days[-1].freezes == 1


def test_the_streak_bonus_is_paid_on_each_day_of_three_or_more() -> None:
    days = extend(consecutive(5))
    assert [d.bonus_xp for d in days] == [0, 0, 5, 5, 5]


def test_a_broken_streak_stops_the_bonus_until_it_reaches_three_again() -> None:
    dates = [*consecutive(4), *consecutive(3, START + timedelta(days=10))]
    assert [d.bonus_xp for d in extend(dates)] == [0, 0, 5, 5, 0, 0, 5]


def test_extending_a_stored_state_continues_its_run_and_freezes() -> None:
    state = r.StreakState(last_date=START, run=6, freezes=1)
    [day] = extend([START + timedelta(days=1)], state)
    assert (day.streak, day.freezes) == (7, 2)
    [later] = extend([START + timedelta(days=3)], state)  # two missed days, one freeze
    assert (later.streak, later.freezes, later.freezes_spent) == (1, 0, 1)


@pytest.mark.parametrize(
    "dates",
    [
        [START, START],
        [START + timedelta(days=2), START + timedelta(days=1)],
    ],
)
def test_dates_must_ascend(dates) -> None:
    with pytest.raises(ValueError, match="ascend"):
        extend(dates)


@pytest.mark.parametrize("offset", [0, -1])
def test_dates_must_come_after_the_state(offset) -> None:
    state = r.StreakState(START, 3, 0)
    with pytest.raises(ValueError, match="ascend"):
        extend([START + timedelta(days=offset)], state)


@settings(max_examples=300, deadline=None)
@given(gaps=gaps_strategy)
def test_extend_streak_matches_the_day_by_day_spec(gaps) -> None:
    dates = dates_from_gaps(gaps)
    model, _, _ = model_streak(dates)
    days = extend(dates)
    assert [(d.date, d.streak, d.freezes, d.freezes_spent) for d in days] == [
        (m.date, m.streak, m.freezes, m.freezes_spent) for m in model
    ]
    assert [d.bonus_xp for d in days] == [5 if d.streak >= 3 else 0 for d in days]


@settings(max_examples=200, deadline=None)
@given(gaps=gaps_strategy, cuts=st.lists(st.integers(0, 70), max_size=5))
def test_extending_in_pieces_equals_extending_at_once(gaps, cuts) -> None:
    dates = dates_from_gaps(gaps)
    whole = extend(dates)
    bounds = sorted({0, len(dates), *(c for c in cuts if c < len(dates))})
    pieces: list[r.StreakDay] = []
    state = r.StreakState()
    for low, high in pairwise(bounds):
        part = r.extend_streak(state, dates[low:high], STREAKS, XP)
        pieces += part
        state = part[-1].state
    assert pieces == whole


@given(gaps=gaps_strategy)
def test_the_longest_run_never_exceeds_the_number_of_dates(gaps) -> None:
    dates = dates_from_gaps(gaps)
    days = extend(dates)
    assert len(days) == len(dates)
    assert max(d.streak for d in days) <= len(dates)
    assert all(d.streak >= 1 for d in days)
    assert all(b.streak in (1, a.streak + 1) for a, b in pairwise(days))


@given(gaps=gaps_strategy)
def test_freezes_held_stay_between_zero_and_the_maximum(gaps) -> None:
    days = extend(dates_from_gaps(gaps))
    assert all(0 <= d.freezes <= 2 for d in days)
    assert all(0 <= d.freezes_spent <= 2 for d in days)


def plain_runs(dates: list[date]) -> list[int]:
    runs: list[int] = []
    for i, day in enumerate(dates):
        consecutive_day = i > 0 and (day - dates[i - 1]).days == 1
        runs.append(runs[-1] + 1 if consecutive_day else 1)
    return runs


@given(gaps=gaps_strategy)
def test_without_freezes_the_streak_is_the_plain_consecutive_run(gaps) -> None:
    no_freezes = STREAKS.model_copy(update={"max_freezes": 0})
    dates = dates_from_gaps(gaps)
    days = extend(dates, streaks=no_freezes)
    assert [d.streak for d in days] == plain_runs(dates)
    assert all(d.freezes == 0 and d.freezes_spent == 0 for d in days)


@given(gaps=gaps_strategy)
def test_with_freezes_the_streak_is_never_shorter_than_the_plain_run(gaps) -> None:
    dates = dates_from_gaps(gaps)
    assert all(s >= p for s, p in zip(streaks_of(dates), plain_runs(dates), strict=True))


@given(gaps=st.lists(st.integers(1, 4), min_size=1, max_size=60), every=st.integers(1, 10))
def test_other_freeze_rules_follow_the_same_day_by_day_spec(gaps, every) -> None:
    custom = STREAKS.model_copy(update={"freeze_every_days": every, "max_freezes": 3})
    dates = dates_from_gaps(gaps)
    model, _, _ = model_streak(dates, every=every, max_freezes=3)
    days = extend(dates, streaks=custom)
    assert [(d.streak, d.freezes, d.freezes_spent) for d in days] == [
        (m.streak, m.freezes, m.freezes_spent) for m in model
    ]


# streak_on


def test_no_activity_means_no_streak() -> None:
    assert r.streak_on(r.StreakState(), TODAY) == r.StreakNow(0, 0)


@pytest.mark.parametrize("days_ago", [0, 1])
def test_the_streak_counts_when_last_active_today_or_yesterday(days_ago) -> None:
    state = r.StreakState(TODAY - timedelta(days=days_ago), 5, 0)
    assert r.streak_on(state, TODAY) == r.StreakNow(5, 0)


def test_the_streak_is_gone_after_a_missed_day_without_freezes() -> None:
    state = r.StreakState(TODAY - timedelta(days=2), 5, 0)
    assert r.streak_on(state, TODAY).current == 0


@pytest.mark.parametrize(
    ("days_ago", "held", "expected"),
    [
        (1, 2, r.StreakNow(9, 2)),  # nothing missed yet: all freezes still held
        (2, 1, r.StreakNow(9, 0)),  # one missed day, covered by the one freeze
        (2, 2, r.StreakNow(9, 1)),
        (3, 2, r.StreakNow(9, 0)),  # two missed days, both freezes
        (3, 1, r.StreakNow(0, 0)),  # two missed days, one freeze: broken
        (4, 2, r.StreakNow(0, 0)),
    ],
)
def test_held_freezes_keep_the_streak_alive_net_of_the_ones_used(days_ago, held, expected) -> None:
    state = r.StreakState(TODAY - timedelta(days=days_ago), 9, held)
    assert r.streak_on(state, TODAY) == expected


@settings(max_examples=300, deadline=None)
@given(gaps=gaps_strategy, wait=st.integers(0, 6))
def test_streak_on_matches_the_day_by_day_spec(gaps, wait) -> None:
    dates = dates_from_gaps(gaps)
    today = dates[-1] + timedelta(days=wait)
    state = extend(dates)[-1].state
    # Today not being active yet breaks nothing: the model runs through yesterday.
    _, run, freezes = model_streak(dates, until=max(dates[-1], today - timedelta(days=1)))
    assert r.streak_on(state, today) == r.StreakNow(run, freezes if run else 0)


@given(
    run=st.integers(1, 100),
    held=st.integers(0, 2),
    wait=st.integers(1, 6),
)
def test_activity_today_extends_the_streak_that_streak_on_reports(run, held, wait) -> None:
    state = r.StreakState(TODAY - timedelta(days=wait), run, held)
    now = r.streak_on(state, TODAY)
    [day] = extend([TODAY], state)
    assert day.streak == now.current + 1
    if now.current:
        earned = 1 if day.streak % 7 == 0 else 0
        assert day.freezes == min(2, now.freezes + earned)


# streak_status


def test_status_of_a_first_check_in_is_started() -> None:
    [day] = extend([TODAY])
    assert r.streak_status(day, already_active=False) == "started"


def test_status_of_a_consecutive_day_is_incremented() -> None:
    day = extend(consecutive(2))[-1]
    assert r.streak_status(day, already_active=False) == "incremented"


def test_status_after_a_covered_gap_is_restored_by_freeze() -> None:
    day = extend([*consecutive(7), START + timedelta(days=8)])[-1]
    assert r.streak_status(day, already_active=False) == "restored_by_freeze"


def test_status_after_a_break_is_started_even_when_freezes_were_used_up() -> None:
    day = extend([*consecutive(7), START + timedelta(days=12)])[-1]
    assert day.freezes_spent == 1
    assert r.streak_status(day, already_active=False) == "started"


@pytest.mark.parametrize(
    "dates", [[START], consecutive(3), [*consecutive(7), START + timedelta(8)]]
)
def test_status_of_a_day_already_active_is_maintained(dates) -> None:
    assert r.streak_status(extend(dates)[-1], already_active=True) == "maintained"


# Skill levels ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exercises", "average", "expected"),
    [
        (0, None, "beginner"),
        (1, 100, "beginner"),
        (9, 100, "beginner"),  # one exercise short of intermediate
        (10, 59.99, "beginner"),  # average just short
        (10, 60, "intermediate"),
        (29, 100, "intermediate"),
        (30, 69.99, "intermediate"),
        (30, 70, "advanced"),
        (49, 100, "advanced"),
        (50, 79.99, "advanced"),
        (50, 80, "expert"),
        (10_000, 100, "expert"),
        (500, 59.9, "beginner"),  # many exercises, low average
        (500, 65, "intermediate"),
        (500, 75, "advanced"),
        (500, None, "beginner"),  # no grades count as 0
    ],
)
def test_skill_level_needs_both_exercises_and_average(exercises, average, expected) -> None:
    assert r.skill_level_for(exercises, average, SKILLS) == expected


@given(
    exercises=st.integers(0, 200),
    average=st.none() | st.floats(0, 100, allow_nan=False),
)
def test_skill_level_is_the_highest_whose_thresholds_are_met(exercises, average) -> None:
    thresholds = [("intermediate", 10, 60), ("advanced", 30, 70), ("expert", 50, 80)]
    met = [n for n, m, g in thresholds if exercises >= m and (average or 0) >= g]
    assert r.skill_level_for(exercises, average, SKILLS) == (met[-1] if met else "beginner")


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("beginner", ("intermediate", 10, 60)),
        ("intermediate", ("advanced", 30, 70)),
        ("advanced", ("expert", 50, 80)),
        ("expert", None),
    ],
)
def test_next_skill_level_and_its_thresholds(level, expected) -> None:
    assert r.next_skill_level(level, SKILLS) == expected


@given(exercises=st.integers(0, 200), average=st.floats(0, 100, allow_nan=False))
def test_meeting_the_next_levels_thresholds_reaches_it(exercises, average) -> None:
    level = r.skill_level_for(exercises, average, SKILLS)
    following = r.next_skill_level(level, SKILLS)
    if following is None:
        assert level == "expert"
        return
    name, min_exercises, min_average = following
    assert r.skill_level_for(max(exercises, min_exercises), min_average, SKILLS) == name


# Tallies --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "bucket"),
    [
        (0, "0-59"),
        (0.01, "0-59"),
        (59, "0-59"),
        (59.99, "0-59"),
        (60, "60-69"),
        (69.99, "60-69"),
        (70, "70-79"),
        (79.99, "70-79"),
        (80, "80-89"),
        (89.99, "80-89"),
        (90, "90-100"),
        (99.99, "90-100"),
        (100, "90-100"),
    ],
)
def test_a_grade_lands_in_exactly_one_bucket(grade, bucket) -> None:
    distribution = r.tally_event(exercise(grade=grade), XP).grade_distribution
    assert distribution == {k: int(k == bucket) for k in distribution}
    assert list(distribution) == ["0-59", "60-69", "70-79", "80-89", "90-100"]


@pytest.mark.parametrize(("grade", "perfect"), [(100, 1), (100.0, 1), (99.99, 0), (90, 0), (0, 0)])
def test_only_a_grade_of_100_is_a_perfect_score(grade, perfect) -> None:
    assert r.tally_event(exercise(grade=grade), XP).perfect_scores == perfect


def test_an_ungraded_exercise_lands_in_no_bucket_and_no_average() -> None:
    tally = r.tally_event(exercise(), XP)
    assert sum(tally.grade_distribution.values()) == 0
    assert (tally.graded_exercises, tally.grade_hundredths, tally.perfect_scores) == (0, 0, 0)
    assert tally.average_grade is None
    assert tally.exercises == 1


@pytest.mark.parametrize(("hints", "hintless"), [(None, 1), (0, 1), (1, 0), (5, 0)])
def test_an_exercise_is_hintless_when_hints_are_zero_or_missing(hints, hintless) -> None:
    tally = r.tally_event(exercise(hints_used=hints), XP)
    assert tally.hintless_exercises == hintless
    assert tally.hints_used == (hints or 0)


@pytest.mark.parametrize("kind", ["project_completed", "study_session", "check_in"])
def test_only_exercises_count_as_exercises_hints_or_grades(kind) -> None:
    tally = r.tally_event(facts(kind, grade=100, hints_used=0, time_spent_seconds=600), XP)
    assert tally.exercises == 0
    assert tally.hintless_exercises == 0
    assert tally.graded_exercises == 0
    assert tally.perfect_scores == 0
    assert tally.timed_exercises == 0
    assert tally.exercise_seconds == 0
    assert tally.time_spent_seconds == 600  # any event's time counts as time spent
    assert tally.events == 1


@pytest.mark.parametrize(
    ("kind", "field"),
    [("project_completed", "projects"), ("study_session", "study_sessions")],
)
def test_projects_and_study_sessions_are_counted(kind, field) -> None:
    tally = r.tally_event(facts(kind), XP)
    assert getattr(tally, field) == 1
    assert tally.xp == r.event_xp(facts(kind), XP)


@pytest.mark.parametrize(
    ("time", "timed", "seconds"),
    [(None, 0, 0), (0, 1, 0), (45, 1, 45), (3600, 1, 3600)],
)
def test_exercise_time_is_only_counted_when_reported(time, timed, seconds) -> None:
    tally = r.tally_event(exercise(time_spent_seconds=time), XP)
    assert (tally.timed_exercises, tally.exercise_seconds) == (timed, seconds)
    assert tally.time_spent_seconds == seconds


def test_average_time_ignores_exercises_without_a_time() -> None:
    tally = r.total(r.tally_event(exercise(time_spent_seconds=t), XP) for t in (60, None, 90, None))
    assert tally.average_time_seconds == 75
    assert r.Tally().average_time_seconds is None


@pytest.mark.parametrize(
    ("grades", "average"),
    [
        ([70, 85.5], 77.75),
        ([100, 90, 95], 95),
        ([33.33, 33.33, 33.34], 33.33),
        ([1, 2, 2], 1.67),
        ([0.1, 0.2], 0.15),
        ([59.99], 59.99),
    ],
)
def test_average_grade_is_the_mean_of_graded_exercises_to_two_places(grades, average) -> None:
    tallies = [r.tally_event(exercise(grade=g), XP) for g in grades]
    tally = r.total([*tallies, r.tally_event(exercise(), XP)])  # one ungraded: not averaged
    assert tally.average_grade == pytest.approx(average, abs=1e-9)


def test_grades_are_summed_exactly_in_hundredths() -> None:
    tally = r.total(r.tally_event(exercise(grade=g), XP) for g in [0.1, 0.2, 59.99, 33.33])
    assert tally.grade_hundredths == 10 + 20 + 5999 + 3333


@pytest.mark.parametrize(
    ("hints", "per_exercise"),
    [([2, None, 1], 1.0), ([1, 0, 0], 0.33), ([3], 3.0), ([1, 1], 1.0)],
)
def test_hints_per_exercise(hints, per_exercise) -> None:
    tally = r.total(r.tally_event(exercise(hints_used=h), XP) for h in hints)
    assert tally.hints_per_exercise == pytest.approx(per_exercise, abs=1e-9)


def test_empty_tally_has_no_averages() -> None:
    empty = r.Tally()
    assert empty.average_grade is None
    assert empty.average_time_seconds is None
    assert empty.hints_per_exercise is None
    assert set(empty.grade_distribution.values()) == {0}
    assert r.total([]) == empty


facts_strategy = st.builds(
    r.EventFacts,
    kind=st.sampled_from(KINDS),
    local_date=st.integers(0, 60).map(lambda n: START + timedelta(days=n)),
    topic=st.none() | st.sampled_from(["python", "sql"]),
    grade=st.none()
    | st.integers(0, 10_000).map(lambda h: h / 100)
    | st.sampled_from([0.0, 59.99, 60.0, 89.99, 90.0, 100.0]),
    time_spent_seconds=st.none() | st.integers(0, 10_000),
    hints_used=st.none() | st.integers(0, 8),
)


@settings(deadline=None)
@given(events=st.lists(facts_strategy, max_size=40), order=st.randoms(use_true_random=False))
def test_tally_sums_do_not_depend_on_order(events, order) -> None:
    tallies = [r.tally_event(f, XP) for f in events]
    shuffled = list(tallies)
    order.shuffle(shuffled)
    assert r.total(tallies) == r.total(shuffled)
    if len(tallies) >= 3:
        a, b, c = tallies[:3]
        assert (a + b) + c == a + (b + c)
        assert a + b == b + a
    assert r.total(tallies) + r.Tally() == r.total(tallies)


@settings(deadline=None)
@given(events=st.lists(facts_strategy, max_size=40))
def test_a_total_agrees_with_the_events_it_sums(events) -> None:
    tally = r.total(r.tally_event(f, XP) for f in events)
    exercises = [f for f in events if f.kind in ("exercise_completed", "quiz_completed")]
    graded = [f.grade for f in exercises if f.grade is not None]
    reviews = [f for f in events if f.kind == "quiz_reviewed"]
    assert tally.events == len(events)
    assert tally.exercises == len(exercises)
    assert tally.quizzes == sum(f.kind == "quiz_completed" for f in events)
    assert tally.quiz_reviews == len(reviews)
    assert tally.quiz_reviews_passed == sum(bool(f.grade) for f in reviews)
    assert tally.projects == sum(f.kind == "project_completed" for f in events)
    assert tally.study_sessions == sum(f.kind == "study_session" for f in events)
    assert tally.graded_exercises == len(graded)
    assert tally.grade_hundredths == sum(round(g * 100) for g in graded)
    assert sum(tally.grade_distribution.values()) == len(graded)
    assert tally.perfect_scores == sum(g == 100 for g in graded)
    assert tally.perfect_scores <= tally.grades_90_100
    assert tally.hintless_exercises == sum(not f.hints_used for f in exercises)
    assert tally.time_spent_seconds == sum(f.time_spent_seconds or 0 for f in events)
    assert tally.xp == sum(r.event_xp(f, XP) for f in events)
    if graded:
        exact = Fraction(sum(round(g * 100) for g in graded), 100 * len(graded))
        assert abs(Fraction(tally.average_grade) - exact) <= Fraction(1, 200) + Fraction(1, 10**9)
        assert 0 <= tally.average_grade <= 100


def test_as_dict_has_every_counter() -> None:
    tally = r.tally_event(exercise(grade=90, time_spent_seconds=30), XP)
    data = tally.as_dict()
    assert set(data) == set(r.TALLY_FIELDS)
    assert r.Tally(**data) == tally


# Achievements ---------------------------------------------------------------------------------


def achievement(metric: str, threshold: int, id: str | None = None) -> Achievement:
    return Achievement(
        id=id or f"{metric.replace('_', '-')}-{threshold}",
        name="Test",
        description="A test achievement.",
        category="test",
        metric=metric,
        threshold=threshold,
        points=10,
        icon="*",
    )


STANDING = r.Standing(
    totals=r.Tally(
        exercises=12,
        projects=4,
        study_sessions=3,
        time_spent_seconds=7200,
        perfect_scores=2,
        hintless_exercises=9,
        items_completed=5,
        categories_finished=2,
        tracks_finished=1,
        quizzes=6,
        quiz_reviews=40,
        xp=600,
    ),
    bonus_xp=110,
    longest_streak=8,
    active_days=15,
    distinct_topics=3,
    top_topic_exercises=7,
)


def test_metric_values_reads_every_metric_from_the_standing() -> None:
    assert r.metric_values(STANDING, LEVELS) == {
        "exercises_completed": 12,
        "projects_completed": 4,
        "study_sessions": 3,
        "longest_streak": 8,
        "active_days": 15,
        "time_spent_seconds": 7200,
        "perfect_scores": 2,
        "hintless_exercises": 9,
        "items_completed": 5,
        "categories_finished": 2,
        "tracks_finished": 1,
        "top_topic_exercises": 7,
        "distinct_topics": 3,
        "quizzes_completed": 6,
        "quiz_reviews": 40,
        "xp": 710,  # event XP plus streak bonuses
        "level": 5,  # 710 XP: level 5 starts at 700
    }


def test_metric_values_cover_every_metric_an_achievement_may_use() -> None:
    from questpath.ruleset import METRICS

    assert set(r.metric_values(STANDING, LEVELS)) == set(METRICS)


@given(events=st.lists(facts_strategy, max_size=20), more=st.lists(facts_strategy, max_size=20))
def test_metric_values_only_grow_as_events_are_added(events, more) -> None:
    before = r.total(r.tally_event(f, XP) for f in events)
    after = before + r.total(r.tally_event(f, XP) for f in more)
    old = r.metric_values(r.Standing(before, 0, 1, 1, 1, 1), LEVELS)
    new = r.metric_values(r.Standing(after, 0, 1, 1, 1, 1), LEVELS)
    assert all(new[k] >= old[k] for k in old)


CATALOGUE = (
    achievement("exercises_completed", 10),
    achievement("exercises_completed", 12),
    achievement("exercises_completed", 13),
    achievement("level", 5),
    achievement("level", 6),
    achievement("longest_streak", 8),
    achievement("xp", 711),
)


def test_newly_unlocked_at_or_above_the_threshold() -> None:
    values = r.metric_values(STANDING, LEVELS)
    ids = [a.id for a in r.newly_unlocked(CATALOGUE, values, set())]
    assert ids == [
        "exercises-completed-10",
        "exercises-completed-12",
        "level-5",
        "longest-streak-8",
    ]


def test_newly_unlocked_never_returns_an_already_unlocked_id() -> None:
    values = r.metric_values(STANDING, LEVELS)
    unlocked = {"exercises-completed-10", "level-5"}
    ids = [a.id for a in r.newly_unlocked(CATALOGUE, values, unlocked)]
    assert ids == ["exercises-completed-12", "longest-streak-8"]


@given(
    values=st.fixed_dictionaries({m: st.integers(0, 60) for m in ("xp", "level")}),
    thresholds=st.lists(
        st.tuples(st.sampled_from(["xp", "level"]), st.integers(1, 60)),
        max_size=20,
        unique=True,
    ),
    unlocked_mask=st.lists(st.booleans(), min_size=20, max_size=20),
)
def test_newly_unlocked_is_exactly_the_locked_achievements_reached(
    values, thresholds, unlocked_mask
) -> None:
    catalogue = [achievement(m, t) for m, t in thresholds]
    unlocked = {a.id for a, u in zip(catalogue, unlocked_mask, strict=False) if u}
    result = r.newly_unlocked(catalogue, values, unlocked)
    assert not {a.id for a in result} & unlocked
    assert result == [
        a for a in catalogue if a.id not in unlocked and values[a.metric] >= a.threshold
    ]


@pytest.mark.parametrize(
    ("current", "target", "percent"),
    [
        (0, 10, 0),
        (1, 3, 33),
        (2, 3, 66),
        (9, 10, 90),
        (99, 100, 99),
        (10, 10, 100),
        (25, 10, 100),  # capped
        (0, 0, 100),
    ],
)
def test_progress_percent(current, target, percent) -> None:
    assert r.progress_percent(current, target) == percent


@given(current=st.integers(0, 10**9), target=st.integers(1, 10**9))
def test_progress_percent_is_0_to_100_and_100_only_when_reached(current, target) -> None:
    percent = r.progress_percent(current, target)
    assert 0 <= percent <= 100
    assert (percent == 100) == (current >= target)
    assert percent <= current * 100 / target


@pytest.mark.parametrize(
    ("remaining", "gained", "window", "days"),
    [
        (10, 28, 28, 10),  # one a day
        (1, 28, 28, 1),
        (10, 3, 7, 24),  # 3 a week: 23.3 days, so the 24th day
        (30, 42, 28, 20),  # 1.5 a day
        (1, 1000, 28, 1),  # reached within today's pace still means tomorrow at the earliest
        (5, 2.5, 1, 2),
    ],
)
def test_eta_is_the_first_day_the_recent_rate_reaches_the_remainder(
    remaining, gained, window, days
) -> None:
    assert r.eta(remaining, gained, window, TODAY) == TODAY + timedelta(days=days)


@pytest.mark.parametrize("remaining", [0, -5])
@pytest.mark.parametrize("gained", [0, 10])
def test_eta_is_today_when_nothing_remains(remaining, gained) -> None:
    assert r.eta(remaining, gained, 28, TODAY) == TODAY


@pytest.mark.parametrize("gained", [0, 0.0, -3])
def test_eta_is_none_without_progress(gained) -> None:
    assert r.eta(10, gained, 28, TODAY) is None


def test_eta_beyond_the_calendar_is_none() -> None:
    assert r.eta(10**12, 1, 28, TODAY) is None


@given(
    remaining=st.integers(1, 10**6),
    gained=st.integers(1, 10**4),
    window=st.integers(1, 366),
)
def test_eta_is_the_first_day_whose_pace_covers_the_remainder(remaining, gained, window) -> None:
    when = r.eta(remaining, gained, window, TODAY)
    if when is None:  # only when the date lies beyond the calendar
        assert -(-remaining * window // gained) > (date.max - TODAY).days
        return
    days = (when - TODAY).days
    assert days >= 1
    assert Fraction(gained * days, window) >= remaining
    assert Fraction(gained * (days - 1), window) < remaining


def test_achievement_eta_for_a_level_predicts_the_xp_still_needed() -> None:
    # Level 5 starts at 700 XP; 300 to go at (150 + 25) XP per 28 days = 6.25 a day: 48 days.
    gains = r.WindowGains(totals=r.Tally(xp=150), bonus_xp=25)
    values = {"xp": 400, "level": 3}
    when = r.achievement_eta(achievement("level", 5), values, 0, gains, RULES, TODAY)
    assert when == TODAY + timedelta(days=48)


def test_achievement_eta_for_a_level_already_reached_is_today() -> None:
    values = {"xp": 700, "level": 5}
    gains = r.WindowGains()
    assert r.achievement_eta(achievement("level", 5), values, 0, gains, RULES, TODAY) == TODAY


def test_achievement_eta_for_a_streak_uses_the_current_streak_and_active_days() -> None:
    # 7-day streak target, current streak 4 (the longest, 6, does not count), 14 active days in
    # 28: half a day per day, so 3 more take 6 days.
    gains = r.WindowGains(totals=r.Tally(exercises=99, xp=999), active_days=14)
    values = {"longest_streak": 6}
    when = r.achievement_eta(achievement("longest_streak", 7), values, 4, gains, RULES, TODAY)
    assert when == TODAY + timedelta(days=6)


def test_achievement_eta_for_a_streak_without_active_days_is_none() -> None:
    gains = r.WindowGains(totals=r.Tally(exercises=99), active_days=0)
    values = {"longest_streak": 6}
    assert (
        r.achievement_eta(achievement("longest_streak", 7), values, 4, gains, RULES, TODAY) is None
    )


def test_achievement_eta_for_a_count_uses_that_metrics_recent_gain() -> None:
    # 50 exercises, 20 done, 42 in the last 28 days = 1.5 a day: 30 more in 20 days.
    gains = r.WindowGains(totals=r.Tally(exercises=42, projects=1), active_days=20)
    values = {"exercises_completed": 20}
    when = r.achievement_eta(achievement("exercises_completed", 50), values, 0, gains, RULES, TODAY)
    assert when == TODAY + timedelta(days=20)


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("exercises_completed", 11),
        ("projects_completed", 2),
        ("study_sessions", 3),
        ("longest_streak", 9),
        ("active_days", 9),
        ("time_spent_seconds", 5000),
        ("perfect_scores", 4),
        ("hintless_exercises", 6),
        ("top_topic_exercises", 11),
        ("distinct_topics", 2),
        ("xp", 170),
    ],
)
def test_metric_gain_reads_the_window_growth_of_each_metric(metric, expected) -> None:
    gains = r.WindowGains(
        totals=r.Tally(
            exercises=11,
            projects=2,
            study_sessions=3,
            time_spent_seconds=5000,
            perfect_scores=4,
            hintless_exercises=6,
            xp=150,
        ),
        bonus_xp=20,
        active_days=9,
        new_topics=2,
    )
    assert r.metric_gain(metric, gains) == expected


# Periods and ranges ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "length"),
    [("daily", 1), ("weekly", 7), ("monthly", 30)],
)
@pytest.mark.parametrize("today", [TODAY, date(2026, 3, 1), date(2024, 3, 1), date(2026, 1, 3)])
def test_period_start_covers_the_last_n_days_including_today(period, length, today) -> None:
    start = r.period_start(period, today)
    assert start is not None
    assert (today - start).days + 1 == length


def test_period_start_examples() -> None:
    assert r.period_start("daily", TODAY) == TODAY
    assert r.period_start("weekly", date(2026, 3, 15)) == date(2026, 3, 9)
    assert r.period_start("monthly", date(2026, 3, 1)) == date(2026, 1, 31)
    assert r.period_start("monthly", date(2024, 3, 1)) == date(2024, 2, 1)  # leap February


def test_period_start_for_all_time_is_none() -> None:
    assert r.period_start("all", TODAY) is None


@pytest.mark.parametrize("days", [1, 2, 7, 30, 366])
def test_last_days_are_exactly_n_consecutive_dates_ending_today_oldest_first(days) -> None:
    dates = r.last_days(days, TODAY)
    assert len(dates) == days
    assert dates[-1] == TODAY
    assert all((b - a).days == 1 for a, b in pairwise(dates))


def test_last_days_example() -> None:
    assert r.last_days(3, date(2026, 3, 1)) == [
        date(2026, 2, 27),
        date(2026, 2, 28),
        date(2026, 3, 1),
    ]


def test_history_range_defaults_to_the_last_30_days() -> None:
    assert r.history_range(None, None, None, TODAY) == (TODAY - timedelta(days=29), TODAY)


@pytest.mark.parametrize("days", [1, 7, 30, 365, 366])
def test_history_range_of_n_days_ends_today_and_covers_n_days(days) -> None:
    first, last = r.history_range(days, None, None, TODAY)
    assert last == TODAY
    assert (last - first).days + 1 == days


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (TODAY, TODAY),
        (date(2026, 1, 1), date(2026, 3, 1)),
        (date(2024, 1, 1), date(2024, 12, 31)),  # 366 days, leap year
        (date(2025, 1, 1), date(2026, 1, 1)),  # 366 days
        (date(2030, 1, 1), date(2030, 2, 1)),  # in the future: not this function's concern
    ],
)
def test_history_range_returns_start_and_end_inclusive(start, end) -> None:
    assert r.history_range(None, start, end, TODAY) == (start, end)


@pytest.mark.parametrize(
    ("days", "start", "end", "field"),
    [
        (7, TODAY, TODAY, "days"),  # both forms
        (7, TODAY, None, "days"),
        (7, None, TODAY, "days"),
        (None, TODAY, None, "end_date"),  # only start: end_date is missing
        (None, None, TODAY, "start_date"),  # only end: start_date is missing
        (None, TODAY, TODAY - timedelta(days=1), "end_date"),  # end before start
        (None, date(2024, 1, 1), date(2025, 1, 1), "end_date"),  # 367 days
        (None, date(2025, 1, 1), date(2026, 1, 2), "end_date"),  # 367 days
        (0, None, None, "days"),
        (367, None, None, "days"),
        (-1, None, None, "days"),
    ],
)
def test_history_range_problems_name_the_parameter(days, start, end, field) -> None:
    with pytest.raises(r.RangeProblem) as caught:
        r.history_range(days, start, end, TODAY)
    assert caught.value.field == field
    assert caught.value.message
    assert str(caught.value).startswith(f"{field}: ")
    assert isinstance(caught.value, ValueError)


@given(days=st.integers(-1000, 1000))
def test_history_range_accepts_exactly_1_to_366_days(days) -> None:
    if 1 <= days <= 366:
        first, last = r.history_range(days, None, None, TODAY)
        assert (last - first).days + 1 == days
        assert last == TODAY
    else:
        with pytest.raises(r.RangeProblem) as caught:
            r.history_range(days, None, None, TODAY)
        assert caught.value.field == "days"


@given(offset=st.integers(-3000, 3000), length=st.integers(-5, 800))
def test_history_range_accepts_a_start_end_range_of_at_most_366_days(offset, length) -> None:
    start = TODAY + timedelta(days=offset)
    end = start + timedelta(days=length - 1)
    if 1 <= length <= 366:
        assert r.history_range(None, start, end, TODAY) == (start, end)
    else:
        with pytest.raises(r.RangeProblem) as caught:
            r.history_range(None, start, end, TODAY)
        assert caught.value.field == "end_date"


@pytest.mark.parametrize(
    ("grade", "bucket", "xp"),
    [(59.994, "0-59", 15), (59.996, "60-69", 16), (99.996, "90-100", 20)],
)
def test_a_grade_counts_to_the_hundredth_for_xp_bucket_and_average_alike(
    grade: float, bucket: str, xp: int
) -> None:
    facts = r.EventFacts("exercise_completed", date(2025, 1, 1), grade=grade)
    tally = r.tally_event(facts, XP)
    hundredths = round(grade * 100)
    assert tally.grade_hundredths == hundredths
    assert tally.grade_distribution[bucket] == 1
    assert r.event_xp(facts, XP) == xp == 10 + math.floor(hundredths / 100 / 10)
    assert tally.perfect_scores == int(hundredths == 10_000)
