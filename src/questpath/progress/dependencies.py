"""What progress gives routes: the recorder, and whose progress an API request reads (the
caller, or for admins and integration keys the learner named by `user_id`)."""

from __future__ import annotations

import uuid
from typing import Annotated, TypeVar

from fastapi import Depends, Query, Request

from questpath.auth.dependencies import CanReadEverything, CanReadProgress
from questpath.auth.principal import Principal, UserLike
from questpath.dependencies import SessionDep
from questpath.progress import service
from questpath.progress.recording import Recorder

T = TypeVar("T")


async def get_recorder(request: Request) -> Recorder:
    """The app's recorder (`questpath.recorder`), as the domains see it."""
    recorder: Recorder = request.app.state.recorder
    return recorder


RecorderDep = Annotated[Recorder, Depends(get_recorder)]

AdminUserId = Annotated[uuid.UUID | None, Query(description="admins only: whose progress")]


async def _learner(
    principal: CanReadProgress, session: SessionDep, user_id: AdminUserId = None
) -> UserLike:
    return await service.learner(session, principal, user_id)


async def _whole_learner(
    principal: CanReadEverything, session: SessionDep, user_id: AdminUserId = None
) -> UserLike:
    return await service.learner(session, principal, user_id)


Learner = Annotated[UserLike, Depends(_learner)]
# Whose everything a full export reads: it needs every read scope.
WholeLearner = Annotated[UserLike, Depends(_whole_learner)]


def shown_unlocks(principal: Principal, unlocked: list[T]) -> list[T]:
    """The achievements a write unlocked, as its answer may show them: they are progress, so a
    key without `progress:read` is told of none."""
    return unlocked if principal.has_scope("progress:read") else []
