"""Progress use cases: read the projections, apply the rules, shape the answers."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth import repository as users
from questpath.auth.principal import Principal, UserLike
from questpath.events import rules as event_rules
from questpath.events import service as events
from questpath.events.schemas import EventIn
from questpath.problems import Invalid, NotFound
from questpath.progress import repository as repo
from questpath.progress import rules
from questpath.progress.recording import Recorder
from questpath.progress.schemas import (
    AchievementRead,
    AchievementsRead,
    Badge,
    BadgesRead,
    HistoryRead,
    Predictions,
    ProgressRead,
    RankRead,
    RankResourceRead,
    Requirement,
    SkillLevelChange,
    SkillLevelRead,
    SkillLevelsRead,
    Snapshot,
    StatisticsRead,
    StreakUpdateIn,
    StreakUpdateRead,
    TopicStatistics,
    TrendPoint,
    UnlockedRead,
)
from questpath.progress.state import DayRow, TopicRow, Totals
from questpath.progress.vacations import NO_VACATIONS, VacationDays
from questpath.ruleset import Rank, Ruleset


async def learner(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID | None
) -> UserLike:
    """Whose progress a request reads: the caller's own, or for admins anyone's."""
    user_id = principal.readable_user_id(user_id, "progress")
    if user_id == principal.user.id:
        return principal.user
    user = await users.get_user(session, user_id)
    if user is None:
        raise NotFound(f"no learner has the id {user_id}")
    return user


def today_for(user: UserLike, now: datetime) -> date:
    return event_rules.local_date(now, user.timezone, user.day_start_hour)


# The whole picture -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressRows:
    """The projection rows a learner's progress is computed from, each read once."""

    today: date
    totals: Totals
    unlocked: Mapping[str, Any]
    topics: Mapping[str, TopicRow]
    days: Mapping[date, DayRow]  # every active day from `first_day` on
    first_day: date
    recent_topics: Mapping[str, rules.Tally]  # over the prediction window (if read)
    vacations: VacationDays = NO_VACATIONS


async def read_rows(
    session: AsyncSession,
    ruleset: Ruleset,
    user: UserLike,
    now: datetime,
    *,
    since: date | None = None,
    recent_topics: bool = True,
) -> ProgressRows:
    """The rows for `progress_of` and `achievements_of`; the days from `since` as well, when it
    is earlier than the prediction window. `recent_topics` reads what skill levels need."""
    today = today_for(user, now)
    window_first = _window_first(ruleset, today)
    first_day = min(since or window_first, window_first)
    topics = await repo.topics(session, user.id)
    return ProgressRows(
        today=today,
        totals=await repo.totals(session, user.id),
        unlocked=await repo.unlocked(session, user.id),
        topics=topics,
        days=await repo.days_between(session, user.id, first_day, None),
        first_day=first_day,
        recent_topics=await repo.topic_tallies_between(session, user.id, window_first, today)
        if recent_topics and topics
        else {},
        vacations=VacationDays.of((await repo.vacations(session, user.id)).values()),
    )


async def progress(
    session: AsyncSession, ruleset: Ruleset, user: UserLike, now: datetime
) -> ProgressRead:
    return progress_of(await read_rows(session, ruleset, user, now), ruleset, user)


def progress_of(rows: ProgressRows, ruleset: Ruleset, user: UserLike) -> ProgressRead:
    today, totals, unlocked = rows.today, rows.totals, rows.unlocked
    xp = totals.standing().xp
    level = rules.level_for_xp(xp, ruleset.levels)
    standing = rules.rank_for(totals.tally.projects, ruleset.ranks)
    streak = rules.streak_on(totals.streak, today, rows.vacations)
    gains = _window_gains(rows, ruleset)
    window = ruleset.predictions.window_days
    return ProgressRead(
        today=today,
        timezone=user.timezone,
        xp=xp,
        level=level.level,
        xp_to_next_level=level.xp_to_next_level(xp),
        xp_for_current_level=level.xp_at_level_start,
        xp_for_next_level=level.xp_at_next_level,
        level_progress_percent=rules.progress_percent(
            xp - level.xp_at_level_start, level.xp_at_next_level - level.xp_at_level_start
        ),
        rank=_rank(standing.rank, ruleset),
        next_rank=_rank(standing.next_rank, ruleset) if standing.next_rank else None,
        rank_requirements_missing=_rank_requirements(totals, standing),
        exercises_completed=totals.tally.exercises,
        projects_completed=totals.tally.projects,
        study_sessions=totals.tally.study_sessions,
        current_streak=streak.current,
        longest_streak=totals.longest_streak,
        streak_freezes=streak.freezes,
        on_vacation_until=rows.vacations.until(today),
        active_days=totals.active_days,
        total_time_spent_seconds=totals.tally.time_spent_seconds,
        average_grade=totals.tally.average_grade,
        hints_used=totals.tally.hints_used,
        achievements_unlocked=len(unlocked),
        achievement_points=sum(a.points for a in ruleset.achievements if a.id in unlocked),
        skill_levels=_skill_levels(ruleset, today, rows.topics, rows.recent_topics),
        predictions=Predictions(
            window_days=window,
            next_level_eta=rules.eta(
                level.xp_to_next_level(xp), gains.totals.xp + gains.bonus_xp, window, today
            ),
            next_rank_eta=rules.eta(standing.projects_missing, gains.totals.projects, window, today)
            if standing.next_rank
            else None,
        ),
    )


def _rank(rank: Rank, ruleset: Ruleset) -> RankRead:
    later = [
        other.min_projects for other in ruleset.ranks if other.min_projects > rank.min_projects
    ]
    return RankRead(
        id=rank.id,
        name=rank.name,
        icon=rank.icon,
        min_projects=rank.min_projects,
        max_projects=min(later) - 1 if later else None,
        focus=rank.focus,
        what_you_can_do=list(rank.what_you_can_do),
        quality_expectations=list(rank.quality_expectations),
        common_challenges=list(rank.common_challenges),
        next_steps=list(rank.next_steps),
        resources=[RankResourceRead(title=r.title, url=r.url) for r in rank.resources],
    )


def rank_ladder(ruleset: Ruleset) -> list[RankRead]:
    """Every rank of the ladder with its guide, lowest first."""
    return [_rank(rank, ruleset) for rank in ruleset.ranks]


def _rank_requirements(totals: Totals, standing: rules.RankStanding) -> list[Requirement]:
    if standing.next_rank is None:
        return []
    missing = standing.projects_missing
    return [
        Requirement(
            metric="projects_completed",
            current=totals.tally.projects,
            target=standing.next_rank.min_projects,
            missing=missing,
            description=f"Complete {missing} more project{'s' if missing != 1 else ''} "
            f"to reach {standing.next_rank.name}",
        )
    ]


def _window_first(ruleset: Ruleset, today: date) -> date:
    return today - timedelta(days=ruleset.predictions.window_days - 1)


def _window_gains(rows: ProgressRows, ruleset: Ruleset) -> rules.WindowGains:
    """What the learner gained over the prediction window."""
    first = _window_first(ruleset, rows.today)
    days = [row for day, row in rows.days.items() if first <= day <= rows.today]
    return rules.WindowGains(
        totals=rules.total(row.tally for row in days),
        bonus_xp=sum(row.streak.bonus_xp for row in days),
        active_days=len(days),
        new_topics=sum(
            1 for row in rows.topics.values() if (row.first_exercise_date or date.min) >= first
        ),
    )


# Achievements and badges ----------------------------------------------------------------------


async def achievements(
    session: AsyncSession, ruleset: Ruleset, user: UserLike, now: datetime
) -> AchievementsRead:
    rows = await read_rows(session, ruleset, user, now, recent_topics=False)
    return achievements_of(rows, ruleset)


def achievements_of(rows: ProgressRows, ruleset: Ruleset) -> AchievementsRead:
    today, unlocked = rows.today, rows.unlocked
    values = rules.metric_values(rows.totals.standing(), ruleset.levels)
    current_streak = rules.streak_on(rows.totals.streak, today, rows.vacations).current
    gains = _window_gains(rows, ruleset)
    items = []
    for a in ruleset.achievements:
        row = unlocked.get(a.id)
        current = values[a.metric]
        items.append(
            AchievementRead(
                id=a.id,
                name=a.name,
                description=a.description,
                category=a.category,
                metric=a.metric,
                icon=a.icon,
                points=a.points,
                unlocked=row is not None,
                unlocked_at=row.unlocked_at if row is not None else None,
                # Unlocked stays unlocked even if the rules file later raised the threshold.
                progress=100 if row is not None else rules.progress_percent(current, a.threshold),
                current=current,
                target=a.threshold,
                eta=None
                if row is not None
                else rules.achievement_eta(a, values, current_streak, gains, ruleset, today),
            )
        )
    return AchievementsRead(achievements=items)


async def badges(
    session: AsyncSession, ruleset: Ruleset, user: UserLike, now: datetime
) -> BadgesRead:
    return badges_of(await achievements(session, ruleset, user, now), now)


def badges_of(listing: AchievementsRead, now: datetime) -> BadgesRead:
    earned: list[Badge] = []
    available: list[Badge] = []
    for a in listing.achievements:
        badge = Badge(
            id=a.id,
            name=a.name,
            description=a.description,
            category=a.category,
            icon=a.icon,
            points=a.points,
            earned_at=a.unlocked_at,
            progress=a.progress,
        )
        (earned if a.unlocked else available).append(badge)
    earned.sort(key=lambda b: (b.earned_at or now, b.id))
    return BadgesRead(
        earned=earned,
        available=available,
        total_points=sum(b.points for b in earned),
        available_points=sum(b.points for b in available),
    )


# Streak check-in ------------------------------------------------------------------------------


async def update_streak(
    session: AsyncSession,
    recorder: Recorder,
    principal: Principal,
    body: StreakUpdateIn,
    now: datetime,
) -> StreakUpdateRead:
    """Record a check-in event and report how it moved the streak."""
    user = principal.user
    if body.at is not None and (problem := event_rules.occurred_at_problem(body.at, now)):
        raise Invalid.field("at", problem)
    await recorder.lock(session, user.id)  # so "longest before" is the one this changes
    before = await repo.totals(session, user.id)
    check_in = EventIn(id=body.id, kind="check_in", occurred_at=body.at)
    drafts = events.to_drafts(principal, [check_in], now, batch=False)
    change = (await recorder.record(session, drafts, now)).changes.get(user.id)
    day = event_rules.local_date(body.at or now, user.timezone, user.day_start_hour)
    if change is None:
        # Only a client's own id can repeat: nothing changed; report the check-in stored under it.
        day = (await events.get_event(session, principal, body.id or "", None)).local_date
        totals, already_active, unlocked = before, True, []
        streak_day = (await repo.days_between(session, user.id, day, day))[day].streak
    else:
        totals, already_active, unlocked = (
            change.totals,
            day not in change.new_dates,
            change.unlocked,
        )
        streak_day = change.days[day].streak
    vacations = VacationDays.of((await repo.vacations(session, user.id)).values())
    streak = rules.streak_on(totals.streak, today_for(user, now), vacations)
    return StreakUpdateRead(
        date=day,
        current_streak=streak.current,
        longest_streak=totals.longest_streak,
        streak_freezes=streak.freezes,
        status=rules.streak_status(streak_day, already_active),
        new_record=totals.longest_streak > before.longest_streak,
        achievements_unlocked=[
            UnlockedRead(
                id=a.id, name=a.name, description=a.description, icon=a.icon, points=a.points
            )
            for a in unlocked
        ],
    )


# Statistics and history -----------------------------------------------------------------------


async def statistics(
    session: AsyncSession, ruleset: Ruleset, user: UserLike, period: str, now: datetime
) -> StatisticsRead:
    today = today_for(user, now)
    start = rules.period_start(period, today)
    if start is None:
        totals = await repo.totals(session, user.id)
        tally, bonus = totals.tally, totals.bonus_xp
        topic_tallies = {t: row.tally for t, row in (await repo.topics(session, user.id)).items()}
    else:
        in_period = await repo.days_between(session, user.id, start, today)
        tally = rules.total(row.tally for row in in_period.values())
        bonus = sum(row.streak.bonus_xp for row in in_period.values())
        topic_tallies = await repo.topic_tallies_between(session, user.id, start, today)
    week = rules.last_days(7, today)
    trend_days = await repo.days_between(session, user.id, week[0], today)
    return StatisticsRead(
        period=period,
        start_date=start,
        end_date=today,
        exercises_completed=tally.exercises,
        projects_completed=tally.projects,
        study_sessions=tally.study_sessions,
        average_grade=tally.average_grade,
        average_time_seconds=tally.average_time_seconds,
        total_hints=tally.hints_used,
        hints_per_exercise=tally.hints_per_exercise,
        time_spent_seconds=tally.time_spent_seconds,
        xp_gained=tally.xp + bonus,
        by_topic=[
            TopicStatistics(
                topic=topic,
                exercises_completed=t.exercises,
                average_grade=t.average_grade,
                items_completed=t.items_completed,
            )
            for topic, t in sorted(topic_tallies.items())
            if t.exercises or t.items_completed
        ],
        grade_distribution=tally.grade_distribution,
        trend_7d=[_trend_point(d, trend_days.get(d)) for d in week],
    )


def _trend_point(day: date, row: DayRow | None) -> TrendPoint:
    tally = row.tally if row else rules.Tally()
    return TrendPoint(
        date=day,
        exercises_completed=tally.exercises,
        average_grade=tally.average_grade,
        time_spent_seconds=tally.time_spent_seconds,
        xp_gained=tally.xp + (row.streak.bonus_xp if row else 0),
    )


async def history(
    session: AsyncSession,
    user: UserLike,
    days: int | None,
    start: date | None,
    end: date | None,
    now: datetime,
) -> HistoryRead:
    try:
        first, last = rules.history_range(days, start, end, today_for(user, now))
    except rules.RangeProblem as problem:
        raise Invalid.field(problem.field, problem.message) from problem
    return HistoryRead(
        start_date=first, end_date=last, snapshots=await snapshots(session, user.id, first, last)
    )


async def snapshots(
    session: AsyncSession, user_id: uuid.UUID, first: date | None, last: date | None
) -> list[Snapshot]:
    """One snapshot per active local date from `first` to `last` (None: without that bound)."""
    rows = await repo.days_between(session, user_id, first, last)
    cumulative = await repo.exercises_before(session, user_id, first) if first else 0
    return snapshots_of(rows, await repo.unlocked(session, user_id), cumulative)


def recent_snapshots(rows: ProgressRows, first: date) -> list[Snapshot]:
    """One snapshot per active local date from `first` (not before `rows.first_day`) to today.
    The exercises before `first` are the totals less those of the days from `first` on."""
    later = {day: row for day, row in rows.days.items() if day >= first}
    before = rows.totals.tally.exercises - sum(row.tally.exercises for row in later.values())
    shown = {day: row for day, row in later.items() if day <= rows.today}
    return snapshots_of(shown, rows.unlocked, before)


def snapshots_of(
    days: Mapping[date, DayRow], unlocked: Mapping[str, Any], exercises_before: int
) -> list[Snapshot]:
    """Snapshots of `days`, in order; `exercises_before` counts the exercises before them."""
    cumulative = exercises_before
    unlocked_on: dict[date, list[str]] = {}
    for achievement_id, row in sorted(unlocked.items()):
        unlocked_on.setdefault(row.local_date, []).append(achievement_id)
    result = []
    for day, row in days.items():
        cumulative += row.tally.exercises
        result.append(
            Snapshot(
                date=day,
                events=row.tally.events,
                exercises_completed=row.tally.exercises,
                cumulative_exercises=cumulative,
                projects_completed=row.tally.projects,
                study_sessions=row.tally.study_sessions,
                time_spent_seconds=row.tally.time_spent_seconds,
                average_grade=row.tally.average_grade,
                hints_used=row.tally.hints_used,
                xp_gained=row.xp,
                streak=row.streak.streak,
                freezes_spent=row.streak.freezes_spent,
                achievements_unlocked=unlocked_on.get(day, []),
            )
        )
    return result


# Skill levels ---------------------------------------------------------------------------------


async def skill_levels(
    session: AsyncSession, ruleset: Ruleset, user: UserLike, now: datetime
) -> SkillLevelsRead:
    today = today_for(user, now)
    topics = await repo.topics(session, user.id)
    recent = (
        await repo.topic_tallies_between(session, user.id, _window_first(ruleset, today), today)
        if topics
        else {}
    )
    return SkillLevelsRead(skill_levels=_skill_levels(ruleset, today, topics, recent))


def _skill_levels(
    ruleset: Ruleset,
    today: date,
    topics: Mapping[str, TopicRow],
    recent: Mapping[str, rules.Tally],
) -> list[SkillLevelRead]:
    """Each topic's level and what the next one needs; `topics` are all the learner's rows and
    `recent` their tallies over the prediction window."""
    return [
        _skill_level(topic, row, recent.get(topic, rules.Tally()), ruleset, today)
        for topic, row in topics.items()
        if row.tally.exercises
    ]


def _skill_level(
    topic: str, row: TopicRow, recent: rules.Tally, ruleset: Ruleset, today: date
) -> SkillLevelRead:
    following = rules.next_skill_level(row.level, ruleset.skill_levels)
    exercises_missing, eta = 0, None
    if following is not None:
        _, min_exercises, min_grade = following
        exercises_missing = max(0, min_exercises - row.tally.exercises)
        if (row.tally.average_grade or 0) >= min_grade:
            eta = rules.eta(
                exercises_missing, recent.exercises, ruleset.predictions.window_days, today
            )
    return SkillLevelRead(
        topic=topic,
        level=row.level,
        exercises_completed=row.tally.exercises,
        average_grade=row.tally.average_grade,
        time_spent_seconds=row.tally.time_spent_seconds,
        previous_level=row.previous_level,
        level_updated_at=row.level_updated_at,
        next_level=following[0] if following else None,
        exercises_to_next_level=exercises_missing,
        average_grade_for_next_level=following[2] if following else None,
        next_level_eta=eta,
    )


async def calculate_skill_level(
    session: AsyncSession, recorder: Recorder, user: UserLike, topic: str, now: datetime
) -> SkillLevelChange:
    """Recalculate a topic's level from its counters (after a rules change, say) and store it."""
    ruleset = recorder.ruleset
    await recorder.lock(session, user.id)
    row = (await repo.topics(session, user.id, [topic])).get(topic)
    if row is None:
        return SkillLevelChange(
            topic=topic, level=ruleset.skill_levels.base_level, previous_level=None, changed=False
        )
    level = rules.skill_level_for(
        row.tally.exercises, row.tally.average_grade, ruleset.skill_levels
    )
    if level == row.level:
        return SkillLevelChange(
            topic=topic, level=level, previous_level=row.previous_level, changed=False
        )
    updated = TopicRow(row.tally, row.first_exercise_date, level, row.level, now)
    await repo.update_topic_level(session, user.id, topic, updated)
    await recorder.settle(session, user.id, now)  # a skill-level goal may be met now
    return SkillLevelChange(topic=topic, level=level, previous_level=row.level, changed=True)
