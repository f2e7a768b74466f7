"""A learner's projections as plain values, and the two pure ways to compute them.

`advance` is the incremental path: the rows an event batch touches, before, plus the batch give
the rows after. `recompute` is the proof: the same rows from the whole log at once, written
independently so that `questpath verify` compares two computations rather than one with itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from questpath.progress import rules
from questpath.progress.periods import ALL_TIME, PeriodKey, dated_periods, dated_xp
from questpath.progress.vacations import (
    NO_VACATIONS,
    Vacation,
    VacationDays,
    first_changed_day,
)
from questpath.ruleset import Achievement, Ruleset

TopicDay = tuple[date, str]


@dataclass(frozen=True)
class DayRow:
    tally: rules.Tally
    streak: rules.StreakDay

    @property
    def xp(self) -> int:
        """The day's XP: its events' and reviews', and its streak bonus."""
        return self.tally.xp + self.streak.bonus_xp


@dataclass(frozen=True)
class TopicRow:
    tally: rules.Tally
    first_exercise_date: date | None
    level: str
    previous_level: str | None = None
    level_updated_at: datetime | None = None


@dataclass(frozen=True)
class Totals:
    tally: rules.Tally = field(default_factory=rules.Tally)
    bonus_xp: int = 0
    active_days: int = 0
    longest_streak: int = 0
    streak: rules.StreakState = field(default_factory=rules.StreakState)
    distinct_topics: int = 0
    top_topic_exercises: int = 0

    def standing(self) -> rules.Standing:
        return rules.Standing(
            totals=self.tally,
            bonus_xp=self.bonus_xp,
            longest_streak=self.longest_streak,
            active_days=self.active_days,
            distinct_topics=self.distinct_topics,
            top_topic_exercises=self.top_topic_exercises,
        )


@dataclass(frozen=True)
class Projection:
    """Every projection row of one learner."""

    totals: Totals
    days: dict[date, DayRow]
    topics: dict[str, TopicRow]
    topic_days: dict[TopicDay, rules.Tally]
    achievements: dict[str, date]  # unlocked id -> the local date the log reached it
    vacations: dict[str, Vacation] = field(default_factory=dict)
    periods: dict[PeriodKey, int] = field(default_factory=dict)  # XP by week, month, all time


@dataclass(frozen=True)
class Changes:
    """What a batch of new events changes: the rows to write and what it unlocked."""

    totals: Totals
    days: dict[date, DayRow]
    topics: dict[str, TopicRow]
    topic_days: dict[TopicDay, rules.Tally]
    new_dates: list[date]
    unlocked: list[Achievement]
    before: Totals = field(default_factory=Totals)  # the totals the batch started from


@dataclass
class Rollup:
    """Tallies of a set of events by day, topic and topic-day."""

    total: rules.Tally = field(default_factory=rules.Tally)
    days: dict[date, rules.Tally] = field(default_factory=lambda: defaultdict(rules.Tally))
    topics: dict[str, rules.Tally] = field(default_factory=lambda: defaultdict(rules.Tally))
    topic_days: dict[TopicDay, rules.Tally] = field(
        default_factory=lambda: defaultdict(rules.Tally)
    )
    first_exercise: dict[str, date] = field(default_factory=dict)

    def add(self, facts: rules.EventFacts, ruleset: Ruleset) -> None:
        tally = rules.tally_event(facts, ruleset.xp)
        self.total += tally
        self.days[facts.local_date] += tally
        if facts.topic is not None:
            self.topics[facts.topic] += tally
            self.topic_days[(facts.local_date, facts.topic)] += tally
            if tally.exercises:
                first = self.first_exercise.get(facts.topic, facts.local_date)
                self.first_exercise[facts.topic] = min(first, facts.local_date)


def day_addition(before: rules.Tally, added: rules.Tally, ruleset: Ruleset) -> rules.Tally:
    """`added` as it adds to a day that held `before`: with the review XP its reviews earn
    there, which the daily maximum caps, whatever order the reviews arrived in."""
    reviews = before.quiz_reviews
    earned = rules.review_xp(reviews + added.quiz_reviews, ruleset.xp) - rules.review_xp(
        reviews, ruleset.xp
    )
    return added + rules.Tally(xp=earned) if earned else added


def rows_needed(
    totals: Totals, facts: Iterable[rules.EventFacts], since: date | None = None
) -> tuple[set[date], date | None]:
    """The day rows `advance` must see: the batch's dates, and when the batch (or a change of
    vacation days from `since` on) reaches back before the last active date, every row from the
    earliest such date on (returned as that date)."""
    dates = {f.local_date for f in facts}
    last = totals.streak.last_date
    earliest = min([*dates, *([since] if since else [])], default=None)
    if last is None or earliest is None or earliest > last:
        return dates, None
    return dates, earliest


def restreak_from(
    totals: Totals, before: Mapping[str, Vacation], after: Mapping[str, Vacation]
) -> date | None:
    """The first day whose streak a change of vacations from `before` to `after` may move, when
    it may move any: only active days after a changed vacation day can."""
    changed = first_changed_day(before, after)
    last = totals.streak.last_date
    if changed is None or last is None or changed > last:
        return None
    return changed


def advance(
    totals: Totals,
    days: Mapping[date, DayRow],
    topics: Mapping[str, TopicRow],
    topic_days: Mapping[TopicDay, rules.Tally],
    unlocked: set[str],
    facts: list[rules.EventFacts],
    ruleset: Ruleset,
    now: datetime,
    vacations: VacationDays = NO_VACATIONS,
    since: date | None = None,
) -> Changes:
    """The rows after `facts`, from the rows before.

    `days` holds the existing rows among the batch's dates; when the batch reaches back before
    the last active date, also every later row and the latest row before its earliest date (see
    `rows_needed`): an event for a past day can lengthen every streak after it. `vacations` are
    the learner's vacation days after the batch; `since` is the first day whose coverage the
    batch changed, if it changed any: the streaks after it are walked again.
    """
    batch = Rollup()
    for f in facts:
        batch.add(f, ruleset)

    added = {
        d: day_addition(days[d].tally if d in days else rules.Tally(), tally, ruleset)
        for d, tally in batch.days.items()
    }
    new_dates = sorted(d for d in batch.days if d not in days)
    changed_days = _restreak(totals, days, new_dates, ruleset, vacations, since)
    day_rows = {}
    for d in batch.days.keys() | changed_days.keys():
        tally = days[d].tally + added.get(d, rules.Tally()) if d in days else added[d]
        day_rows[d] = DayRow(tally, changed_days[d] if d in changed_days else days[d].streak)

    topic_rows, distinct_topics, top_topic = _advance_topics(totals, topics, batch, ruleset, now)

    bonus_delta = sum(
        s.bonus_xp - (days[d].streak.bonus_xp if d in days else 0) for d, s in changed_days.items()
    )
    chain_end = max(changed_days, default=None)
    keeps_state = chain_end is None or (totals.streak.last_date or date.min) > chain_end
    after = replace(
        totals,
        tally=totals.tally + rules.total(added.values()),
        bonus_xp=totals.bonus_xp + bonus_delta,
        active_days=totals.active_days + len(new_dates),
        longest_streak=max([totals.longest_streak, *(s.streak for s in changed_days.values())]),
        streak=totals.streak if keeps_state else changed_days[max(changed_days)].state,
        distinct_topics=distinct_topics,
        top_topic_exercises=top_topic,
    )
    values = rules.metric_values(after.standing(), ruleset.levels)
    return Changes(
        totals=after,
        days=day_rows,
        topics=topic_rows,
        topic_days={
            key: topic_days.get(key, rules.Tally()) + tally
            for key, tally in batch.topic_days.items()
        },
        new_dates=new_dates,
        unlocked=rules.newly_unlocked(ruleset.achievements, values, unlocked),
        before=totals,
    )


def _restreak(
    totals: Totals,
    days: Mapping[date, DayRow],
    new_dates: list[date],
    ruleset: Ruleset,
    vacations: VacationDays,
    since: date | None,
) -> dict[date, rules.StreakDay]:
    """The streak of every day the new dates (or vacation days changed from `since` on) change:
    the new dates themselves and, for a date before the last active one, every later day whose
    streak moves."""
    first = min([*new_dates[:1], *([since] if since else [])], default=None)
    if first is None:
        return {}
    last = totals.streak.last_date
    if last is None or first > last:
        chain = rules.extend_streak(
            totals.streak, new_dates, ruleset.streaks, ruleset.xp, vacations
        )
        return {s.date: s for s in chain}
    earlier = [d for d in days if d < first]
    start = days[max(earlier)].streak.state if earlier else rules.StreakState()
    later = sorted({*new_dates, *(d for d in days if d >= first)})
    chain = rules.extend_streak(start, later, ruleset.streaks, ruleset.xp, vacations)
    return {s.date: s for s in chain if s.date not in days or days[s.date].streak != s}


def _advance_topics(
    totals: Totals,
    topics: Mapping[str, TopicRow],
    batch: Rollup,
    ruleset: Ruleset,
    now: datetime,
) -> tuple[dict[str, TopicRow], int, int]:
    rows = {}
    distinct, top = totals.distinct_topics, totals.top_topic_exercises
    for topic, tally in batch.topics.items():
        before = topics.get(topic) or TopicRow(rules.Tally(), None, ruleset.skill_levels.base_level)
        combined = before.tally + tally
        firsts = (before.first_exercise_date, batch.first_exercise.get(topic))
        level = rules.skill_level_for(
            combined.exercises, combined.average_grade, ruleset.skill_levels
        )
        changed = level != before.level
        rows[topic] = TopicRow(
            combined,
            min((d for d in firsts if d), default=None),
            level,
            before.level if changed else before.previous_level,
            now if changed else before.level_updated_at,
        )
        if combined.exercises and not before.tally.exercises:
            distinct += 1
        top = max(top, combined.exercises)
    return rows, distinct, top


def recompute(
    facts: Iterable[rules.EventFacts], ruleset: Ruleset, vacations: VacationDays = NO_VACATIONS
) -> Projection:
    """Every projection row from the whole log, in any order; `vacations` are the days the
    log's vacation events cover."""
    rollup = Rollup()
    for f in facts:
        rollup.add(f, ruleset)
    return project(rollup, ruleset, vacations)


def project(rollup: Rollup, ruleset: Ruleset, vacations: VacationDays = NO_VACATIONS) -> Projection:
    """Every projection row from the tallies of a learner's whole log."""
    chain = rules.extend_streak(
        rules.StreakState(), sorted(rollup.days), ruleset.streaks, ruleset.xp, vacations
    )
    days = {
        s.date: DayRow(day_addition(rules.Tally(), rollup.days[s.date], ruleset), s) for s in chain
    }
    topics = {
        topic: TopicRow(
            tally,
            rollup.first_exercise.get(topic),
            rules.skill_level_for(tally.exercises, tally.average_grade, ruleset.skill_levels),
        )
        for topic, tally in rollup.topics.items()
    }
    totals = Totals(
        tally=rules.total(row.tally for row in days.values()),
        bonus_xp=sum(s.bonus_xp for s in chain),
        active_days=len(chain),
        longest_streak=max((s.streak for s in chain), default=0),
        streak=chain[-1].state if chain else rules.StreakState(),
        distinct_topics=sum(1 for t in rollup.topics.values() if t.exercises),
        top_topic_exercises=max((t.exercises for t in rollup.topics.values()), default=0),
    )
    achievements = unlock_dates(Prefix(), days, rollup.topic_days, ruleset)
    return Projection(
        totals, days, topics, dict(rollup.topic_days), achievements, periods=periods_of(days)
    )


def periods_of(days: Mapping[date, DayRow]) -> dict[PeriodKey, int]:
    """The XP of every week and month that holds an active day, and of all time."""
    day_xp = {day: row.xp for day, row in days.items()}
    found = dated_xp(day_xp, dated_periods(day_xp))
    if day_xp:
        found["all", ALL_TIME] = sum(day_xp.values())
    return found


@dataclass(frozen=True)
class Prefix:
    """A learner's cumulative standing at the end of the day before some local date."""

    totals: rules.Tally = field(default_factory=rules.Tally)
    bonus_xp: int = 0
    longest_streak: int = 0
    active_days: int = 0
    topic_exercises: Mapping[str, int] = field(default_factory=dict)


def unlock_dates(
    prefix: Prefix,
    days: Mapping[date, DayRow],
    topic_days: Mapping[TopicDay, rules.Tally],
    ruleset: Ruleset,
) -> dict[str, date]:
    """The local date on which each achievement's metric first reached its threshold, walking
    `days` (every active date from some date on, after `prefix`) in calendar order.

    Only achievements first reached on one of `days` are returned. This is the log's own
    timeline, so it does not depend on the order in which events arrived.
    """
    topics_on: dict[date, list[tuple[str, int]]] = defaultdict(list)
    for (day, topic), tally in topic_days.items():
        topics_on[day].append((topic, tally.exercises))
    totals, bonus = prefix.totals, prefix.bonus_xp
    longest, active = prefix.longest_streak, prefix.active_days
    per_topic = dict(prefix.topic_exercises)

    def reached() -> dict[str, int]:
        standing = rules.Standing(
            totals=totals,
            bonus_xp=bonus,
            longest_streak=longest,
            active_days=active,
            distinct_topics=sum(1 for n in per_topic.values() if n),
            top_topic_exercises=max(per_topic.values(), default=0),
        )
        return rules.metric_values(standing, ruleset.levels)

    before = reached()
    pending = [a for a in ruleset.achievements if before[a.metric] < a.threshold]
    dates = {}
    for day in sorted(days):
        row = days[day]
        totals += row.tally
        bonus += row.streak.bonus_xp
        longest = max(longest, row.streak.streak)
        active += 1
        for topic, exercises in topics_on.get(day, ()):
            per_topic[topic] = per_topic.get(topic, 0) + exercises
        values = reached()
        for a in [a for a in pending if values[a.metric] >= a.threshold]:
            dates[a.id] = day
            pending.remove(a)
        if not pending:
            break
    return dates
