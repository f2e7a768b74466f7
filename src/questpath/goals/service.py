"""Goal use cases: set, read, change and drop goals, and settle the ones reached.

Progress is read from the progress projections and the tracks, never from the event log, so
measuring a goal costs a few indexed reads. `settle` decides which goals are reached; the
recorder records their `goal_achieved` events.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.principal import UserLike
from questpath.events.drafts import SystemEvent
from questpath.events.rules import local_date
from questpath.goals import repository as repo
from questpath.goals import rules as goal_rules
from questpath.goals.models import Goal
from questpath.goals.rules import GoalProgress, Reading, Status
from questpath.goals.schemas import (
    Exercises,
    FinishCategory,
    FinishTrack,
    GoalCreate,
    GoalList,
    GoalProgressRead,
    GoalRead,
    GoalUpdate,
    RankTarget,
    SkillLevel,
    Streak,
    Target,
)
from questpath.problems import Conflict, Invalid, NotFound
from questpath.progress import repository as progress_repo
from questpath.progress import rules as progress_rules
from questpath.progress.recording import Recorder
from questpath.progress.state import TopicRow, Totals
from questpath.progress.vacations import NO_VACATIONS, VacationDays
from questpath.ruleset import Ruleset
from questpath.tracks.completion import completion
from questpath.tracks.rules import Completion

MAX_ACTIVE_GOALS = 100
_TARGET: TypeAdapter[Target] = TypeAdapter(Target)


def target_of(goal: Goal) -> Target:
    return _TARGET.validate_python(goal.target)


# Setting and changing goals -------------------------------------------------------------------


async def create(
    session: AsyncSession, recorder: Recorder, user: UserLike, data: GoalCreate, now: datetime
) -> GoalRead:
    ruleset = recorder.ruleset
    # One writer per learner: the active-goal limit and the exercise baseline hold under
    # concurrent requests.
    await recorder.lock(session, user.id)
    await _check_target(session, ruleset, user, data.target)
    await _check_room(session, user.id)
    baseline = 0
    if isinstance(data.target, Exercises):
        totals, topics = await _progress_facts(session, user.id, [data.target])
        baseline = _exercises(data.target, totals, topics)
    goal = Goal(
        user_id=user.id,
        id=uuid.uuid4(),
        title=data.title,
        description=data.description,
        target=data.target.model_dump(mode="json"),
        baseline=baseline,
        target_date=data.target_date,
        status="active",
        achieved_at=None,
        created_at=now,
        updated_at=now,
    )
    await repo.add(session, goal)
    await recorder.settle(session, user.id, now)  # a goal met already is achieved at once
    return await _read_one(session, ruleset, user, goal, now)


async def update(
    session: AsyncSession,
    recorder: Recorder,
    user: UserLike,
    goal_id: uuid.UUID,
    data: GoalUpdate,
    now: datetime,
) -> GoalRead:
    ruleset = recorder.ruleset
    await recorder.lock(session, user.id)
    goal = await _get(session, user, goal_id)
    if data.status is not None:
        if problem := goal_rules.status_change_problem(goal.status, data.status):
            raise Conflict(problem)
        if data.status == "active" and goal.status != "active":
            await _check_room(session, user.id)
        goal.status = data.status
    if data.title is not None:
        goal.title = data.title
    if data.description is not None:
        goal.description = data.description
    if "target_date" in data.model_fields_set:
        goal.target_date = data.target_date
    goal.updated_at = now
    await session.flush()
    await recorder.settle(session, user.id, now)  # a resumed goal may be met already
    return await _read_one(session, ruleset, user, goal, now)


async def delete(session: AsyncSession, user: UserLike, goal_id: uuid.UUID) -> None:
    """Drop a goal. A `goal_achieved` event it recorded stays in the log."""
    await repo.delete(session, await _get(session, user, goal_id))


async def _get(session: AsyncSession, user: UserLike, goal_id: uuid.UUID) -> Goal:
    """The learner's goal; another learner's is as missing as one that never existed."""
    goal = await repo.get(session, user.id, goal_id)
    if goal is None:
        raise NotFound(f"no goal has the id {goal_id}")
    return goal


async def _check_room(session: AsyncSession, user_id: uuid.UUID) -> None:
    if await repo.count_active(session, user_id) >= MAX_ACTIVE_GOALS:
        raise Conflict(
            f"at most {MAX_ACTIVE_GOALS} goals may be active at once; "
            "abandon, finish or delete one first"
        )


async def _check_target(
    session: AsyncSession, ruleset: Ruleset, user: UserLike, target: Target
) -> None:
    """Refuse targets that name what does not exist: a track or category the learner does not
    have, a skill level or rank the rules do not know."""
    if isinstance(target, FinishTrack | FinishCategory):
        if await completion(session, user.id, target.track_id, None) is None:
            raise Invalid.field(
                "target.track_id", f"you have no track with the id {target.track_id}"
            )
        if isinstance(target, FinishCategory) and (
            await completion(session, user.id, target.track_id, target.category_id) is None
        ):
            raise Invalid.field(
                "target.category_id",
                f"the track has no category with the id {target.category_id}",
            )
    elif isinstance(target, SkillLevel):
        levels = [level.name for level in ruleset.skill_levels.levels]
        if target.level not in levels:
            raise Invalid.field("target.level", f"should be one of: {', '.join(levels)}")
    elif isinstance(target, RankTarget):
        ranks = [rank.id for rank in ruleset.ranks]
        if target.rank not in ranks:
            raise Invalid.field("target.rank", f"should be one of: {', '.join(ranks)}")


# Reading goals --------------------------------------------------------------------------------


async def list_goals(
    session: AsyncSession, ruleset: Ruleset, user: UserLike, status: Status | None, now: datetime
) -> GoalList:
    today = local_date(now, user.timezone, user.day_start_hour)
    goals = await repo.list_goals(session, user.id, status, today)
    measured = await _measure(session, ruleset, user.id, goals, today)
    return GoalList(items=[_read(goal, p, today) for goal, p in zip(goals, measured, strict=True)])


async def read(
    session: AsyncSession, ruleset: Ruleset, user: UserLike, goal_id: uuid.UUID, now: datetime
) -> GoalRead:
    return await _read_one(session, ruleset, user, await _get(session, user, goal_id), now)


async def _read_one(
    session: AsyncSession, ruleset: Ruleset, user: UserLike, goal: Goal, now: datetime
) -> GoalRead:
    today = local_date(now, user.timezone, user.day_start_hour)
    [measured] = await _measure(session, ruleset, user.id, [goal], today)
    return _read(goal, measured, today)


def _read(goal: Goal, measured: GoalProgress, today: date) -> GoalRead:
    return GoalRead(
        id=goal.id,
        title=goal.title,
        description=goal.description,
        target=target_of(goal),
        target_date=goal.target_date,
        status=goal_rules.status_on(goal.status, goal.target_date, today),
        progress=GoalProgressRead(
            current=measured.current, target=measured.target, percent=measured.percent
        ),
        achieved_at=goal.achieved_at,
        created_at=goal.created_at,
        updated_at=goal.updated_at,
    )


# Achieving goals ------------------------------------------------------------------------------


async def settle(
    session: AsyncSession, ruleset: Ruleset, user_id: uuid.UUID, today: date, now: datetime
) -> list[SystemEvent]:
    """Achieve every active goal of the learner whose target is reached now, and return the
    `goal_achieved` events to record for them (the recorder records them).

    Each is achieved once: its status moves to achieved for good. Call it, through the recorder,
    after anything that may move a learner's progress, in the same transaction, holding the
    learner's lock. Flush pending changes first.
    """
    goals = await repo.active(session, user_id)
    if not goals:
        return []
    measured = await _measure(session, ruleset, user_id, goals, today)
    reached = [goal for goal, p in zip(goals, measured, strict=True) if p.reached]
    for goal in reached:
        goal.status = "achieved"
        goal.achieved_at = now
        goal.updated_at = now
    await session.flush()
    return [
        SystemEvent(
            id=f"goal:{goal.id}",
            kind="goal_achieved",
            topic=None,
            metadata={"goal_id": str(goal.id), "title": goal.title},
        )
        for goal in reached
    ]


# Measuring goals ------------------------------------------------------------------------------


async def _measure(
    session: AsyncSession, ruleset: Ruleset, user_id: uuid.UUID, goals: Sequence[Goal], today: date
) -> list[GoalProgress]:
    """Each goal's progress, reading each fact the goals need once."""
    targets = [target_of(goal) for goal in goals]
    totals, topics = await _progress_facts(session, user_id, targets)
    vacations = (
        VacationDays.of((await progress_repo.vacations(session, user_id)).values())
        if any(isinstance(t, Streak) for t in targets)
        else NO_VACATIONS
    )
    completions: dict[TrackPart, Completion | None] = {}
    for target in targets:
        if isinstance(target, FinishTrack | FinishCategory):
            part = _track_part(target)
            if part not in completions:
                completions[part] = await completion(session, user_id, *part)

    def reading(target: Target, baseline: int) -> Reading | None:
        match target:
            case FinishTrack() | FinishCategory():
                return goal_rules.finish_reading(completions[_track_part(target)])
            case Exercises():
                done = _exercises(target, totals, topics)
                return goal_rules.exercises_reading(done, baseline, target.count)
            case SkillLevel():
                row = topics.get(target.topic)
                level = row.level if row is not None else None
                return goal_rules.skill_level_reading(level, target.level, ruleset.skill_levels)
            case Streak():
                streak = progress_rules.streak_on(totals.streak, today, vacations).current
                return goal_rules.streak_reading(streak, target.days)
            case RankTarget():
                return goal_rules.rank_reading(totals.tally.projects, target.rank, ruleset.ranks)

    return [
        goal_rules.progress_of(target.type, reading(target, goal.baseline))
        for goal, target in zip(goals, targets, strict=True)
    ]


async def _progress_facts(
    session: AsyncSession, user_id: uuid.UUID, targets: Sequence[Target]
) -> tuple[Totals, dict[str, TopicRow]]:
    """The learner's totals and the topic rows the targets name, read only when needed."""
    needs_totals = any(
        isinstance(t, Streak | RankTarget) or (isinstance(t, Exercises) and t.topic is None)
        for t in targets
    )
    names = {t.topic for t in targets if isinstance(t, Exercises | SkillLevel) and t.topic}
    totals = await progress_repo.totals(session, user_id) if needs_totals else Totals()
    topics = await progress_repo.topics(session, user_id, names) if names else {}
    return totals, topics


TrackPart = tuple[uuid.UUID, uuid.UUID | None]  # a track, or one category of it


def _track_part(target: FinishTrack | FinishCategory) -> TrackPart:
    return target.track_id, target.category_id if isinstance(target, FinishCategory) else None


def _exercises(target: Exercises, totals: Totals, topics: dict[str, TopicRow]) -> int:
    """The learner's exercise count now, overall or in the target's topic."""
    if target.topic is None:
        return totals.tally.exercises
    row = topics.get(target.topic)
    return row.tally.exercises if row is not None else 0
