"""Pure progress rules: XP, levels, ranks, streaks, skill levels, achievements, predictions.

No database, no clock: callers pass the facts, `today` and the rules in. The incremental path
(projections.py) and the full recomputation (replay.py) both use these functions, which is what
makes `questpath verify` meaningful.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, timedelta

from questpath.progress.vacations import NO_VACATIONS, VacationDays
from questpath.ruleset import (
    Achievement,
    LevelRules,
    Rank,
    Ruleset,
    SkillLevelRules,
    StreakRules,
    XpRules,
)

GRADE_BUCKETS = ((0, 59), (60, 69), (70, 79), (80, 89), (90, 100))


@dataclass(frozen=True)
class EventFacts:
    """What the rules need to know about one event."""

    kind: str
    local_date: date
    topic: str | None = None
    grade: float | None = None
    time_spent_seconds: int | None = None
    hints_used: int | None = None


@dataclass(frozen=True)
class Tally:
    """Additive counters: one event's contribution, or the sum over a day, a topic or all time.

    Grades are summed in hundredths of a point, as integers, so a sum never depends on the order
    the events arrived in.
    """

    events: int = 0
    exercises: int = 0
    projects: int = 0
    study_sessions: int = 0
    time_spent_seconds: int = 0
    exercise_seconds: int = 0
    timed_exercises: int = 0
    graded_exercises: int = 0
    grade_hundredths: int = 0
    hints_used: int = 0
    perfect_scores: int = 0
    hintless_exercises: int = 0
    items_completed: int = 0
    categories_finished: int = 0
    tracks_finished: int = 0
    quizzes: int = 0
    quiz_reviews: int = 0
    quiz_reviews_passed: int = 0
    grades_0_59: int = 0
    grades_60_69: int = 0
    grades_70_79: int = 0
    grades_80_89: int = 0
    grades_90_100: int = 0
    # From the events themselves, and on day rows and totals the day's capped review XP
    # (`review_xp`); streak bonuses are kept apart.
    xp: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(*map(operator.add, _tally_values(self), _tally_values(other)))

    def __sub__(self, other: Tally) -> Tally:
        return Tally(*map(operator.sub, _tally_values(self), _tally_values(other)))

    def as_dict(self) -> dict[str, int]:
        return dict(zip(TALLY_FIELDS, _tally_values(self), strict=True))

    @property
    def average_grade(self) -> float | None:
        if not self.graded_exercises:
            return None
        return round(self.grade_hundredths / self.graded_exercises / 100, 2)

    @property
    def average_time_seconds(self) -> float | None:
        if not self.timed_exercises:
            return None
        return round(self.exercise_seconds / self.timed_exercises, 2)

    @property
    def hints_per_exercise(self) -> float | None:
        return round(self.hints_used / self.exercises, 2) if self.exercises else None

    @property
    def grade_distribution(self) -> dict[str, int]:
        counts = (
            self.grades_0_59,
            self.grades_60_69,
            self.grades_70_79,
            self.grades_80_89,
            self.grades_90_100,
        )
        return {f"{low}-{high}": n for (low, high), n in zip(GRADE_BUCKETS, counts, strict=True)}


TALLY_FIELDS = tuple(f.name for f in fields(Tally))
_tally_values = operator.attrgetter(*TALLY_FIELDS)  # every counter as a tuple, in C


def total(tallies: Iterable[Tally]) -> Tally:
    return sum(tallies, Tally())


def counted_grade(grade: float) -> float:
    """Grades count to the hundredth of a point, for XP, buckets and averages alike."""
    return round(grade, 2)


# A quiz is a graded exercise in its topic: it earns XP, moves skill levels and counts towards
# exercise achievements the same way, and is counted as a quiz besides.
GRADED_KINDS = ("exercise_completed", "quiz_completed")


def event_xp(facts: EventFacts, xp: XpRules) -> int:
    """The XP an event earns by itself. Reviews earn theirs per day (`review_xp`)."""
    if facts.kind in GRADED_KINDS:
        grade = counted_grade(facts.grade) if facts.grade is not None else 0
        grade_bonus = math.floor(grade / xp.exercise_grade_step)
        earned = xp.exercise_base + grade_bonus - xp.exercise_hint_penalty * (facts.hints_used or 0)
        return max(xp.exercise_minimum, earned)
    if facts.kind == "project_completed":
        return xp.project
    if facts.kind == "study_session":
        full_steps = (facts.time_spent_seconds or 0) // xp.study_session_seconds_per_xp
        return min(xp.study_session_maximum, full_steps)
    if facts.kind == "item_completed":
        return xp.item
    if facts.kind == "category_finished":
        return xp.category_finished
    if facts.kind == "track_finished":
        return xp.track_finished
    return 0


def review_xp(reviews: int, xp: XpRules) -> int:
    """The XP a local day's reviews earn together: so much each, up to a daily maximum."""
    return min(reviews * xp.quiz_review, xp.quiz_review_daily_maximum)


def review_passed(grade: float | None) -> bool:
    """A review is recorded with grade 100 when recalled and 0 when forgotten."""
    return bool(grade)


def _grade_bucket(grade: float) -> str:
    points = math.floor(grade)
    low, high = next((lo, hi) for lo, hi in GRADE_BUCKETS if points <= hi)
    return f"grades_{low}_{high}"


_KIND_COUNTERS = {
    "project_completed": "projects",
    "study_session": "study_sessions",
    "item_completed": "items_completed",
    "category_finished": "categories_finished",
    "track_finished": "tracks_finished",
}


def tally_event(facts: EventFacts, xp: XpRules) -> Tally:
    """One event's contribution to every counter it touches."""
    counts: dict[str, int] = {
        "events": 1,
        "time_spent_seconds": facts.time_spent_seconds or 0,
        "xp": event_xp(facts, xp),
    }
    if facts.kind in _KIND_COUNTERS:
        counts[_KIND_COUNTERS[facts.kind]] = 1
    elif facts.kind == "quiz_reviewed":
        counts["quiz_reviews"] = 1
        counts["quiz_reviews_passed"] = int(review_passed(facts.grade))
    elif facts.kind in GRADED_KINDS:
        counts["quizzes"] = int(facts.kind == "quiz_completed")
        counts["exercises"] = 1
        counts["hints_used"] = facts.hints_used or 0
        counts["hintless_exercises"] = int(not facts.hints_used)
        if facts.time_spent_seconds is not None:
            counts["exercise_seconds"] = facts.time_spent_seconds
            counts["timed_exercises"] = 1
        if facts.grade is not None:
            grade = counted_grade(facts.grade)
            counts["graded_exercises"] = 1
            counts["grade_hundredths"] = round(grade * 100)
            counts["perfect_scores"] = int(grade == 100)
            counts[_grade_bucket(grade)] = 1
    return Tally(**counts)


# Periods --------------------------------------------------------------------------------------

PERIOD_DAYS = {"daily": 1, "weekly": 7, "monthly": 30}
MAX_HISTORY_DAYS = 366


def period_start(period: str, today: date) -> date | None:
    """The first local date of `period` ending `today`; None for all time."""
    if period == "all":
        return None
    return today - timedelta(days=PERIOD_DAYS[period] - 1)


def last_days(days: int, today: date) -> list[date]:
    """The `days` local dates ending `today`, oldest first."""
    return [today - timedelta(days=n) for n in range(days - 1, -1, -1)]


class RangeProblem(ValueError):
    """A date range a client asked for that cannot be served; names the parameter at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def history_range(
    days: int | None, start: date | None, end: date | None, today: date, default_days: int = 30
) -> tuple[date, date]:
    """The inclusive local-date range of a history request: either the last `days` days, or
    `start`..`end`, at most MAX_HISTORY_DAYS long."""
    if days is not None and (start is not None or end is not None):
        raise RangeProblem("days", "give either days or start_date and end_date, not both")
    if (start is None) != (end is None):
        missing = "end_date" if end is None else "start_date"
        raise RangeProblem(
            missing, "is required with " + ("start_date" if end is None else "end_date")
        )
    if start is not None and end is not None:
        if end < start:
            raise RangeProblem("end_date", "must not be before start_date")
        if (end - start).days + 1 > MAX_HISTORY_DAYS:
            raise RangeProblem("end_date", f"the range may cover at most {MAX_HISTORY_DAYS} days")
        return start, end
    days = default_days if days is None else days
    if not 1 <= days <= MAX_HISTORY_DAYS:
        raise RangeProblem("days", f"must be between 1 and {MAX_HISTORY_DAYS}")
    return today - timedelta(days=days - 1), today


# Levels ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelInfo:
    level: int
    xp_at_level_start: int
    xp_at_next_level: int

    def xp_to_next_level(self, xp: int) -> int:
        return self.xp_at_next_level - xp


def xp_for_level(level: int, rules: LevelRules) -> int:
    """Total XP at which `level` starts: level 1 at 0, each step costing `cost_increase` more."""
    steps = level - 1
    return steps * rules.first_level_cost + rules.cost_increase * steps * (steps - 1) // 2


def level_for_xp(xp: int, rules: LevelRules) -> LevelInfo:
    xp = max(xp, 0)
    # Solve xp_for_level(n) <= xp for the largest n, then correct any floating-point rounding.
    a, b = rules.cost_increase / 2, rules.first_level_cost - rules.cost_increase / 2
    level = 1 + int((-b + math.sqrt(b * b + 4 * a * max(xp, 0))) / (2 * a))
    while xp_for_level(level, rules) > xp:
        level -= 1
    while xp_for_level(level + 1, rules) <= xp:
        level += 1
    return LevelInfo(level, xp_for_level(level, rules), xp_for_level(level + 1, rules))


# Ranks ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankStanding:
    rank: Rank
    next_rank: Rank | None
    projects_missing: int


def rank_for(projects_completed: int, ranks: tuple[Rank, ...]) -> RankStanding:
    index = max(i for i, rank in enumerate(ranks) if rank.min_projects <= projects_completed)
    following = ranks[index + 1] if index + 1 < len(ranks) else None
    missing = following.min_projects - projects_completed if following else 0
    return RankStanding(ranks[index], following, missing)


# Streaks --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StreakState:
    """The streak as it stood at the end of the last active local date."""

    last_date: date | None = None
    run: int = 0
    freezes: int = 0


@dataclass(frozen=True)
class StreakDay:
    """How one active date stands in its streak, and what it cost or earned."""

    date: date
    streak: int
    freezes: int  # held at the end of the day
    freezes_spent: int  # on the missed days just before it
    bonus_xp: int

    @property
    def state(self) -> StreakState:
        return StreakState(self.date, self.streak, self.freezes)


def extend_streak(
    state: StreakState,
    dates: Iterable[date],
    streaks: StreakRules,
    xp: XpRules,
    vacations: VacationDays = NO_VACATIONS,
) -> list[StreakDay]:
    """Walk the active dates after `state.last_date`, in ascending order.

    A missed day is covered by a held freeze, which is then spent; when no freeze is left the
    streak breaks and the next active date starts a new one. A vacation day is not missed: it
    neither spends a freeze nor breaks the streak (nor lengthens it). Each multiple of
    `freeze_every_days` in a streak earns a freeze, up to `max_freezes` held.
    """
    days = []
    last, run, freezes = state.last_date, state.run, state.freezes
    for day in dates:
        if last is not None and day <= last:
            raise ValueError(f"{day} is not after {last}: dates must ascend past the state")
        missed = (day - last).days - 1 - vacations.between(last, day) if last is not None else 0
        spent = min(missed, freezes)
        freezes -= spent
        run = run + 1 if last is not None and missed == spent else 1
        if run % streaks.freeze_every_days == 0:
            freezes = min(streaks.max_freezes, freezes + 1)
        bonus = xp.streak_bonus if run >= xp.streak_bonus_minimum_length else 0
        days.append(StreakDay(day, run, freezes, spent, bonus))
        last = day
    return days


@dataclass(frozen=True)
class StreakNow:
    current: int
    freezes: int


def streak_on(state: StreakState, today: date, vacations: VacationDays = NO_VACATIONS) -> StreakNow:
    """The streak as seen on `today`: alive while every missed day since can still be covered.

    Today not being active yet breaks nothing, and vacation days are not missed. Freezes that
    the missed days will use are already counted as spent.
    """
    if state.last_date is None:
        return StreakNow(0, 0)
    gap = (today - state.last_date).days - 1
    missed = max(0, gap - vacations.between(state.last_date, today))
    if missed > state.freezes:
        return StreakNow(0, 0)
    return StreakNow(state.run, state.freezes - missed)


def streak_status(day: StreakDay, already_active: bool) -> str:
    """How a check-in on `day` changed the streak."""
    if already_active:
        return "maintained"
    if day.streak == 1:
        return "started"
    return "restored_by_freeze" if day.freezes_spent else "incremented"


# Skill levels ---------------------------------------------------------------------------------


def skill_level_for(exercises: int, average_grade: float | None, rules: SkillLevelRules) -> str:
    level = rules.base_level
    for rule in rules.levels:
        if exercises >= rule.min_exercises and (average_grade or 0) >= rule.min_average_grade:
            level = rule.name
    return level


def next_skill_level(level: str, rules: SkillLevelRules) -> tuple[str, int, float] | None:
    """The level after `level` and its (min_exercises, min_average_grade), or None at the top."""
    names = rules.names
    position = names.index(level) if level in names else 0
    if position + 1 >= len(names):
        return None
    rule = rules.levels[position]
    return rule.name, rule.min_exercises, rule.min_average_grade


# Achievements ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """Everything the achievement metrics are read from."""

    totals: Tally
    bonus_xp: int
    longest_streak: int
    active_days: int
    distinct_topics: int
    top_topic_exercises: int

    @property
    def xp(self) -> int:
        return self.totals.xp + self.bonus_xp


def metric_values(standing: Standing, levels: LevelRules) -> dict[str, int]:
    """Every achievement metric. Each only ever grows as events are added."""
    totals = standing.totals
    return {
        "exercises_completed": totals.exercises,
        "projects_completed": totals.projects,
        "study_sessions": totals.study_sessions,
        "longest_streak": standing.longest_streak,
        "active_days": standing.active_days,
        "time_spent_seconds": totals.time_spent_seconds,
        "perfect_scores": totals.perfect_scores,
        "hintless_exercises": totals.hintless_exercises,
        "items_completed": totals.items_completed,
        "categories_finished": totals.categories_finished,
        "tracks_finished": totals.tracks_finished,
        "top_topic_exercises": standing.top_topic_exercises,
        "distinct_topics": standing.distinct_topics,
        "quizzes_completed": totals.quizzes,
        "quiz_reviews": totals.quiz_reviews,
        "xp": standing.xp,
        "level": level_for_xp(standing.xp, levels).level,
    }


def newly_unlocked(
    catalogue: Iterable[Achievement], values: Mapping[str, int], unlocked: set[str]
) -> list[Achievement]:
    return [a for a in catalogue if a.id not in unlocked and values[a.metric] >= a.threshold]


def progress_percent(current: int, target: int) -> int:
    return max(0, min(100, current * 100 // target)) if target > 0 else 100


def eta(remaining: int, gained_in_window: float, window_days: int, today: date) -> date | None:
    """When `remaining` more is reached at the rate of the last `window_days`; None at rate 0."""
    if remaining <= 0:
        return today
    if gained_in_window <= 0:
        return None
    days = math.ceil(remaining * window_days / gained_in_window)
    try:
        return today + timedelta(days=days)
    except OverflowError:
        return None  # further away than the calendar goes: no useful date


@dataclass(frozen=True)
class WindowGains:
    """How much each metric grew over the prediction window, from the day and topic rollups."""

    totals: Tally = field(default_factory=Tally)
    bonus_xp: int = 0
    active_days: int = 0
    new_topics: int = 0


def metric_gain(metric: str, gains: WindowGains) -> int:
    """A metric's growth over the window: the rate its ETA extrapolates.

    A streak grows by at most one a day, so streak lengths use the number of active days. The
    top topic is assumed to take all recent exercises.
    """
    t = gains.totals
    by_metric = {
        "exercises_completed": t.exercises,
        "projects_completed": t.projects,
        "study_sessions": t.study_sessions,
        "longest_streak": gains.active_days,
        "active_days": gains.active_days,
        "time_spent_seconds": t.time_spent_seconds,
        "perfect_scores": t.perfect_scores,
        "hintless_exercises": t.hintless_exercises,
        "items_completed": t.items_completed,
        "categories_finished": t.categories_finished,
        "tracks_finished": t.tracks_finished,
        "top_topic_exercises": t.exercises,
        "distinct_topics": gains.new_topics,
        "quizzes_completed": t.quizzes,
        "quiz_reviews": t.quiz_reviews,
        "xp": t.xp + gains.bonus_xp,
    }
    return by_metric[metric]


def achievement_eta(
    achievement: Achievement,
    values: Mapping[str, int],
    current_streak: int,
    gains: WindowGains,
    ruleset: Ruleset,
    today: date,
) -> date | None:
    """When a locked achievement should unlock at the learner's recent pace."""
    window = ruleset.predictions.window_days
    if achievement.metric == "level":
        # Levels cost more as they rise: predict the XP still needed, not the level count.
        needed = xp_for_level(achievement.threshold, ruleset.levels) - values["xp"]
        return eta(needed, gains.totals.xp + gains.bonus_xp, window, today)
    if achievement.metric == "longest_streak":
        # Only the streak running now can reach the target.
        needed = achievement.threshold - current_streak
        return eta(needed, gains.active_days, window, today)
    needed = achievement.threshold - values[achievement.metric]
    return eta(needed, metric_gain(achievement.metric, gains), window, today)
