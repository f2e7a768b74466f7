"""What progress gives routes: the recorder, and whose progress an API request reads (the
caller, or for admins and integration keys the learner named by `user_id`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request

from questpath.auth.dependencies import EventReader
from questpath.auth.principal import UserLike
from questpath.dependencies import SessionDep
from questpath.progress import service
from questpath.progress.recording import Recorder


async def get_recorder(request: Request) -> Recorder:
    """The app's recorder (`questpath.recorder`), as the domains see it."""
    recorder: Recorder = request.app.state.recorder
    return recorder


RecorderDep = Annotated[Recorder, Depends(get_recorder)]

AdminUserId = Annotated[uuid.UUID | None, Query(description="admins only: whose progress")]


async def _learner(
    principal: EventReader, session: SessionDep, user_id: AdminUserId = None
) -> UserLike:
    return await service.learner(session, principal, user_id)


Learner = Annotated[UserLike, Depends(_learner)]
