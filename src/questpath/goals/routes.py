"""Goals API: what a learner sets out to reach, how far they are, and when they got there."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from questpath.auth.dependencies import CanReadGoals, CanWriteAndReadGoals, CanWriteGoals
from questpath.auth.limits import WriteLimitedRoute
from questpath.auth.principal import UserLike
from questpath.clock import Now
from questpath.dependencies import RulesetDep, SessionDep
from questpath.goals import service
from questpath.goals.rules import Status
from questpath.goals.schemas import GoalCreate, GoalList, GoalRead, GoalUpdate
from questpath.progress.dependencies import RecorderDep

router = APIRouter(prefix="/api/goals", tags=["goals"], route_class=WriteLimitedRoute)


# A learner sees and changes only their own goals; an API key needs the goals scopes.
async def _reader(principal: CanReadGoals) -> UserLike:
    return principal.user


async def _writer(principal: CanWriteAndReadGoals) -> UserLike:
    return principal.user


async def _remover(principal: CanWriteGoals) -> UserLike:
    return principal.user


Learner = Annotated[UserLike, Depends(_reader)]
WritingLearner = Annotated[UserLike, Depends(_writer)]
RemovingLearner = Annotated[UserLike, Depends(_remover)]


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_goal(
    body: GoalCreate, user: WritingLearner, session: SessionDep, recorder: RecorderDep, now: Now
) -> GoalRead:
    """Set a goal. One already met is achieved at once; at most 100 may be active."""
    return await service.create(session, recorder, user, body, now)


@router.get("")
async def list_goals(
    user: Learner,
    session: SessionDep,
    ruleset: RulesetDep,
    now: Now,
    goal_status: Annotated[
        Status | None, Query(alias="status", description="only goals showing this status")
    ] = None,
) -> GoalList:
    """The learner's goals with their progress, newest first."""
    return await service.list_goals(session, ruleset, user, goal_status, now)


@router.get("/{goal_id}")
async def read_goal(
    goal_id: uuid.UUID, user: Learner, session: SessionDep, ruleset: RulesetDep, now: Now
) -> GoalRead:
    return await service.read(session, ruleset, user, goal_id, now)


@router.patch("/{goal_id}")
async def update_goal(
    goal_id: uuid.UUID,
    body: GoalUpdate,
    user: WritingLearner,
    session: SessionDep,
    recorder: RecorderDep,
    now: Now,
) -> GoalRead:
    """Change the title, description or date, or abandon or resume the goal."""
    return await service.update(session, recorder, user, goal_id, body, now)


@router.delete("/{goal_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_goal(goal_id: uuid.UUID, user: RemovingLearner, session: SessionDep) -> Response:
    await service.delete(session, user, goal_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
