"""The pure goal rules: progress, reaching a target, and the status a goal shows.

Expectations come from the goals spec: percent is whole, capped to 0..100 and grows with the
count; a goal is reached when its count meets its target, except a finish target with nothing to
finish; only an active goal strictly past its date is overdue; an achieved goal stays achieved.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.goals import rules as g
from questpath.ruleset import default_ruleset
from questpath.tracks.rules import Completion

RULES = default_ruleset()
TODAY = date(2026, 3, 15)
NON_FINISH = [t for t in g.GOAL_TYPES if t not in g.FINISH_TYPES]

goal_types = st.sampled_from(g.GOAL_TYPES)
counts = st.integers(0, 10**9)
targets = st.integers(1, 10**9)
stored_statuses = st.sampled_from(get_args(g.StoredStatus))
dates = st.dates(date(2000, 1, 1), date(2100, 12, 31))


@st.composite
def completions(draw: st.DrawFn) -> Completion:
    total = draw(st.integers(0, 500))
    done = draw(st.integers(0, total))
    skipped = draw(st.integers(0, total - done))
    in_progress = draw(st.integers(0, total - done - skipped))
    return Completion(total=total, done=done, skipped=skipped, in_progress=in_progress)


# Progress and reaching ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "target", "percent", "reached"),
    [
        (0, 10, 0, False),
        (1, 3, 33, False),  # whole percent, rounded down
        (2, 3, 66, False),
        (99, 100, 99, False),  # never 100 before the target is met
        (10, 10, 100, True),
        (15, 10, 100, True),  # capped
        (1, 1, 100, True),
        (0, 1, 0, False),
        (1, 100_000, 0, False),
    ],
)
@pytest.mark.parametrize("goal_type", g.GOAL_TYPES)
def test_progress_is_the_whole_percent_of_the_target_and_reached_at_it(
    goal_type: g.GoalType, current: int, target: int, percent: int, reached: bool
) -> None:
    assert g.progress_of(goal_type, g.Reading(current, target)) == g.GoalProgress(
        current, target, percent, reached
    )


@pytest.mark.parametrize("goal_type", NON_FINISH)
@pytest.mark.parametrize("current", [0, 1, 7])
def test_a_target_of_nothing_is_reached_at_once(goal_type: g.GoalType, current: int) -> None:
    # The first rank needs no projects: a goal to hold it is met from the start.
    assert g.progress_of(goal_type, g.Reading(current, 0)) == g.GoalProgress(current, 0, 100, True)


@pytest.mark.parametrize("goal_type", g.FINISH_TYPES)
def test_a_track_with_nothing_left_to_count_is_never_finished(goal_type: g.GoalType) -> None:
    assert g.progress_of(goal_type, g.Reading(0, 0)) == g.GoalProgress(0, 0, 0, False)


@pytest.mark.parametrize("goal_type", g.GOAL_TYPES)
def test_a_goal_whose_target_is_gone_shows_no_progress_and_is_never_reached(
    goal_type: g.GoalType,
) -> None:
    assert g.progress_of(goal_type, None) == g.GoalProgress(0, 0, 0, False) == g.GONE


def test_a_negative_count_is_read_as_zero() -> None:
    assert g.progress_of("streak", g.Reading(-3, 5)) == g.GoalProgress(0, 5, 0, False)


@given(goal_type=goal_types, current=counts, target=st.integers(0, 10**9))
def test_percent_stays_between_0_and_100(goal_type: g.GoalType, current: int, target: int) -> None:
    assert 0 <= g.progress_of(goal_type, g.Reading(current, target)).percent <= 100


@given(goal_type=goal_types, current=counts, target=targets)
def test_percent_is_the_whole_part_of_current_over_target_capped_at_100(
    goal_type: g.GoalType, current: int, target: int
) -> None:
    expected = min(100, math.floor(Fraction(current, target) * 100))
    assert g.progress_of(goal_type, g.Reading(current, target)).percent == expected


@given(goal_type=goal_types, a=counts, b=counts, target=st.integers(0, 10**9))
def test_more_done_never_shows_less_progress(
    goal_type: g.GoalType, a: int, b: int, target: int
) -> None:
    low, high = sorted((a, b))
    before = g.progress_of(goal_type, g.Reading(low, target))
    after = g.progress_of(goal_type, g.Reading(high, target))
    assert before.percent <= after.percent
    assert not before.reached or after.reached


@given(goal_type=goal_types, current=counts, target=targets)
def test_a_goal_is_reached_exactly_when_its_count_meets_its_target(
    goal_type: g.GoalType, current: int, target: int
) -> None:
    measured = g.progress_of(goal_type, g.Reading(current, target))
    assert measured.reached == (current >= target)
    assert (measured.percent == 100) == measured.reached


@given(goal_type=st.sampled_from(NON_FINISH), current=counts, target=st.integers(0, 10**9))
def test_other_than_finishing_a_track_reached_means_count_at_least_target(
    goal_type: g.GoalType, current: int, target: int
) -> None:
    assert g.progress_of(goal_type, g.Reading(current, target)).reached == (current >= target)


# Readings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "baseline", "current"),
    [(0, 0, 0), (5, 5, 0), (8, 5, 3), (5, 8, 0), (100, 0, 100)],
)
def test_exercise_goals_count_only_exercises_completed_after_they_were_set(
    now: int, baseline: int, current: int
) -> None:
    assert g.exercises_reading(now, baseline, 10) == g.Reading(current, 10)


@given(baseline=counts, done=counts, more=counts, count=targets)
def test_exercise_goal_progress_grows_with_each_new_exercise(
    baseline: int, done: int, more: int, count: int
) -> None:
    before = g.exercises_reading(baseline + done, baseline, count)
    after = g.exercises_reading(baseline + done + more, baseline, count)
    assert before == g.Reading(done, count)
    assert after.current - before.current == more


def test_a_streak_goal_reads_the_current_streak_in_days() -> None:
    assert g.streak_reading(4, 7) == g.Reading(4, 7)


@pytest.mark.parametrize(
    ("rank", "projects", "reading"),
    [
        ("novice", 0, g.Reading(0, 0)),
        ("competent", 1, g.Reading(1, 3)),
        ("competent", 3, g.Reading(3, 3)),
        ("proficient", 4, g.Reading(4, 6)),
        ("expert", 12, g.Reading(12, 10)),
        ("grandmaster", 12, None),  # not a rank (any more): the goal shows no progress
    ],
)
def test_a_rank_goal_counts_projects_against_the_projects_the_rank_needs(
    rank: str, projects: int, reading: g.Reading | None
) -> None:
    assert g.rank_reading(projects, rank, RULES.ranks) == reading


@pytest.mark.parametrize(
    ("level_now", "level", "reading"),
    [
        (None, "intermediate", g.Reading(0, 1)),  # a topic never practised stands at the base
        ("beginner", "intermediate", g.Reading(0, 1)),
        ("intermediate", "intermediate", g.Reading(1, 1)),
        ("intermediate", "expert", g.Reading(1, 3)),
        ("advanced", "expert", g.Reading(2, 3)),
        ("expert", "advanced", g.Reading(3, 2)),
        ("wizard", "advanced", g.Reading(0, 2)),  # a level the rules no longer know
        ("expert", "wizard", None),
    ],
)
def test_a_skill_level_goal_counts_levels_climbed_on_the_ladder(
    level_now: str | None, level: str, reading: g.Reading | None
) -> None:
    assert g.skill_level_reading(level_now, level, RULES.skill_levels) == reading


@given(
    now=st.sampled_from([None, *RULES.skill_levels.names]),
    level=st.sampled_from([rule.name for rule in RULES.skill_levels.levels]),
)
def test_a_skill_level_goal_is_reached_at_that_level_or_above(now: str | None, level: str) -> None:
    names = RULES.skill_levels.names
    reading = g.skill_level_reading(now, level, RULES.skill_levels)
    reached = g.progress_of("skill_level", reading).reached
    assert reached == (now is not None and names.index(now) >= names.index(level))


@pytest.mark.parametrize(
    ("completion", "reading"),
    [
        (Completion(total=4, done=1), g.Reading(1, 4)),
        (Completion(total=4, done=1, skipped=2), g.Reading(1, 2)),  # skipped items do not count
        (Completion(total=3, done=3), g.Reading(3, 3)),
        (Completion(total=2, skipped=2), g.Reading(0, 0)),
        (Completion(), g.Reading(0, 0)),
        (None, None),  # the track or category was deleted
    ],
)
def test_a_finish_goal_counts_done_items_against_the_items_that_count(
    completion: Completion | None, reading: g.Reading | None
) -> None:
    assert g.finish_reading(completion) == reading


@given(completion=completions(), goal_type=st.sampled_from(g.FINISH_TYPES))
def test_a_finish_goal_is_reached_exactly_when_the_track_is_finished(
    completion: Completion, goal_type: g.GoalType
) -> None:
    measured = g.progress_of(goal_type, g.finish_reading(completion))
    assert measured.reached == completion.finished
    assert (measured.current, measured.target) == (completion.done, completion.counted)
    if completion.counted:
        assert measured.percent == completion.percent


# Status ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "target_date", "shown"),
    [
        ("active", None, "active"),
        ("active", TODAY + timedelta(days=1), "active"),
        ("active", TODAY, "active"),  # the target date itself is still in time
        ("active", TODAY - timedelta(days=1), "overdue"),
        ("active", TODAY - timedelta(days=400), "overdue"),
        ("achieved", TODAY - timedelta(days=1), "achieved"),
        ("abandoned", TODAY - timedelta(days=1), "abandoned"),
        ("achieved", None, "achieved"),
        ("abandoned", TODAY, "abandoned"),
    ],
)
def test_only_an_active_goal_past_its_date_is_overdue(
    stored: g.StoredStatus, target_date: date | None, shown: g.Status
) -> None:
    assert g.status_on(stored, target_date, TODAY) == shown


@given(stored=stored_statuses, target_date=st.none() | dates, today=dates)
def test_overdue_means_active_and_strictly_past_the_date(
    stored: g.StoredStatus, target_date: date | None, today: date
) -> None:
    shown = g.status_on(stored, target_date, today)
    overdue = stored == "active" and target_date is not None and today > target_date
    assert shown == ("overdue" if overdue else stored)
    assert shown in g.STATUSES


@pytest.mark.parametrize(
    ("stored", "requested"),
    [
        ("active", "abandoned"),
        ("abandoned", "active"),
        ("active", "active"),
        ("abandoned", "abandoned"),
    ],
)
def test_a_learner_moves_goals_between_active_and_abandoned(
    stored: g.StoredStatus, requested: g.ChosenStatus
) -> None:
    assert g.status_change_problem(stored, requested) is None


@pytest.mark.parametrize(
    ("requested", "verb"), [("active", "reopened"), ("abandoned", "abandoned")]
)
def test_an_achieved_goal_stays_achieved(requested: g.ChosenStatus, verb: str) -> None:
    problem = g.status_change_problem("achieved", requested)
    assert problem is not None
    assert verb in problem
